// Every probe is bounded twice: by its own short timeout, so that one silent
// address cannot hold the whole diagnosis, and by the engine's signal, so that
// a Ctrl-C during the diagnosis stops it.

export interface ProbeOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** The signal one probe runs under: its own timeout or the caller's cancellation, whichever comes first. */
export function probeSignal(options: ProbeOptions): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  return options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
}

/** Whether the probe stopped because of its timeout (as opposed to the caller's cancellation). */
export function timedOut(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return reason instanceof DOMException && reason.name === 'TimeoutError';
}

/** The message of anything thrown, for a check's detail. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
