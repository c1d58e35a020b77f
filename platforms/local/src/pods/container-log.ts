// Reading a process pod's container log (CRI records, written by the container's guardian) the way the kubelet
// reads one for `kubectl logs`: whole lines from their records, the last N, those since a time, with or without
// their timestamps, up to a byte limit, and following the file while the container runs.
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCriLine, type CriStream } from '@strata/host';

export interface ContainerLogOptions {
  /** Only the last this many lines. */
  readonly tailLines?: number;
  /** Only lines written at or after this time. */
  readonly since?: Date;
  /** Each line prefixed with its RFC 3339 time and a space. */
  readonly timestamps?: boolean;
  /** At most this many bytes in all; the last line may be cut. */
  readonly limitBytes?: number;
  /** Only this stream's lines; both by default. */
  readonly stream?: CriStream;
  /** Go on with lines written later, while `running()` says the container runs. */
  readonly follow?: boolean;
}

export interface FollowControl {
  /** Whether the container that writes the file still runs; following ends when it does not. */
  readonly running: () => boolean;
  readonly signal?: AbortSignal;
  /** How often the file is looked at for more while following. */
  readonly pollIntervalMs?: number;
}

/** The kubelet follows with fsnotify and a timer; a short poll does both here (inotify is not reliable in every sandbox). */
const DEFAULT_POLL_MS = 250;
const READ_CHUNK = 64 * 1024;

/** One line of the log: its records joined. */
interface LogLine {
  readonly timestamp: string;
  readonly time: Date;
  readonly stream: CriStream;
  readonly content: Buffer;
}

/** Joins CRI records into lines; a line of P records waits for its F. Lines are per stream. */
class LineAssembler {
  readonly #partial = new Map<CriStream, { first: LogLine; parts: Buffer[] }>();
  #rest: Buffer = Buffer.alloc(0);

  /** Feeds bytes of the file; returns the lines completed. Text after the last newline is kept for the next call. */
  push(bytes: Buffer): LogLine[] {
    let data = this.#rest.length === 0 ? bytes : Buffer.concat([this.#rest, bytes]);
    const lines: LogLine[] = [];
    for (;;) {
      const newline = data.indexOf(0x0a);
      if (newline === -1) break;
      const record = parseCriLine(data.subarray(0, newline));
      data = data.subarray(newline + 1);
      // A line that is not a record (a file written by hand) is skipped, as the kubelet skips what it cannot parse.
      if (record === undefined) continue;
      const pending = this.#partial.get(record.stream);
      if (record.partial) {
        if (pending === undefined) this.#partial.set(record.stream, { first: { ...record }, parts: [record.content] });
        else pending.parts.push(record.content);
        continue;
      }
      this.#partial.delete(record.stream);
      lines.push(
        pending === undefined
          ? { ...record }
          : { ...pending.first, content: Buffer.concat([...pending.parts, record.content]) },
      );
    }
    this.#rest = Buffer.from(data);
    return lines;
  }
}

function render(line: LogLine, timestamps: boolean): Buffer {
  const text = Buffer.concat([line.content, Buffer.from('\n')]);
  return timestamps ? Buffer.concat([Buffer.from(`${line.timestamp} `), text]) : text;
}

function selected(line: LogLine, options: ContainerLogOptions): boolean {
  if (options.stream !== undefined && line.stream !== options.stream) return false;
  return options.since === undefined || line.time.getTime() >= options.since.getTime();
}

async function readFrom(handle: FileHandle, position: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let offset = position;
  for (;;) {
    const buffer = Buffer.alloc(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, offset);
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
    offset += bytesRead;
  }
  return Buffer.concat(chunks);
}

/**
 * The log at `path` as `kubectl logs` shows it, in chunks. Without `follow` it ends at the end of the file; with it,
 * it goes on until the container stops running (what it wrote last included) or the signal aborts.
 */
export async function* readContainerLog(
  path: string,
  options: ContainerLogOptions,
  control?: FollowControl,
): AsyncGenerator<Buffer> {
  yield* await openContainerLog(path, options, control);
}

/**
 * readContainerLog with the file opened first, so that a log that cannot be read fails before anything is sent. The
 * chunks must be read to their end or returned (a `for await` does it), which closes the file.
 */
export async function openContainerLog(
  path: string,
  options: ContainerLogOptions,
  control?: FollowControl,
): Promise<AsyncGenerator<Buffer>> {
  return chunksOf(await open(path, 'r'), options, control);
}

async function* chunksOf(
  handle: FileHandle,
  options: ContainerLogOptions,
  control: FollowControl | undefined,
): AsyncGenerator<Buffer> {
  try {
    const assembler = new LineAssembler();
    const timestamps = options.timestamps === true;
    let budget = options.limitBytes ?? Number.POSITIVE_INFINITY;
    let position = 0;
    const emit = function* (lines: readonly LogLine[]): Generator<Buffer> {
      for (const line of lines) {
        if (budget <= 0) return;
        const bytes = render(line, timestamps);
        const out = bytes.length > budget ? bytes.subarray(0, budget) : bytes;
        budget -= out.length;
        yield out;
      }
    };
    const initial = await readFrom(handle, position);
    position += initial.length;
    let lines = assembler.push(initial).filter((line) => selected(line, options));
    if (options.tailLines !== undefined) lines = options.tailLines === 0 ? [] : lines.slice(-options.tailLines);
    yield* emit(lines);
    if (options.follow !== true || control === undefined) return;
    const interval = control.pollIntervalMs ?? DEFAULT_POLL_MS;
    while (budget > 0 && control.signal?.aborted !== true) {
      // Read after looking at the container, so what it wrote before it stopped is still sent.
      const stillRunning = control.running();
      const more = await readFrom(handle, position);
      position += more.length;
      yield* emit(assembler.push(more).filter((line) => selected(line, options)));
      if (!stillRunning) return;
      try {
        await sleep(interval, undefined, control.signal === undefined ? {} : { signal: control.signal });
      } catch {
        return;
      }
    }
  } finally {
    await handle.close();
  }
}

/** The text of a log's last lines (at most `lines` lines and `bytes` bytes), as a termination message falls back to. */
export async function containerLogTail(path: string, lines: number, bytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of readContainerLog(path, { tailLines: lines })) chunks.push(chunk);
  const text = Buffer.concat(chunks);
  return text.subarray(Math.max(0, text.length - bytes)).toString('utf8');
}
