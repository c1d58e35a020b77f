// Butane templates, as matchbox serves them: the rendered text is translated
// from Butane (variants flatcar and fcos, whichever it declares) to Ignition
// by the real Butane, run as a child process with the text on stdin, no shell,
// bounded in time and output. Translations are cached by the rendered text
// (least recently used out first), so a hot template costs no process.
import { spawn } from 'node:child_process';
import { StrataError } from '@strata/api';
import { RawIgnitionError, serveRawIgnition } from './raw-ignition.ts';

/** Butane could not be run at all (not a template's fault). */
export class ButaneRunError extends StrataError {}

export type Translation =
  { readonly ok: true; readonly ignition: string } | { readonly ok: false; readonly reason: string };

export interface ButaneTranslatorOptions {
  /** The butane binary (resolveBinary('butane') from @strata/binaries). */
  readonly butanePath: string;
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Stdout and stderr each; default 32 MiB. */
  readonly maxOutputBytes?: number;
  /** Translations kept; default 1,024. */
  readonly cacheEntries?: number;
}

export class ButaneTranslator {
  readonly #options: Required<ButaneTranslatorOptions>;
  readonly #done = new Map<string, Translation>();
  readonly #running = new Map<string, Promise<Translation>>();

  constructor(options: ButaneTranslatorOptions) {
    this.#options = { timeoutMs: 10_000, maxOutputBytes: 32 * 1024 * 1024, cacheEntries: 1024, ...options };
  }

  /** The cached translation of this text, if there is one; no process is started. */
  cached(text: string): Translation | undefined {
    const found = this.#done.get(text);
    if (found !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.#done.delete(text);
      this.#done.set(text, found);
    }
    return found;
  }

  /** The translation, from the cache or from Butane; concurrent requests for one text share one process. */
  translate(text: string): Promise<Translation> {
    const found = this.cached(text);
    if (found !== undefined) return Promise.resolve(found);
    const running = this.#running.get(text);
    if (running !== undefined) return running;
    const translation = this.#run(text).then(
      (result) => {
        this.#running.delete(text);
        this.#remember(text, result);
        return result;
      },
      (error: unknown) => {
        this.#running.delete(text);
        throw error;
      },
    );
    this.#running.set(text, translation);
    return translation;
  }

  get size(): number {
    return this.#done.size;
  }

  #remember(text: string, translation: Translation): void {
    this.#done.set(text, translation);
    while (this.#done.size > this.#options.cacheEntries) {
      const oldest = this.#done.keys().next();
      if (oldest.done === true) break;
      this.#done.delete(oldest.value);
    }
  }

  async #run(text: string): Promise<Translation> {
    const { butanePath, timeoutMs, maxOutputBytes } = this.#options;
    const output = await new Promise<{ code: number | null; stdout: string; stderr: string; limit?: string }>(
      (resolve, reject) => {
        // No files directory: a template cannot make Butane read local files.
        const child = spawn(butanePath, [], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let sizes = [0, 0];
        let limit: string | undefined;
        const stop = (why: string) => {
          limit ??= why;
          child.kill('SIGKILL');
        };
        const timer = setTimeout(() => stop(`took longer than ${timeoutMs} ms`), timeoutMs);
        const collect = (into: Buffer[], index: 0 | 1) => (chunk: Buffer) => {
          sizes = index === 0 ? [sizes[0]! + chunk.length, sizes[1]!] : [sizes[0]!, sizes[1]! + chunk.length];
          if (sizes[index]! > maxOutputBytes) stop(`wrote more than ${maxOutputBytes} bytes`);
          else into.push(chunk);
        };
        child.stdout.on('data', collect(stdout, 0));
        child.stderr.on('data', collect(stderr, 1));
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(
            new ButaneRunError(`cannot run ${butanePath}: ${error.message}`, { path: butanePath }, { cause: error }),
          );
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({
            code,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
            ...(limit === undefined ? {} : { limit }),
          });
        });
        child.stdin.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EPIPE') stop(`stdin failed: ${error.message}`);
        });
        child.stdin.end(text);
      },
    );
    if (output.limit !== undefined) return { ok: false, reason: `butane ${output.limit}` };
    if (output.code !== 0)
      return { ok: false, reason: firstLines(output.stderr) || `butane exited with ${output.code}` };
    try {
      // Written as matchbox writes the Ignition it gets from Butane.
      return { ok: true, ignition: serveRawIgnition(output.stdout) };
    } catch (error) {
      if (!(error instanceof RawIgnitionError)) throw error;
      return { ok: false, reason: `butane's output is not Ignition 3.x: ${error.message}` };
    }
  }
}

/** Butane's reason, kept short for a log line. */
function firstLines(stderr: string): string {
  return stderr.trim().split('\n').slice(0, 5).join('; ').slice(0, 1000);
}
