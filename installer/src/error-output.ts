// How `strata` shows an error: the message a user can act on, and the stack
// only when asked for with --debug. A stack trace tells a user nothing about
// their cluster.yaml; it is for whoever debugs Strata itself.

let debug = false;

/** Set once from the global --debug flag, before a command runs. */
export function setDebugOutput(enabled: boolean): void {
  debug = enabled;
}

/** The error's message, then with --debug its stack and the stacks of its causes. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!debug) return message;
  const stacks: string[] = [];
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth += 1) {
    stacks.push(`${depth === 0 ? '' : 'caused by: '}${cause.stack ?? cause.message}`);
  }
  return stacks.length === 0 ? message : `${message}\n\n${stacks.join('\n')}`;
}

/** Writes the error to stderr as `describeError` words it. */
export function printError(error: unknown, prefix = ''): void {
  process.stderr.write(`${prefix}${describeError(error)}\n`);
}
