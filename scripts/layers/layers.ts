// The layering rules of docs/architecture.md, as code: the map there is the
// source of truth (a fenced `layers` block), and this module checks the tree
// against it. `scripts/layers/layers.test.ts` runs the check in `npm test`.
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';

export interface Layer {
  readonly rank: number;
  readonly packages: readonly string[];
  /** A package only tests may import (the harness): its layer says who may use it in tests, not in production. */
  readonly testsOnly: boolean;
}

export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  /** The subpaths of its `exports` ('.' for the root entry, './testing', …). */
  readonly entries: readonly string[];
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
}

export interface Violation {
  readonly file: string;
  readonly message: string;
}

const packageJsonSchema = z.object({
  name: z.string(),
  exports: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
  workspaces: z.array(z.string()).optional(),
});

/**
 * Reads the `layers` block of the architecture map: one line per layer, lowest
 * first, `<rank>: <package> <package> …`, a trailing `(tests only)` marking a
 * layer whose packages only tests may import.
 */
export function parseLayers(markdown: string): Layer[] {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown);
  if (!block?.[1]) throw new Error('docs/architecture.md has no ```layers block');
  return block[1]
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const match = /^(\d+):\s+(.+?)(\s+\(tests only\))?$/.exec(line);
      if (!match?.[1] || !match[2]) throw new Error(`unreadable layers line: ${line}`);
      return { rank: Number(match[1]), packages: match[2].split(/\s+/), testsOnly: match[3] !== undefined };
    });
}

export async function readWorkspace(root: string): Promise<WorkspacePackage[]> {
  const rootJson = packageJsonSchema.parse(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')));
  const packages: WorkspacePackage[] = [];
  for (const dir of rootJson.workspaces ?? []) {
    const json = packageJsonSchema.parse(JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')));
    const entries =
      json.exports === undefined ? [] : typeof json.exports === 'string' ? ['.'] : Object.keys(json.exports);
    packages.push({
      name: json.name,
      dir,
      entries,
      dependencies: Object.keys(json.dependencies ?? {}),
      devDependencies: Object.keys(json.devDependencies ?? {}),
    });
  }
  return packages;
}

/** Test code: test files, test helpers and benchmarks. Everything else is production code. */
export function isTestCode(file: string): boolean {
  return (
    /\.test\.tsx?$/.test(file) ||
    file.split('/').some((segment) => segment === 'testing' || segment === 'bench') ||
    /(^|\/)(test-fixtures|integration-fixtures|[a-z-]*test-support)\.ts$/.test(file)
  );
}

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(ts|tsx|js|mjs)$/.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    if (path.split(sep).some((segment) => segment === 'node_modules' || segment === '.next')) continue;
    found.push(path);
  }
  return found.sort();
}

/** The module specifiers a file imports or re-exports, static and dynamic. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** The package a bare specifier names, and which of its entry points. */
function packageTarget(specifier: string): { name: string; entry: string } | undefined {
  const match = /^(@[^/]+\/[^/]+|[^@/][^/]*)(\/.*)?$/.exec(specifier);
  if (!match?.[1]) return undefined;
  return { name: match[1], entry: match[2] === undefined ? '.' : `.${match[2]}` };
}

/** Every way the tree breaks the map. */
export async function checkLayers(root: string, layers: readonly Layer[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  const packages = await readWorkspace(root);
  const rankOf = new Map<string, number>();
  const testsOnly = new Set<string>();
  for (const layer of layers) {
    for (const name of layer.packages) {
      if (rankOf.has(name)) violations.push({ file: 'docs/architecture.md', message: `${name} is in two layers` });
      rankOf.set(name, layer.rank);
      if (layer.testsOnly) testsOnly.add(name);
    }
  }
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  for (const pkg of packages) {
    if (!rankOf.has(pkg.name))
      violations.push({
        file: `${pkg.dir}/package.json`,
        message: `${pkg.name} is in no layer of docs/architecture.md`,
      });
  }
  for (const name of rankOf.keys()) {
    if (!byName.has(name))
      violations.push({ file: 'docs/architecture.md', message: `${name} is in a layer but is no workspace package` });
  }

  for (const pkg of packages) {
    const rank = rankOf.get(pkg.name);
    if (rank === undefined) continue;
    for (const dependency of pkg.dependencies) {
      const dependencyRank = rankOf.get(dependency);
      if (dependencyRank === undefined) continue;
      if (dependencyRank >= rank || testsOnly.has(dependency)) {
        violations.push({
          file: `${pkg.dir}/package.json`,
          message: `${pkg.name} (layer ${rank}) depends on ${dependency} (layer ${dependencyRank}${testsOnly.has(dependency) ? ', tests only' : ''}) in production; only lower layers are allowed`,
        });
      }
    }
    const packageRoot = resolve(root, pkg.dir);
    for (const path of await sourceFiles(packageRoot)) {
      const file = relative(root, path);
      const test = isTestCode(relative(packageRoot, path));
      for (const specifier of importsOf(await readFile(path, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(path), specifier);
          if (!target.startsWith(packageRoot + sep))
            violations.push({
              file,
              message: `imports ${specifier}, outside its package: use the other package's public entry point`,
            });
          continue;
        }
        const target = packageTarget(specifier);
        if (!target || target.name === pkg.name) continue;
        const targetPackage = byName.get(target.name);
        const targetRank = rankOf.get(target.name);
        // Packages from the registry are not layered; a workspace package in no layer is reported above.
        if (!targetPackage || targetRank === undefined) continue;
        if (!targetPackage.entries.includes(target.entry)) {
          violations.push({
            file,
            message: `imports ${specifier}, which is not a public entry point of ${target.name} (exports: ${targetPackage.entries.join(', ') || 'none'})`,
          });
          continue;
        }
        const declared = test ? [...pkg.dependencies, ...pkg.devDependencies] : pkg.dependencies;
        if (!declared.includes(target.name)) {
          violations.push({
            file,
            message: `imports ${target.name}, which ${pkg.dir}/package.json does not declare in ${test ? 'dependencies or devDependencies' : 'dependencies'}`,
          });
        }
        if (test) {
          const testHelpers = target.entry === './testing' || testsOnly.has(target.name);
          if (targetRank >= rank && !testHelpers) {
            violations.push({
              file,
              message: `a test of ${pkg.name} (layer ${rank}) imports ${specifier} (layer ${targetRank}); tests may use lower layers and any package's public test helpers (its ./testing entry)`,
            });
          }
        } else if (targetRank >= rank || testsOnly.has(target.name)) {
          violations.push({
            file,
            message: `${pkg.name} (layer ${rank}) imports ${specifier} (layer ${targetRank}${testsOnly.has(target.name) ? ', tests only' : ''}); production code may import only lower layers`,
          });
        }
      }
    }
  }
  return violations;
}
