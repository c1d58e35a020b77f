// After destroy: the boot server, asked as each machine's firmware asks it,
// knows none of the cluster's machines any more (no group selects its MAC,
// for the install boot or for the installed system).
import type { ClusterConfig } from '@strata/assets';
import { InstallError } from '../errors.ts';

const PROBE_TIMEOUT_MS = 5_000;

/** The read API's URLs a machine of the cluster would fetch. */
export function machineUrls(endpoint: string, mac: string): string[] {
  const query = new URLSearchParams({ mac });
  return [
    new URL(`/ipxe?${query.toString()}`, endpoint).toString(),
    new URL(`/ignition?${query.toString()}&os=installed`, endpoint).toString(),
  ];
}

export async function checkLeftovers(config: ClusterConfig, progress: (message: string) => void): Promise<void> {
  const endpoint = config.bareMetal?.bootServer.endpoint;
  if (endpoint === undefined) return;
  const left: string[] = [];
  for (const machine of config.bareMetal?.machines ?? []) {
    for (const url of machineUrls(endpoint, machine.mac)) {
      const answer = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await answer.body?.cancel();
      if (answer.status !== 404) left.push(`${machine.name}: GET ${url} answered ${answer.status}, not 404`);
    }
  }
  if (left.length > 0) {
    throw new InstallError(`the boot server still serves the cluster's machines after destroy:\n${left.join('\n')}`, {
      machines: left.length,
    });
  }
  progress(
    `the boot server at ${endpoint} knows none of the cluster's ${config.bareMetal?.machines.length ?? 0} machines`,
  );
}
