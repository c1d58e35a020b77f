// A real pino logger whose lines a test reads back: what an operator sees, and what must never appear.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { BootLogger } from '../logging.ts';

export interface LogCapture {
  readonly logger: BootLogger;
  lines(): Record<string, unknown>[];
  text(): string;
}

export function captureBootLog(level: 'debug' | 'info' | 'warn' = 'debug'): LogCapture {
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
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
