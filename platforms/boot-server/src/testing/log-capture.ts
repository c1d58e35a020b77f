// A real pino logger whose lines a test reads back: what an operator sees, and what must never appear.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { z } from 'zod';

/** One line of pino's output: a JSON object. */
const logLineSchema = z.record(z.string(), z.unknown());

export interface CapturedLogger {
  readonly logger: Logger;
  /** Every line logged so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Everything logged so far, as raw text. */
  text(): string;
}

export function captureLogger(level: 'debug' | 'info' | 'warn' = 'debug'): CapturedLogger {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    logger: pino({ level }, sink),
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => logLineSchema.parse(JSON.parse(line))),
  };
}
