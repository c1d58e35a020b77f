// Many machines on one loopback: each has an address of its own, and what a
// program on a machine calls "all interfaces" (0.0.0.0) or "this host"
// (127.0.0.1, localhost) is that address. Names (machines' domains, the API
// name) resolve through a map instead of DNS: Go programs get it as their
// /etc/hosts in a private mount namespace, in-process clients as the
// kubeconfig's server address with the name kept as the TLS server name.
import { type KubeConfig, type Cluster } from '@kubernetes/client-node';
import { PooledKubeConfig } from '@strata/kube';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { MachineBootError } from './errors.ts';

/** Names and the addresses they resolve to, first address first. */
export type MachineNames = ReadonlyMap<string, readonly string[]>;

const THIS_HOST = new Set(['0.0.0.0', '127.0.0.1', 'localhost']);

/** /etc/hosts for a machine's programs. */
export function hostsFile(names: MachineNames): string {
  const lines = ['127.0.0.1 localhost'];
  for (const [name, addresses] of names) for (const address of addresses) lines.push(`${address} ${name}`);
  return `${lines.join('\n')}\n`;
}

/** Rewrites `0.0.0.0` and `127.0.0.1` in URLs and flag values to the machine's own address. */
export function onMachine(value: string, address: string): string {
  return value.replace(
    /(^|[=/,@])(0\.0\.0\.0|127\.0\.0\.1)(?=$|[:/,])/g,
    (_match, before: string) => `${before}${address}`,
  );
}

/** Where a URL's host really is on this machine, and the name TLS must check. */
function placeServer(
  server: string,
  names: MachineNames,
  self: string | undefined,
): { server: string; serverName: string } | undefined {
  const url = new URL(server);
  const host = url.hostname;
  let address: string | undefined;
  if (THIS_HOST.has(host)) address = self;
  else address = names.get(host)?.[0];
  if (address === undefined) return undefined;
  url.hostname = address;
  return { server: url.toString().replace(/\/$/, ''), serverName: host };
}

/** A kubeconfig whose current cluster is reached at its machine address, the certificate still checked against its name. */
export function placeKubeConfig(kubeConfig: KubeConfig, names: MachineNames, self?: string): KubeConfig {
  const clusters = kubeConfig.getClusters().map((cluster): Cluster => {
    const placed = placeServer(cluster.server, names, self);
    if (placed === undefined) return cluster;
    return { ...cluster, server: placed.server, tlsServerName: cluster.tlsServerName ?? placed.serverName };
  });
  const placed = new PooledKubeConfig();
  placed.loadFromOptions({
    clusters,
    users: kubeConfig.getUsers(),
    contexts: kubeConfig.getContexts(),
    currentContext: kubeConfig.getCurrentContext(),
  });
  return placed;
}

const kubeconfigFileSchema = z.looseObject({
  clusters: z.array(z.looseObject({ name: z.string(), cluster: z.looseObject({ server: z.string() }) })),
});

/**
 * Writes a copy of a component's kubeconfig (it holds a client key: mode 0600)
 * whose servers on "this host" are the machine's address, with
 * `tls-server-name` keeping the name the certificate was issued for.
 */
export async function writePlacedKubeconfig(text: string, origin: string, target: string, self: string): Promise<void> {
  const parsed = kubeconfigFileSchema.safeParse(parse(text));
  if (!parsed.success) {
    throw new MachineBootError(`${origin} is not a kubeconfig with clusters: ${z.prettifyError(parsed.error)}`, {
      path: origin,
    });
  }
  for (const entry of parsed.data.clusters) {
    const placed = placeServer(entry.cluster.server, new Map(), self);
    if (placed === undefined) continue;
    entry.cluster.server = placed.server;
    entry.cluster['tls-server-name'] ??= placed.serverName;
  }
  await writeFileAtomic(target, stringify(parsed.data), SECRET_FILE_MODE);
}
