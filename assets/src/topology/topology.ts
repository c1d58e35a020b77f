/**
 * Which machines a cluster has, what they are called, and how they reach each
 * other — derived once from the cluster config so that the PKI, the static
 * pods, the manifests and Ignition all agree.
 */
export type Platform = 'local' | 'bare-metal' | 'aws' | 'gcp' | 'azure';

export interface Taint {
  readonly key: string;
  readonly value?: string | undefined;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** The slice of the cluster config that decides the topology. */
export interface TopologyInput {
  readonly name: string;
  readonly baseDomain: string;
  readonly apiDnsName?: string | undefined;
  readonly platform: Platform;
  readonly local?: { readonly apiServerPort?: number | undefined } | undefined;
  readonly bareMetal?:
    | {
        readonly machines: readonly {
          readonly name: string;
          readonly mac: string;
          readonly domain: string;
          readonly role: 'controller' | 'worker';
          readonly pool?: string | undefined;
        }[];
      }
    | undefined;
  readonly controllers: { readonly count: number };
  readonly workerPools: readonly {
    readonly name: string;
    readonly count: number;
    readonly labels?: Readonly<Record<string, string>> | undefined;
    readonly taints?: readonly Taint[] | undefined;
    /** Flatcar's GROUP= for this pool's machines. */
    readonly updateGroup?: string | undefined;
  }[];
}

export interface ControllerNode {
  readonly role: 'controller';
  readonly name: string;
  readonly index: number;
  /** Known at render time only on the local platform (loopback aliases) and bare metal (DNS). */
  readonly address?: string;
  /** How etcd peers and kube-apiserver reach this member: an IP or a DNS name. */
  readonly etcdHost: string;
  /** Where this controller's kube-apiserver listens and its own components reach it. */
  readonly apiServerUrl: string;
  /** Addresses components bind to on this controller (loopback alias on local, all interfaces elsewhere). */
  readonly bindAddress: string;
  readonly mac?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/**
 * A worker Ignition target: one machine (local, bare metal) or one pool whose
 * machines share a config and get their hostname from the cloud (aws, gcp, azure).
 */
export interface WorkerNode {
  readonly role: 'worker';
  readonly name: string;
  readonly pool: string;
  /** True when `name` is a pool template rather than a single machine. */
  readonly sharedByPool: boolean;
  readonly address?: string;
  readonly mac?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

export interface ClusterTopology {
  readonly clusterName: string;
  readonly platform: Platform;
  readonly apiDnsName: string;
  /** What admins and kubelets use to reach the API. */
  readonly apiServerUrl: string;
  readonly apiServerPort: number;
  readonly controllers: readonly ControllerNode[];
  readonly workers: readonly WorkerNode[];
}

export const DEFAULT_API_SERVER_PORT = 6443;
const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
// Kubelets may only set labels outside node-role.kubernetes.io (NodeRestriction); Typhoon uses the same.
const CONTROLLER_LABELS = { 'node.kubernetes.io/controller': 'true' };

/** Local controllers live on loopback aliases 127.0.0.2, .3, .4, …; 127.0.0.1 stays free for the user. */
export function localControllerAddress(index: number): string {
  return `127.0.0.${index + 2}`;
}

function workerLabels(pool: string, labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { 'node.strata.dev/pool': pool, ...labels };
}

export function clusterTopology(input: TopologyInput): ClusterTopology {
  const apiDnsName = input.apiDnsName ?? `api.${input.name}.${input.baseDomain}`;
  const port =
    input.platform === 'local' ? (input.local?.apiServerPort ?? DEFAULT_API_SERVER_PORT) : DEFAULT_API_SERVER_PORT;
  const pools = new Map(input.workerPools.map((pool) => [pool.name, pool]));

  if (input.platform === 'local') {
    const controllers = Array.from({ length: input.controllers.count }, (_, index): ControllerNode => {
      const address = localControllerAddress(index);
      return {
        role: 'controller',
        name: `${input.name}-controller-${index}`,
        index,
        address,
        etcdHost: address,
        apiServerUrl: `https://${address}:${port}`,
        bindAddress: address,
        labels: CONTROLLER_LABELS,
        taints: [CONTROL_PLANE_TAINT],
      };
    });
    const workers = input.workerPools.flatMap((pool) =>
      Array.from({ length: pool.count }, (_, index): WorkerNode => ({
        role: 'worker',
        name: `${input.name}-${pool.name}-${index}`,
        pool: pool.name,
        sharedByPool: false,
        labels: workerLabels(pool.name, pool.labels),
        taints: pool.taints ?? [],
      })),
    );
    // Nothing resolves the API DNS name on one machine: clients use the first controller.
    return {
      clusterName: input.name,
      platform: input.platform,
      apiDnsName,
      apiServerUrl: controllers[0]?.apiServerUrl ?? `https://${localControllerAddress(0)}:${port}`,
      apiServerPort: port,
      controllers,
      workers,
    };
  }

  if (input.platform === 'bare-metal') {
    const machines = input.bareMetal?.machines ?? [];
    const controllers = machines
      .filter((machine) => machine.role === 'controller')
      .map((machine, index): ControllerNode => ({
        role: 'controller',
        name: machine.name,
        index,
        etcdHost: machine.domain,
        apiServerUrl: `https://127.0.0.1:${port}`,
        bindAddress: '0.0.0.0',
        mac: machine.mac,
        labels: CONTROLLER_LABELS,
        taints: [CONTROL_PLANE_TAINT],
      }));
    const workers = machines
      .filter((machine) => machine.role === 'worker')
      .map((machine): WorkerNode => {
        const pool = machine.pool ?? 'worker';
        return {
          role: 'worker',
          name: machine.name,
          pool,
          sharedByPool: false,
          mac: machine.mac,
          labels: workerLabels(pool, pools.get(pool)?.labels),
          taints: pools.get(pool)?.taints ?? [],
        };
      });
    return {
      clusterName: input.name,
      platform: input.platform,
      apiDnsName,
      apiServerUrl: `https://${apiDnsName}:${port}`,
      apiServerPort: port,
      controllers,
      workers,
    };
  }

  // Clouds: controllers are individual instances with DNS records for etcd
  // (as Typhoon does); workers are instance groups sharing one config per pool.
  const controllers = Array.from({ length: input.controllers.count }, (_, index): ControllerNode => ({
    role: 'controller',
    name: `${input.name}-controller-${index}`,
    index,
    etcdHost: `${input.name}-etcd${index}.${input.baseDomain}`,
    apiServerUrl: `https://127.0.0.1:${port}`,
    bindAddress: '0.0.0.0',
    labels: CONTROLLER_LABELS,
    taints: [CONTROL_PLANE_TAINT],
  }));
  const workers = input.workerPools.map((pool): WorkerNode => ({
    role: 'worker',
    name: `${input.name}-${pool.name}`,
    pool: pool.name,
    sharedByPool: true,
    labels: workerLabels(pool.name, pool.labels),
    taints: pool.taints ?? [],
  }));
  return {
    clusterName: input.name,
    platform: input.platform,
    apiDnsName,
    apiServerUrl: `https://${apiDnsName}:${port}`,
    apiServerPort: port,
    controllers,
    workers,
  };
}
