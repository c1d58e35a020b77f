// Where the Pulumi engine finds a resource provider plugin, and whether it is
// there, complete and runnable: what every cloud's offline preflight asks
// before an engine that cannot download it is started.
import { statSync } from 'node:fs';
import { join } from 'node:path';

export interface ProviderPlugin {
  readonly name: string;
  readonly version: string;
}

export type PluginEnvironment = Readonly<Record<string, string | undefined>>;

/** Why the engine would not load the plugin from its cache, or where it would load it from. */
export type PluginLookup =
  | { readonly status: 'installed'; readonly dir: string }
  | { readonly status: 'missing'; readonly dir: string; readonly pluginsDir: string }
  | { readonly status: 'partial'; readonly dir: string }
  | { readonly status: 'not-executable'; readonly dir: string; readonly binary: string };

/** The engine's PULUMI_HOME: the variable when set and not empty, else `~/.pulumi`. */
export function pulumiHomeOf(env: PluginEnvironment, home: string): string {
  const set = env['PULUMI_HOME'];
  return set !== undefined && set !== '' ? set : join(home, '.pulumi');
}

/** Looks the plugin up where the engine would, under PULUMI_HOME's `plugins/resource-<name>-v<version>`. */
export function findProviderPlugin(plugin: ProviderPlugin, env: PluginEnvironment, home: string): PluginLookup {
  const pluginsDir = join(pulumiHomeOf(env, home), 'plugins');
  const dir = join(pluginsDir, `resource-${plugin.name}-v${plugin.version}`);
  // The engine marks a plugin it is still unpacking with a .partial file beside its directory.
  if (statSync(`${dir}.partial`, { throwIfNoEntry: false }) !== undefined) return { status: 'partial', dir };
  const binary = join(dir, `pulumi-resource-${plugin.name}`);
  const info = statSync(binary, { throwIfNoEntry: false });
  if (info === undefined || !info.isFile()) return { status: 'missing', dir, pluginsDir };
  if ((info.mode & 0o111) === 0) return { status: 'not-executable', dir, binary };
  return { status: 'installed', dir };
}
