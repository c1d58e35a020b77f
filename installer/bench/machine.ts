import { cpus, loadavg, totalmem } from 'node:os';

/** The machine a benchmark ran on, as its first line says it: figures mean little without it. */
export function describeMachine(): string {
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  return `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${load}`;
}
