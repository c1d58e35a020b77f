// The real `strata` command as a long-running process (a server), for tests
// that talk to it while it runs and then stop it with a signal.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CommandResult } from '@strata/host';

const STRATA = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));

/**
 * Runs `strata` to completion with extra environment variables. A command
 * that should have refused to start but serves instead is killed after
 * `timeoutMs` and reported, rather than hanging the test.
 */
export async function runStrataWithEnv(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs = 20_000,
): Promise<CommandResult> {
  const running = new StrataProcess(args, env);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([running.exited(), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    await running.stop('SIGKILL');
    throw new Error(`strata ${args.join(' ')} did not exit within ${timeoutMs} ms\nstderr:\n${running.stderr}`);
  }
  return { code: outcome.code, stdout: running.stdout, stderr: running.stderr };
}

export class StrataProcess {
  readonly child: ChildProcessWithoutNullStreams;
  #stdout = '';
  #stderr = '';
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    this.child = spawn(process.execPath, [STRATA, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => (this.#stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Waits until stderr has a line matching `pattern`; fails with everything printed so far if the process exits or time runs out. */
  async waitForStderr(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.#exited.then(() => (exited = true));
    for (;;) {
      const match = pattern.exec(this.#stderr);
      if (match !== null) return match;
      if (exited || Date.now() > deadline) {
        throw new Error(
          `strata ${exited ? 'exited' : 'did not print'} ${pattern} ${exited ? 'before printing it' : `within ${timeoutMs} ms`}\nstderr:\n${this.#stderr}\nstdout:\n${this.#stdout}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends a signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.#exited;
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#exited;
  }
}
