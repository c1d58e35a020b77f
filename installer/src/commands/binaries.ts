import { Command } from 'commander';
import { BinaryResolutionError, COMPONENT_NAMES, resolveBinaries, type ComponentName } from '@strata/assets/binaries';

function isComponent(name: string): name is ComponentName {
  return (COMPONENT_NAMES as readonly string[]).includes(name);
}

export function binariesCommand(): Command {
  return new Command('binaries')
    .description('obtain the pinned control-plane binaries (etcd, kube-apiserver, ...) and print where they are')
    .argument('[components...]', `any of: ${COMPONENT_NAMES.join(', ')} (default: all)`)
    .option('--json', 'print {"<component>": {"path", "source"}} as JSON')
    .addHelpText(
      'after',
      `
Sources, in order: $STRATA_BIN_DIR; the checksummed cache (~/.cache/strata/bin,
or $STRATA_CACHE_DIR); a build from Go modules (needs Go, takes minutes once);
the official release download ($STRATA_KUBERNETES_DOWNLOAD_URL and
$STRATA_ETCD_DOWNLOAD_URL name mirrors).`,
    )
    .action(async (names: string[], options: { json?: boolean }) => {
      const unknown = names.filter((name) => !isComponent(name));
      if (unknown.length > 0) {
        process.stderr.write(`unknown component(s): ${unknown.join(', ')}; choose from ${COMPONENT_NAMES.join(', ')}\n`);
        process.exit(2);
      }
      const components = names.filter(isComponent);
      try {
        const { paths, sources } = await resolveBinaries(components.length > 0 ? { components } : {});
        const resolved = Object.keys(paths) as ComponentName[];
        if (options.json) {
          const out = Object.fromEntries(resolved.map((name) => [name, { path: paths[name], source: sources[name] }]));
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          for (const name of resolved) process.stdout.write(`${name.padEnd(24)} ${paths[name] ?? ''}  (${sources[name] ?? ''})\n`);
        }
      } catch (error) {
        if (!(error instanceof BinaryResolutionError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      }
    });
}
