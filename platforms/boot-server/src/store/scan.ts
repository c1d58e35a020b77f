// Reads a matchbox data directory into a snapshot. A file that does not
// parse is reported (its path, the field and the problem) and left out; the
// rest still serve. Files whose inode, size and times have not changed since
// the previous scan are not read again, so rescanning a directory of ten
// thousand groups costs little more than listing it.
import type { Dirent } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { z } from 'zod';
import { normalizeSelector } from '../matching/selector.ts';
import { jsonDepth, MAX_METADATA_DEPTH } from '@strata/api';
import { groupSchema, profileSchema, TEMPLATE_KINDS, type Group, type Profile, type TemplateKind } from '@strata/api';
import { makeSnapshot } from './snapshot.ts';
import type { BootSnapshot } from './store.ts';
import { TEMPORARY_FILE } from './names.ts';

/** Larger files are refused rather than read into memory. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
const READ_CONCURRENCY = 64;

export interface DataProblem {
  readonly path: string;
  /** The offending field ("selector.mac", "boot.initrd.0"), when the problem is in one. */
  readonly field?: string;
  readonly message: string;
}

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: DataProblem };

interface CacheEntry {
  readonly version: string;
  readonly parsed: Parsed<unknown>;
}

/** What one scan remembers for the next. */
export type ScanCache = ReadonlyMap<string, CacheEntry>;

export interface ScanResult {
  readonly snapshot: BootSnapshot;
  readonly problems: readonly DataProblem[];
  readonly cache: ScanCache;
  /** False when no file was added, removed or changed since the cache was made. */
  readonly changed: boolean;
}

