// The CRI log format, as containerd writes a container's output for the kubelet: one record per line,
// `<RFC 3339 time> <stdout|stderr> <F|P> <text>`, P marking a line split because it was too long. The time of each
// line is what lets `kubectl logs --since` and `--timestamps` work; the guardian writes it, the log readers parse it.

export type CriStream = 'stdout' | 'stderr';

/** One record of a CRI log: a whole line (`partial` false) or a piece of a longer one. */
export interface CriLogRecord {
  readonly time: Date;
  /** The time as written, with its full precision, for `timestamps=true`. */
  readonly timestamp: string;
  readonly stream: CriStream;
  readonly partial: boolean;
  /** The text without its newline. */
  readonly content: Buffer;
}

/** containerd's limit: a longer line is written as several records, all but the last tagged P. */
export const CRI_MAX_RECORD_BYTES = 16 * 1024;

const NEWLINE = 0x0a;

/** RFC 3339 with nanoseconds, as containerd writes it; JavaScript's clock has milliseconds, the rest comes from hrtime. */
export function criTimestamp(now: Date = new Date(), hrtimeNs: bigint = process.hrtime.bigint()): string {
  const iso = now.toISOString(); // 2026-12-05T10:30:00.123Z
  const subMillisecond = (hrtimeNs % 1_000_000n).toString().padStart(6, '0');
  return `${iso.slice(0, -1)}${subMillisecond}Z`;
}

/**
 * Turns a stream's chunks into CRI records. Text is held until its newline, so a line written in two writes is one
 * record; `flush` writes what is left when the stream ends (as a whole line, as containerd does at EOF).
 */
export class CriLineWriter {
  readonly #stream: CriStream;
  readonly #write: (record: Buffer) => void;
  readonly #clock: () => string;
  #pending: Buffer = Buffer.alloc(0);

  constructor(stream: CriStream, write: (record: Buffer) => void, clock: () => string = () => criTimestamp()) {
    this.#stream = stream;
    this.#write = write;
    this.#clock = clock;
  }

  push(chunk: Buffer): void {
    let data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const newline = data.indexOf(NEWLINE);
      if (newline === -1 || newline > CRI_MAX_RECORD_BYTES) break;
      this.#record(data.subarray(0, newline), false);
      data = data.subarray(newline + 1);
    }
    while (data.length > CRI_MAX_RECORD_BYTES) {
      this.#record(data.subarray(0, CRI_MAX_RECORD_BYTES), true);
      data = data.subarray(CRI_MAX_RECORD_BYTES);
      const newline = data.indexOf(NEWLINE);
      if (newline !== -1 && newline <= CRI_MAX_RECORD_BYTES) {
        this.#record(data.subarray(0, newline), false);
        data = data.subarray(newline + 1);
      }
    }
    this.#pending = Buffer.from(data);
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    this.#record(this.#pending, false);
    this.#pending = Buffer.alloc(0);
  }

  #record(content: Buffer, partial: boolean): void {
    const head = Buffer.from(`${this.#clock()} ${this.#stream} ${partial ? 'P' : 'F'} `, 'utf8');
    this.#write(Buffer.concat([head, content, Buffer.from('\n')]));
  }
}

/** Parses one line of a CRI log (without its newline); undefined if it is not a record. */
export function parseCriLine(line: Buffer): CriLogRecord | undefined {
  const first = line.indexOf(0x20);
  const second = first === -1 ? -1 : line.indexOf(0x20, first + 1);
  const third = second === -1 ? -1 : line.indexOf(0x20, second + 1);
  if (third === -1) return undefined;
  const timestamp = line.subarray(0, first).toString('latin1');
  const stream = line.subarray(first + 1, second).toString('latin1');
  const tag = line.subarray(second + 1, third).toString('latin1');
  const time = new Date(timestamp);
  if (Number.isNaN(time.getTime()) || (stream !== 'stdout' && stream !== 'stderr') || (tag !== 'F' && tag !== 'P'))
    return undefined;
  return { time, timestamp, stream, partial: tag === 'P', content: line.subarray(third + 1) };
}
