// Writes a data directory in matchbox's layout, and temporary directories to write it in.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Group, Profile } from '@strata/api';

export interface DataDirContents {
  readonly profiles?: readonly Profile[];
  readonly groups?: readonly Group[];
  /** Template text by file name. */
  readonly ignition?: Readonly<Record<string, string>>;
  readonly generic?: Readonly<Record<string, string>>;
  readonly cloud?: Readonly<Record<string, string>>;
}

/** Writes groups/<id>.json, profiles/<id>.json and the templates; directories are created as needed. */
export async function writeDataDir(dir: string, contents: DataDirContents): Promise<void> {
  const write = async (directory: string, name: string, text: string) => {
    await mkdir(join(dir, directory), { recursive: true });
    await writeFile(join(dir, directory, name), text);
  };
  for (const profile of contents.profiles ?? [])
    await write('profiles', `${profile.id}.json`, `${JSON.stringify(profile, null, 2)}\n`);
  for (const group of contents.groups ?? [])
    await write('groups', `${group.id}.json`, `${JSON.stringify(group, null, 2)}\n`);
  for (const kind of ['ignition', 'generic', 'cloud'] as const) {
    for (const [name, text] of Object.entries(contents[kind] ?? {})) await write(kind, name, text);
  }
}

export interface TemporaryDirectory {
  readonly path: string;
  remove(): Promise<void>;
}

export async function temporaryDirectory(prefix = 'strata-boot-'): Promise<TemporaryDirectory> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A temporary data directory holding `contents`. */
export async function temporaryDataDir(contents: DataDirContents = {}): Promise<TemporaryDirectory> {
  const directory = await temporaryDirectory('strata-boot-data-');
  await writeDataDir(directory.path, contents);
  return directory;
}

/** Writes files given by path relative to `dir` (for data directories written as raw text, like matchbox's examples). */
export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}
