// /etc/flatcar/update.conf as update_engine reads it: KEY=VALUE lines, '#'
// comments, the last assignment winning. Strata's machines learn their update
// server (SERVER=) and group (GROUP=) from it, as Flatcar's do.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidOsInputError } from './errors.ts';
import { OmahaUpdateSource, type OmahaUpdateSourceOptions } from './omaha-update-source.ts';
import type { UpdateSource } from './update-source.ts';

/** Where Flatcar keeps it, relative to a machine's root. */
export const UPDATE_CONF_PATH = 'etc/flatcar/update.conf';

const updateConfSchema = z.object({
  SERVER: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL of an Omaha endpoint' })
    .refine(
      (value) => URL.canParse(value) && new URL(value).pathname.endsWith('/'),
      'must end in / (update_engine posts to it as is)',
    )
    .optional(),
  GROUP: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,63}$/, 'must be an update group name such as stable, beta or alpha')
    .optional(),
});

export interface UpdateConf {
  /** The Omaha endpoint; undefined when the file does not name one (update_engine then asks Flatcar's public server). */
  readonly server: string | undefined;
  readonly group: string | undefined;
}

/** Parses the file's text; `path` names it in errors. */
export function parseUpdateConf(text: string, path: string): UpdateConf {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) throw new InvalidOsInputError(`${path}: not KEY=VALUE: ${JSON.stringify(trimmed)}`, { path });
    values[trimmed.slice(0, equals).trim()] = trimmed.slice(equals + 1).trim();
  }
  const parsed = updateConfSchema.safeParse(values);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
    throw new InvalidOsInputError(`${path} is invalid: ${issues.join('; ')}`, { path, issues });
  }
  return { server: parsed.data.SERVER, group: parsed.data.GROUP };
}

/** Reads `<root>/etc/flatcar/update.conf`; a machine without one has neither setting. */
export async function readUpdateConf(root: string): Promise<UpdateConf> {
  const path = join(root, UPDATE_CONF_PATH);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { server: undefined, group: undefined };
    throw new InvalidOsInputError(`cannot read ${path}`, { path }, { cause: error });
  }
  return parseUpdateConf(text, path);
}

/**
 * The update source and group a machine's update.conf gives it: an Omaha
 * client of SERVER= when the file names one, `fallback` otherwise; GROUP=
 * over `defaultGroup`.
 */
export function updateSettingsFrom(
  conf: UpdateConf,
  fallback: { readonly source: UpdateSource; readonly group: string },
  client: Omit<OmahaUpdateSourceOptions, 'server'> = {},
): { readonly source: UpdateSource; readonly group: string } {
  return {
    source: conf.server === undefined ? fallback.source : new OmahaUpdateSource({ ...client, server: conf.server }),
    group: conf.group ?? fallback.group,
  };
}