export async function scanDataDirectory(dataPath: string, previous: ScanCache = new Map()): Promise<ScanResult> {
  const cache = new Map<string, CacheEntry>();
  let changed = false;
  const problems: DataProblem[] = [];

  const load = async <T>(
    directory: string,
    fileName: string,
    parse: (text: string, path: string) => Parsed<T>,
  ): Promise<Parsed<T> | undefined> => {
    const path = join(dataPath, directory, fileName);
    let info;
    try {
      info = await stat(path, { bigint: true });
    } catch (error) {
      if (isMissing(error)) return undefined; // removed while we listed
      return { ok: false, problem: { path, message: `cannot be read: ${describe(error)}` } };
    }
    if (!info.isFile()) return undefined;
    const version = `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    const cached = previous.get(path);
    if (cached?.version === version) {
      cache.set(path, cached);
      return cached.parsed as Parsed<T>;
    }
    changed = true;
    let parsed: Parsed<T>;
    if (info.size > BigInt(MAX_FILE_BYTES)) {
      parsed = { ok: false, problem: { path, message: `is larger than ${MAX_FILE_BYTES} bytes` } };
    } else {
      try {
        parsed = parse(await readFile(path, 'utf8'), path);
      } catch (error) {
        if (isMissing(error)) return undefined;
        parsed = { ok: false, problem: { path, message: `cannot be read: ${describe(error)}` } };
      }
    }
    cache.set(path, { version, parsed });
    return parsed;
  };

  const loadAll = async <T>(
    directory: string,
    names: readonly string[],
    parse: (text: string, path: string) => Parsed<T>,
  ): Promise<[string, T][]> => {
    const loaded: [string, T][] = [];
    for (let start = 0; start < names.length; start += READ_CONCURRENCY) {
      const batch = names.slice(start, start + READ_CONCURRENCY);
      const results = await Promise.all(batch.map((name) => load(directory, name, parse)));
      results.forEach((result, at) => {
        const name = batch[at] ?? '';
        if (result === undefined) return;
        if (result.ok) loaded.push([name, result.value]);
        else problems.push(result.problem);
      });
    }
    return loaded;
  };

  const jsonNames = async (directory: string) =>
    (await listFiles(dataPath, directory)).filter((name) => name.endsWith('.json') && name !== '.json');
  const groups = await loadAll('groups', await jsonNames('groups'), parseGroup);
  const profiles = await loadAll('profiles', await jsonNames('profiles'), parseProfile);
  const templates: Partial<Record<TemplateKind, [string, string][]>> = {};
  for (const kind of TEMPLATE_KINDS) {
    const names = await listTemplateFiles(dataPath, kind, problems);
    templates[kind] = await loadAll(kind, names, (text) => ({ ok: true, value: text }));
  }
  if (previous.size !== cache.size) changed = true;

  const withoutJson = (entries: [string, Group | Profile][]) =>
    entries.map(([name, value]) => [name.slice(0, -'.json'.length), value] as const);
  const snapshot = makeSnapshot({
    groups: withoutJson(groups) as (readonly [string, Group])[],
    profiles: withoutJson(profiles) as (readonly [string, Profile])[],
    templates,
  });
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { snapshot, problems, cache, changed };
}

async function listFiles(dataPath: string, directory: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(dataPath, directory), { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  // Symbolic links are followed when read; directories and interrupted writes are not resources.
  return entries
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && !TEMPORARY_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Subdirectories of a template directory deeper than this are not read. */
export const MAX_TEMPLATE_DEPTH = 16;

/**
 * The template files of one kind, by their path under its directory
 * ("site/worker.ign"). Subdirectories are read, symbolic links to directories
 * are not followed, and a symbolic link whose target lies outside the data
 * directory is reported and left out, so no template name can reach outside it.
 */
async function listTemplateFiles(dataPath: string, kind: TemplateKind, problems: DataProblem[]): Promise<string[]> {
  const root = join(dataPath, kind);
  let realData: string | undefined;
  const names: string[] = [];
  const walk = async (relative: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(relative === '' ? root : join(root, relative), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (TEMPORARY_FILE.test(entry.name)) continue;
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth < MAX_TEMPLATE_DEPTH) await walk(name, depth + 1);
        else problems.push({ path: join(root, name), message: `nests deeper than ${MAX_TEMPLATE_DEPTH} directories` });
      } else if (entry.isFile()) {
        names.push(name);
      } else if (entry.isSymbolicLink()) {
        realData ??= await realpath(dataPath);
        const target = await realpath(join(root, name)).catch((error: unknown) => {
          if (isMissing(error)) return undefined;
          throw error;
        });
        if (target === undefined) continue;
        if (target.startsWith(realData + sep)) names.push(name);
        else
          problems.push({
            path: join(root, name),
            message: 'is a symbolic link that leads outside the data directory',
          });
      }
    }
  };
  await walk('', 0);
  return names.sort();
}

function parseJson<T>(text: string, path: string, schema: z.ZodType<T>): Parsed<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: { path, message: `is not valid JSON: ${describe(error)}` } };
  }
  const result = schema.safeParse(withoutNullFields(json));
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    return {
      ok: false,
      problem: { path, ...(field === '' ? {} : { field }), message: issue?.message ?? 'does not match the schema' },
    };
  }
  return { ok: true, value: result.data };
}

/**
 * Go's JSON decoding leaves a field at its zero value when the file says null;
 * matchbox therefore loads {"metadata": null} or {"boot": {"args": null}}.
 * Dropping such fields lets the schema's defaults stand in for Go's zero values.
 * (Metadata values keep their nulls: they are data.)
 */
function withoutNullFields(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const entries = Object.entries(json).filter(([, value]) => value !== null);
  return Object.fromEntries(entries.map(([key, value]) => [key, key === 'boot' ? withoutNullFields(value) : value]));
}

/**
 * Matchbox reads a group file whatever its "id" says, an absent one included,
 * and finds it by its file name; such a group is named by its file name here.
 */
const readGroupSchema = groupSchema.extend({ id: z.string().optional() });

/**
 * Matchbox needs a profile's "id" to be present, and finds the profile by its
 * file name; its templates may sit in subdirectories ("site/worker.ign"),
 * which the lookup confines to the template directory.
 */
const templateReference = z.string().max(4096).default('');
const readProfileSchema = profileSchema.extend({
  id: z.string().min(1, 'must not be empty'),
  ignition_id: templateReference,
  generic_id: templateReference,
  cloud_id: templateReference,
});

function parseGroup(text: string, path: string): Parsed<Group> {
  const read = parseJson(text, path, readGroupSchema);
  if (!read.ok) return read;
  const parsed = {
    ok: true,
    value: { ...read.value, id: read.value.id || basename(path, '.json') },
  } as const satisfies Parsed<Group>;
  if (jsonDepth(parsed.value.metadata) > MAX_METADATA_DEPTH) {
    return {
      ok: false,
      problem: { path, field: 'metadata', message: `nests deeper than ${MAX_METADATA_DEPTH} levels` },
    };
  }
  const selector = normalizeSelector(parsed.value.selector);
  if (selector === undefined) {
    const key = Object.keys(parsed.value.selector).find((name) => name.toLowerCase() === 'mac') ?? 'mac';
    return {
      ok: false,
      problem: { path, field: `selector.${key}`, message: 'is not a MAC address (matchbox skips such a group too)' },
    };
  }
  return { ok: true, value: { ...parsed.value, selector: { ...selector } } };
}

function parseProfile(text: string, path: string): Parsed<Profile> {
  return parseJson(text, path, readProfileSchema);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
