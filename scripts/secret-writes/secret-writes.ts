// Finds file writes that could leave a secret readable by others: a chmod
// after the write (the file exists with the umask's mode until then), or a
// write that sets a private mode itself instead of going through
// writeFileAtomic, which creates the file with its final mode. Modes that
// grant read to others (executables, public files) are not secrets and pass.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isTestCode } from '../layers/layers.ts';

/** The one place allowed to create files with a private mode. */
export const HELPER = 'foundations/host/src/fs/atomic-write.ts';

export interface SecretWriteFinding {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const CHMOD_CALLS = new Set(['chmod', 'chmodSync', 'fchmod', 'fchmodSync', 'lchmod', 'lchmodSync']);
const WRITE_CALLS = new Set([
  'writeFile',
  'writeFileSync',
  'appendFile',
  'appendFileSync',
  'createWriteStream',
  'open',
  'openSync',
]);
const CALL = /\b([A-Za-z]+)\s*\(/g;
const MODE_LITERAL = /\b0o[0-7]{3}\b/g;

/** The text between the parenthesis at `open` and its match. */
function argumentsAt(source: string, open: number): string {
  let depth = 0;
  for (let index = open; index < source.length; index++) {
    const char = source[index];
    if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') {
      depth--;
      if (depth === 0) return source.slice(open + 1, index);
    }
  }
  return source.slice(open + 1);
}

/** Top-level arguments, split on commas outside brackets. */
function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index).trim());
      start = index + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((part) => part !== '');
}

/** Whether `mode` is a literal that others may read anyway: nothing to hide. */
function isPublicLiteral(mode: string): boolean {
  return /^0o[0-7]{3}$/.test(mode) && (Number.parseInt(mode.slice(2), 8) & 0o004) !== 0;
}

/** The mode a write call sets, if any: a `mode:` option, or open's third argument. */
function writeMode(name: string, args: readonly string[]): string | undefined {
  const option = /\bmode\s*:\s*([^,}\s]+)/.exec(args.slice(1).join(','));
  if (option?.[1] !== undefined) return option[1];
  if (name === 'open' || name === 'openSync') return args[2];
  return undefined;
}

/** Findings in one file's source; `file` is only used to name them. */
export function findSecretWrites(file: string, source: string): SecretWriteFinding[] {
  const findings: SecretWriteFinding[] = [];
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  for (const match of source.matchAll(CALL)) {
    const name = match[1] ?? '';
    if (!CHMOD_CALLS.has(name) && !WRITE_CALLS.has(name)) continue;
    const args = splitArguments(argumentsAt(source, match.index + match[0].length - 1));
    // `handle.chmod(mode)` takes the mode alone; `chmod(path, mode)` last.
    const mode = CHMOD_CALLS.has(name) ? args.at(-1) : writeMode(name, args);
    if (mode === undefined || isPublicLiteral(mode)) continue;
    findings.push({
      file,
      line: lineOf(match.index),
      message: CHMOD_CALLS.has(name)
        ? `${name}(…, ${mode}) after a write: the file was readable until then; use writeFileAtomic with the final mode`
        : `${name} with mode ${mode}: a private file must be created through writeFileAtomic`,
    });
  }
  for (const match of source.matchAll(MODE_LITERAL)) {
    const value = Number.parseInt(match[0].slice(2), 8);
    if (value !== 0o600 && value !== 0o400) continue;
    findings.push({
      file,
      line: lineOf(match.index),
      message: `the literal ${match[0]}: use SECRET_FILE_MODE with writeFileAtomic`,
    });
  }
  return findings;
}

async function productionSources(root: string, dir: string, found: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await productionSources(root, path, found);
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      const file = relative(root, path).split(sep).join('/');
      if (!isTestCode(file) && !file.split('/').includes('bench')) found.push(file);
    }
  }
}

/** Every finding in the production code under `root` (tests may chmod on purpose). */
export async function checkSecretWrites(root: string): Promise<SecretWriteFinding[]> {
  const files: string[] = [];
  await productionSources(root, root, files);
  const findings: SecretWriteFinding[] = [];
  for (const file of files.sort()) {
    if (file === HELPER || file.startsWith('scripts/secret-writes/')) continue;
    findings.push(...findSecretWrites(file, await readFile(join(root, file), 'utf8')));
  }
  return findings;
}
