// The diagnosis this branch's install uses until the API probes are wired in:
// which phase failed, its time budget, and the last lines of the logs it knows.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Diagnose, DiagnosticContext, Diagnosis } from '../diagnostics/diagnosis.ts';

const TAIL_LINES = 10;
const TAIL_BYTES = 16 * 1024;

async function tail(path: string): Promise<string[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .slice(-TAIL_LINES)
      .map((line) => `${basename(path)}: ${line}`);
  } finally {
    await handle.close();
  }
}

export function logTailDiagnose(timeoutMs: (phase: string) => number): Diagnose {
  return async (context: DiagnosticContext): Promise<Diagnosis> => {
    const logTail = (await Promise.all(context.logFiles.slice(0, 3).map(tail))).flat();
    return {
      checks: [],
      logTail,
      nextStep: `the ${context.phase} phase (time budget ${Math.round(timeoutMs(context.phase) / 1000)}s, install.timeouts in cluster.yaml) did not complete: read the log lines above, fix the cause, and run strata install again; it resumes where it stopped`,
    };
  };
}
