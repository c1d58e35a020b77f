// The boot server's structured log. Request logs carry ids and label keys,
// never metadata values or rendered configs, which may hold secrets.
import { pino, type Logger } from 'pino';

export type BootLogger = Logger;

export interface BootLoggerOptions {
  readonly level?: string;
  readonly name?: string;
}

/** JSON lines on stdout, as pino writes them. */
export function createBootLogger(options: BootLoggerOptions = {}): BootLogger {
  return pino({ name: options.name ?? 'boot-server', level: options.level ?? 'info' });
}

/** A logger that drops everything, for tests and benchmarks. */
export function silentLogger(): BootLogger {
  return pino({ level: 'silent' });
}
