#!/usr/bin/env node
// Obtains the pinned control-plane binaries and prints where they are.
// Usage: strata-binaries [--json] [component ...]
import { parseArgs } from 'node:util';
import { COMPONENT_NAMES, type ComponentName } from './components.ts';
import { BinaryResolutionError } from './errors.ts';
import { resolveBinaries } from './resolve.ts';

const usage = `Usage: strata-binaries [--json] [component ...]

Obtains the pinned control-plane binaries (${COMPONENT_NAMES.join(', ')}),
trying in order: $STRATA_BIN_DIR, the cache (~/.cache/strata/bin), a build from
Go modules, and the official release download. Prints one "name path" line each.

Options:
  --json   print {"component": {"path": ..., "source": ...}} instead
  --help   show this help
`;

function isComponent(name: string): name is ComponentName {
  return (COMPONENT_NAMES as readonly string[]).includes(name);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ options: { json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const unknown = parsed.positionals.filter((name) => !isComponent(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown component(s): ${unknown.join(', ')}; choose from ${COMPONENT_NAMES.join(', ')}\n`);
    return 2;
  }
  const components = parsed.positionals.filter(isComponent);
  try {
    const { paths, sources } = await resolveBinaries(components.length > 0 ? { components } : {});
    const names = Object.keys(paths) as ComponentName[];
    if (parsed.values.json) {
      const out = Object.fromEntries(names.map((name) => [name, { path: paths[name], source: sources[name] }]));
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      for (const name of names) process.stdout.write(`${name} ${paths[name] ?? ''}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof BinaryResolutionError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main();
