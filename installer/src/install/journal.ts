// The install journal: one line per phase transition, appended and fsynced
// before the engine moves on, so that a kill -9 at any moment leaves a
// readable prefix. It records what happened, never what a secret is.
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { phaseSchema, type Phase } from './events.ts';

export const journalRecordSchema = z.strictObject({
  phase: phaseSchema,
  status: z.enum(['started', 'succeeded', 'failed']),
  at: z.iso.datetime(),
  /** The config's fingerprint (a digest of the config copy): a phase done for another config is not done. */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  platform: z.string(),
  cluster: z.string(),
});
export type JournalRecord = z.infer<typeof journalRecordSchema>;

export interface JournalReading {
  readonly records: JournalRecord[];
  /** Lines that could not be read (a torn last line after a kill), with why. */
  readonly warnings: string[];
}

export class Journal {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async append(record: Omit<JournalRecord, 'at'>): Promise<JournalRecord> {
    const full = journalRecordSchema.parse({ ...record, at: new Date().toISOString() });
    const handle = await open(this.path, 'a+');
    try {
      // After a torn last line, the record starts a line of its own rather than completing the torn one.
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      const separator = size > 0 && last.toString() !== '\n' ? '\n' : '';
      await handle.appendFile(`${separator}${JSON.stringify(full)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return full;
  }

  /**
   * Every valid record, in order. A line that does not parse (the torn tail a
   * kill leaves) is skipped and reported as a warning; a missing journal is empty.
   */
  async read(): Promise<JournalReading> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], warnings: [] };
      throw error;
    }
    const records: JournalRecord[] = [];
    const warnings: string[] = [];
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        warnings.push(`${this.path}:${index + 1}: ignored a line that is not JSON (an interrupted write)`);
        return;
      }
      const parsed = journalRecordSchema.safeParse(value);
      if (parsed.success) records.push(parsed.data);
      else warnings.push(`${this.path}:${index + 1}: ignored a record that does not fit the journal's schema`);
    });
    return { records, warnings };
  }
}

/** The phases whose last record since the last destroy, for this fingerprint, says succeeded. */
export function phasesDone(records: readonly JournalRecord[], fingerprint: string): Set<Phase> {
  return new Set(phasesDoneAt(records, fingerprint).keys());
}

/** The same phases, each with the time its success was journaled (what a resumed install tells the user). */
export function phasesDoneAt(records: readonly JournalRecord[], fingerprint: string): Map<Phase, string> {
  const last = new Map<Phase, JournalRecord>();
  for (const record of records) {
    if (record.phase === 'destroy' && record.status === 'succeeded') last.clear();
    else last.set(record.phase, record);
  }
  return new Map(
    [...last.values()]
      .filter((record) => record.status === 'succeeded' && record.fingerprint === fingerprint)
      .map((record) => [record.phase, record.at]),
  );
}
