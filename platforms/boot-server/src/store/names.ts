// Where each resource lives in matchbox's data directory, and the guarantee
// that no name from a request or the write API reaches outside it.
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { resourceIdSchema, templateNameSchema, type TemplateKind } from '@strata/api';
import { InvalidNameError } from '../errors.ts';

export type ResourceDirectory = 'groups' | 'profiles' | TemplateKind;

/** Files writeFileAtomic leaves only if a write is interrupted: ".<name>.<12 hex>.tmp". */
export const TEMPORARY_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** The name, checked: a plain file name that stays inside its directory. */
export function checkName(name: unknown, field: 'id' | 'name'): string {
  const schema = field === 'id' ? resourceIdSchema : templateNameSchema;
  const parsed = schema.safeParse(name);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? 'is not valid';
    throw new InvalidNameError(`${field} ${JSON.stringify(name)} ${problem}`, { field, name });
  }
  if (isAbsolute(parsed.data) || parsed.data.includes(sep)) {
    throw new InvalidNameError(`${field} ${JSON.stringify(name)} must be a plain file name`, { field, name });
  }
  if (TEMPORARY_FILE.test(parsed.data)) {
    throw new InvalidNameError(`${field} ${JSON.stringify(name)} looks like an interrupted write's temporary file`, {
      field,
      name,
    });
  }
  return parsed.data;
}

/** The path of a group's or profile's JSON file, or of a template. */
export function resourcePath(dataPath: string, directory: ResourceDirectory, name: string): string {
  const file =
    directory === 'groups' || directory === 'profiles' ? `${checkName(name, 'id')}.json` : checkName(name, 'name');
  const path = join(dataPath, directory, file);
  // Belt and braces: the checked name cannot escape, and this proves it.
  const inside = relative(join(dataPath, directory), path);
  if (inside !== file) throw new InvalidNameError(`name ${JSON.stringify(name)} escapes the data directory`, { name });
  return path;
}

/**
 * The template a profile's reference names, as matchbox finds it: it joins
 * the kind's directory and the reference and cleans the result as a path
 * under the data directory, so "site/./worker.ign" is "site/worker.ign" and
 * "../ignition/x.ign" is "x.ign". Undefined when the path lands outside the
 * kind's directory (matchbox would read, say, groups/x.json as a template;
 * Strata looks only among the kind's own templates).
 */
export function templateKey(kind: TemplateKind, reference: string): string | undefined {
  const joined = goClean(`${kind}/${reference}`);
  const rooted = goClean(`/${joined}`);
  const prefix = `/${kind}/`;
  return rooted.startsWith(prefix) && rooted.length > prefix.length ? rooted.slice(prefix.length) : undefined;
}

/** Go's path.Clean. */
function goClean(path: string): string {
  const cleaned = posix.normalize(path);
  return cleaned.length > 1 && cleaned.endsWith('/') ? cleaned.slice(0, -1) : cleaned;
}
