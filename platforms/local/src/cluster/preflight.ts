import { createServer } from 'node:net';
import { StrataError } from '@strata/api';
import {
  LOCAL_PAYLOAD_PORT,
  parseCidr,
  splitCidrList,
  UPDATE_SERVER_PORTS,
  type ClusterConfig,
  type ClusterTopology,
} from '@strata/assets';

export class PreflightError extends StrataError {}

const DEFAULT_RANGES = { podCidr: '10.2.0.0/16', serviceCidr: '10.3.0.0/16' } as const;

/**
 * The local platform is IPv4 only: its control plane and simulated nodes live on 127.0.0.x loopback addresses,
 * which have no IPv6 counterpart to give nodes an address of each family. Refuses IPv6 and dual-stack ranges,
 * naming the field and the fix.
 */
export function checkIpv4Only(networking: Pick<ClusterConfig['networking'], 'podCidr' | 'serviceCidr'>): void {
  const problems = (['podCidr', 'serviceCidr'] as const).flatMap((field) => {
    const entries = splitCidrList(networking[field]);
    const ipv6 = entries.filter((entry) => {
      const parsed = parseCidr(entry);
      return parsed.ok && parsed.cidr.family === 6;
    });
    if (ipv6.length === 0) return [];
    const ipv4 = entries.find((entry) => !ipv6.includes(entry));
    const kind = entries.length > 1 ? 'dual-stack' : 'IPv6';
    return [
      `  networking.${field} is ${kind} (${entries.join(', ')}); use one IPv4 range, e.g. ${field}: ${ipv4 ?? DEFAULT_RANGES[field]}`,
    ];
  });
  if (problems.length > 0) {
    throw new PreflightError(
      `The local platform runs IPv4 clusters only (its nodes live on this machine's 127.0.0.x loopback addresses):\n${problems.join('\n')}\nIPv6 and dual-stack configs are for aws, gcp, azure and bare-metal (strata render writes their assets).`,
      { podCidr: networking.podCidr, serviceCidr: networking.serviceCidr },
    );
  }
}

/** Every port the local control plane binds, per controller address. */
export function controlPlanePorts(topology: ClusterTopology): { host: string; port: number; what: string }[] {
  return topology.controllers.flatMap((controller, index) => {
    const host = controller.bindAddress;
    return [
      { host, port: 2379, what: `etcd client port of ${controller.name}` },
      { host, port: 2380, what: `etcd peer port of ${controller.name}` },
      { host, port: 2381, what: `etcd metrics port of ${controller.name}` },
      { host, port: topology.apiServerPort, what: `kube-apiserver of ${controller.name}` },
      { host, port: 10257, what: `kube-controller-manager of ${controller.name}` },
      { host, port: 10259, what: `kube-scheduler of ${controller.name}` },
      // The controller's simulated kubelet serves its API on the node's address (ADR 0063).
      { host: controller.address ?? host, port: 10250, what: `kubelet API of ${controller.name}` },
      // The update server's one replica runs on the first controller's host network (ADR 0048).
      ...(index === 0
        ? [
            { host, port: UPDATE_SERVER_PORTS.https, what: `the update server on ${controller.name}` },
            { host, port: LOCAL_PAYLOAD_PORT, what: `the simulated OS payloads on ${controller.name}` },
          ]
        : []),
    ];
  });
}

function probePort(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Checks, before anything starts, that every address:port the control plane
 * needs is free, and reports all that are not at once.
 */
export async function checkPortsFree(topology: ClusterTopology): Promise<void> {
  const taken: string[] = [];
  for (const { host, port, what } of controlPlanePorts(topology)) {
    const error = await probePort(host, port);
    if (error === undefined) continue;
    taken.push(
      error.code === 'EADDRINUSE'
        ? `  ${host}:${port} (${what}) is already in use; see what holds it with: ss -ltnp 'sport = :${port}'`
        : `  ${host}:${port} (${what}) cannot be bound: ${error.code ?? error.message}`,
    );
  }
  if (taken.length > 0) {
    throw new PreflightError(
      `The local control plane cannot start:\n${taken.join('\n')}\nStop what uses these ports (another local cluster: strata down --dir <its directory>), or set local.apiServerPort in cluster.yaml.`,
      { ports: taken },
    );
  }
}
