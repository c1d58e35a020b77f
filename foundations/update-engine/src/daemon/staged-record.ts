// What the daemon staged, kept on the root across the reboot: the next boot's daemon compares it with the slot that
// booted to tell the update server that the update came up (3/2 with previousversion) or that the bootloader fell
// back (3/0, error 44), as update_engine keeps its own prefs for the same purpose.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { InvalidOsInputError } from '../errors.ts';
import type { BootOutcome } from '../update-source.ts';
import type { SlotStatus } from './slot-status.ts';

const recordSchema = z.object({ version: z.string().min(1), previousVersion: z.string().min(1) });
export type StagedRecord = z.infer<typeof recordSchema>;

const FILE = 'staged.json';

export async function writeStagedRecord(stateDir: string, record: StagedRecord): Promise<void> {
  await writeFileAtomic(join(stateDir, FILE), `${JSON.stringify(record)}\n`, SECRET_FILE_MODE);
}

export async function readStagedRecord(stateDir: string): Promise<StagedRecord | undefined> {
  const path = join(stateDir, FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InvalidOsInputError(`cannot read ${path}`, { path }, { cause: error });
  }
  const invalid = (cause: unknown) =>
    new InvalidOsInputError(`${path} is not a staged update's record; remove it to start afresh`, { path }, { cause });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(error);
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

export async function forgetStagedRecord(stateDir: string): Promise<void> {
  await rm(join(stateDir, FILE), { force: true });
}

/** How this boot went for the update staged before it; undefined when nothing was staged or it is not decided. */
export function bootOutcome(record: StagedRecord | undefined, status: SlotStatus): BootOutcome | undefined {
  if (record === undefined) return undefined;
  if (status.version === record.version) return { kind: 'updated', previousVersion: record.previousVersion };
  if (status.rolledBackFrom === record.version) return { kind: 'rolled-back', failedVersion: record.version };
  return undefined;
}
