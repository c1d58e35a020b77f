// Every name the GCP program gives a resource, computed in one place so that
// each respects its kind's length and character rules. Compute Engine names
// are RFC 1035 labels of at most 63 characters; service account IDs 6 to 30;
// bucket names are global, so they carry a hash of the project as well.
import { createHash } from 'node:crypto';
import type { ClusterConfig } from '@strata/assets';
import { clusterTopology } from '@strata/assets';
import { GcpPlatformError } from './errors.ts';

export interface NameRule {
  readonly pattern: RegExp;
  readonly max: number;
  readonly min: number;
}

const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The rules of each kind of name the program sets. */
export const GCP_NAME_RULES = {
  /** Networks, subnetworks, firewalls, addresses, instances, groups, health checks, backend services, routers. */
  compute: { pattern: RFC1035, min: 1, max: 63 },
  /** An instance group manager appends "-xxxx" to its base instance name. */
  baseInstanceName: { pattern: RFC1035, min: 1, max: 58 },
  /** The provider appends a 26-character suffix to an instance template's prefix; longer prefixes get a shorter one. */
  namePrefix: { pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?-$/, min: 2, max: 37 },
  serviceAccountId: { pattern: /^[a-z]([-a-z0-9]*[a-z0-9])$/, min: 6, max: 30 },
  /** Bucket names may also hold "_" and "."; these never do, and never hold "google". */
  bucket: { pattern: /^(?!goog)(?!.*google)[a-z0-9][-a-z0-9]*[a-z0-9]$/, min: 3, max: 63 },
  /** Room for the "-" that ends a template's name prefix. */
  templatePrefixBase: { pattern: RFC1035, min: 1, max: 36 },
  networkTag: { pattern: RFC1035, min: 1, max: 63 },
  labelKey: { pattern: /^[a-z][-_a-z0-9]*$/, min: 1, max: 63 },
  labelValue: { pattern: /^[-_a-z0-9]*$/, min: 0, max: 63 },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof GCP_NAME_RULES;

export function satisfiesRule(kind: NameKind, name: string): boolean {
  const rule: NameRule = GCP_NAME_RULES[kind];
  return name.length >= rule.min && name.length <= rule.max && rule.pattern.test(name);
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `parts` joined by "-", or, when that is too long, its start and a hash of
 * the whole, so that two long names that share a start still differ.
 */
export function fitName(kind: NameKind, ...parts: string[]): string {
  const rule: NameRule = GCP_NAME_RULES[kind];
  const full = parts.join('-');
  const name =
    full.length <= rule.max ? full : `${full.slice(0, rule.max - 9).replace(/-+$/, '')}-${shortHash(full, 8)}`;
  if (!satisfiesRule(kind, name)) {
    throw new GcpPlatformError(`cannot make a valid ${kind} name from "${full}": got "${name}"`, { kind, name: full });
  }
  return name;
}

function exactName(kind: NameKind, name: string): string {
  if (!satisfiesRule(kind, name)) {
    throw new GcpPlatformError(`"${name}" is not a valid ${kind} name on Google Cloud`, { kind, name });
  }
  return name;
}

export interface ControllerNames {
  /** The instance's name, which is also its hostname and its Kubernetes node name. */
  readonly instance: string;
  readonly serviceAccountId: string;
  /** The object in the Ignition bucket holding its full config. */
  readonly ignitionObject: string;
}

export interface WorkerPoolNames {
  readonly pool: string;
  /** The Ignition target, the worker group's node name in the stack outputs. */
  readonly target: string;
  readonly templatePrefix: string;
  readonly groupManager: string;
  readonly baseInstanceName: string;
}

export interface GcpResourceNames {
  readonly network: string;
  readonly subnetwork: string;
  readonly router: string;
  readonly nat: string;
  readonly firewall: {
    readonly apiServer: string;
    readonly etcd: string;
    readonly updateServer: string;
    readonly ssh: string;
    readonly nodes: string;
  };
  readonly apiAddress: string;
  readonly apiHealthCheck: string;
  readonly apiBackendService: string;
  readonly apiForwardingRule: string;
  /** The unmanaged instance group of the controllers in `zone`. */
  readonly controllerGroup: (zone: string) => string;
  readonly ignitionBucket: string;
  readonly workerServiceAccountId: string;
  readonly tags: { readonly controller: string; readonly worker: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly controllers: readonly ControllerNames[];
  readonly workerPools: readonly WorkerPoolNames[];
}

/** The key of the label every labelled resource carries, whose value is the cluster's name. */
export const CLUSTER_LABEL = 'strata-cluster';

/** The names of every resource of the cluster `config` describes (a gcp config: `config.gcp` set). */
export function gcpResourceNames(config: ClusterConfig): GcpResourceNames {
  if (config.gcp === undefined) {
    throw new GcpPlatformError('the cluster config has no gcp section', { field: 'gcp', platform: config.platform });
  }
  const cluster = config.name;
  // Instance names are the nodes' hostnames and Kubernetes names, so they
  // cannot be altered to fit; Compute Engine wants them to start with a letter.
  if (!/^[a-z]/.test(cluster)) {
    throw new GcpPlatformError(
      `cluster name "${cluster}" starts with a digit; Compute Engine names, and so the nodes' names, must start with a letter`,
      { field: 'name', value: cluster },
    );
  }
  const topology = clusterTopology(config);
  const bucket = `strata-${cluster}-${shortHash(`${config.gcp.project}/${cluster}`, 8)}`;
  return {
    network: fitName('compute', cluster),
    subnetwork: fitName('compute', cluster, 'nodes'),
    router: fitName('compute', cluster, 'router'),
    nat: fitName('compute', cluster, 'nat'),
    firewall: {
      apiServer: fitName('compute', cluster, 'apiserver'),
      etcd: fitName('compute', cluster, 'etcd'),
      updateServer: fitName('compute', cluster, 'update-server'),
      ssh: fitName('compute', cluster, 'ssh'),
      nodes: fitName('compute', cluster, 'nodes'),
    },
    apiAddress: fitName('compute', cluster, 'apiserver'),
    apiHealthCheck: fitName('compute', cluster, 'apiserver'),
    apiBackendService: fitName('compute', cluster, 'apiserver'),
    apiForwardingRule: fitName('compute', cluster, 'apiserver'),
    controllerGroup: (zone) => fitName('compute', cluster, 'controllers', zone),
    ignitionBucket: satisfiesRule('bucket', bucket)
      ? bucket
      : `strata-${shortHash(`${config.gcp.project}/${cluster}`, 16)}`,
    workerServiceAccountId: fitName('serviceAccountId', cluster, 'worker'),
    tags: {
      controller: fitName('networkTag', cluster, 'controller'),
      worker: fitName('networkTag', cluster, 'worker'),
    },
    labels: { [CLUSTER_LABEL]: cluster },
    controllers: topology.controllers.map((controller) => ({
      instance: exactName('compute', controller.name),
      serviceAccountId: fitName('serviceAccountId', cluster, `c${controller.index}`),
      ignitionObject: `${controller.name}.ign`,
    })),
    workerPools: topology.workers.map((worker) => ({
      pool: worker.pool,
      target: worker.name,
      templatePrefix: `${fitName('templatePrefixBase', worker.name)}-`,
      groupManager: fitName('compute', worker.name),
      baseInstanceName: fitName('baseInstanceName', worker.name),
    })),
  };
}
