import { Command } from 'commander';
import {
  BinaryResolutionError,
  COMPONENT_NAMES,
  NODE_IMAGE_NAMES,
  resolveBinaries,
  TOOL_NAMES,
  type BinaryName,
} from '@strata/binaries';

const BINARY_NAMES: readonly BinaryName[] = [...COMPONENT_NAMES, ...TOOL_NAMES, ...NODE_IMAGE_NAMES];

function isBinary(name: string): name is BinaryName {
  return (BINARY_NAMES as readonly string[]).includes(name);
}

export function binariesCommand(): Command {
  return new Command('binaries')
    .description(
      "obtain the pinned control-plane binaries (etcd, kube-apiserver, ...), the Pulumi CLI and the node image's (kubelet, containerd, runc, ...), and print where they are",
    )
    .argument('[components...]', `any of: ${BINARY_NAMES.join(', ')} (default: the control plane)`)
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
      const unknown = names.filter((name) => !isBinary(name));
      if (unknown.length > 0) {
        process.stderr.write(`unknown component(s): ${unknown.join(', ')}; choose from ${BINARY_NAMES.join(', ')}\n`);
        process.exit(2);
      }
      const components = names.filter(isBinary);
      try {
        const { paths, sources } = await resolveBinaries(components.length > 0 ? { components } : {});
        const resolved = Object.keys(paths) as BinaryName[];
        if (options.json) {
          const out = Object.fromEntries(resolved.map((name) => [name, { path: paths[name], source: sources[name] }]));
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          for (const name of resolved)
            process.stdout.write(`${name.padEnd(24)} ${paths[name] ?? ''}  (${sources[name] ?? ''})\n`);
        }
      } catch (error) {
        if (!(error instanceof BinaryResolutionError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      }
    });
}
