// A cloud's provider plugin as the install engine sees it: where the engine
// looks for it, how a user provides it offline, and how --install-plugins
// obtains it through the Automation API.
import type { Stack } from '@pulumi/pulumi/automation/index.js';

export interface ProviderPlugin {
  readonly name: string;
  readonly version: string;
}

const GO_OS: Readonly<Partial<Record<NodeJS.Platform, string>>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
};
const GO_ARCH: Readonly<Partial<Record<NodeJS.Architecture, string>>> = { x64: 'amd64', arm64: 'arm64' };

/** The release archive of the plugin for this machine, as the provider's releases name it. */
export function pluginTarball(plugin: ProviderPlugin): string {
  const os = GO_OS[process.platform] ?? process.platform;
  const arch = GO_ARCH[process.arch] ?? process.arch;
  return `pulumi-resource-${plugin.name}-v${plugin.version}-${os}-${arch}.tar.gz`;
}

/** How to provide a missing plugin: offline into the engine's PULUMI_HOME, or online with --install-plugins. */
export function pluginFix(plugin: ProviderPlugin, pulumiHome: string): string {
  const tarball = pluginTarball(plugin);
  return [
    `download ${tarball} from https://github.com/pulumi/pulumi-${plugin.name}/releases/tag/v${plugin.version}, then run:`,
    `PULUMI_HOME=${pulumiHome} pulumi plugin install resource ${plugin.name} ${plugin.version} --file ${tarball}`,
    'or, on a machine with network access, rerun with --install-plugins',
  ].join('\n');
}

/** Installs the plugin into the stack's PULUMI_HOME through the engine (needs the network); reports before and after. */
export async function installPlugin(
  stack: Stack,
  plugin: ProviderPlugin,
  progress: (message: string) => void,
): Promise<void> {
  progress(`installing the ${plugin.name} provider plugin v${plugin.version} through the Pulumi engine`);
  const started = performance.now();
  await stack.workspace.installPlugin(plugin.name, `v${plugin.version}`, 'resource');
  progress(
    `installed the ${plugin.name} provider plugin v${plugin.version} in ${Math.round((performance.now() - started) / 1000)}s`,
  );
}
