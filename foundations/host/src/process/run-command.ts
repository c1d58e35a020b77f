import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface CommandResult {
  /** null when the command was killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed; a stream is piped in as it flows (a download, say). */
  readonly input?: string | Readable;
  /** Kills the command (SIGTERM); the promise then rejects with the signal's AbortError. */
  readonly signal?: AbortSignal;
  /** Called with each complete line of output as it comes (a long build's progress), besides collecting it. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** Splits a stream's chunks into lines for `onLine`; the last, unterminated one is handed on at the end. */
function lineSplitter(onLine: (line: string) => void): { push(text: string): void; end(): void } {
  let pending = '';
  return {
    push(text) {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    end() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}

/**
 * Runs a command to completion and collects its output. Rejects only when the
 * command cannot start (e.g. ENOENT); a non-zero exit is the caller's to judge.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    let stdout = '';
    let stderr = '';
    const { onLine } = options;
    const lines =
      onLine === undefined
        ? undefined
        : {
            stdout: lineSplitter((line) => onLine(line, 'stdout')),
            stderr: lineSplitter((line) => onLine(line, 'stderr')),
          };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      lines?.stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      lines?.stderr.push(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      lines?.stdout.end();
      lines?.stderr.end();
      resolve({ code, stdout, stderr });
    });
    // A command that exits without reading its input closes the pipe first: that EPIPE is the command's choice,
    // and its exit status, not the write, is the answer. Any other error of the pipe is the caller's.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    if (typeof options.input === 'object') options.input.pipe(child.stdin);
    else child.stdin.end(options.input ?? '');
  });
}
