import {
  ADDRESS_BITS,
  formatCidr,
  freeRange,
  networkOfInterface,
  overlaps,
  parseCidr,
  widen,
  type Cidr,
} from '../../net/cidr.ts';
import type { Finding } from '../issue.ts';
import type { FieldPath } from '../path.ts';
import type { ConfigReader } from '../reader.ts';
import { bareMetalSchema, clusterConfigFieldsSchema, controllersSchema, networkingSchema } from '../schema.ts';
import { effectiveWorkerPools } from '../worker-pools.ts';
import { readPlatform } from './platform.ts';
import { plural, type Rule } from './rule.ts';

interface NamedRange {
  readonly cidr: Cidr;
  /** How messages refer to it. */
  readonly label: string;
  /** The config field it comes from; absent for ranges outside the config. */
  readonly path?: FieldPath;
}

function range(text: string, label: string): NamedRange {
  const cidr = networkOfInterface(text);
  if (cidr === undefined) {
    throw new TypeError(`not a CIDR: ${text}`);
  }
  return { cidr, label };
}

// Ranges with a fixed meaning on every host: pods or services there would be
// unreachable or would hijack traffic (169.254.169.254 is the cloud metadata service).
const RESERVED: readonly NamedRange[] = [
  range('0.0.0.0/8', '0.0.0.0/8, the "this network" range'),
  range('127.0.0.0/8', '127.0.0.0/8, the loopback range'),
  range('169.254.0.0/16', '169.254.0.0/16, the link-local range'),
  range('224.0.0.0/4', '224.0.0.0/4, the multicast range'),
  range('240.0.0.0/4', '240.0.0.0/4, the reserved range'),
  range('::1/128', '::1/128, the loopback address'),
  range('fe80::/10', 'fe80::/10, the link-local range'),
  range('ff00::/8', 'ff00::/8, the multicast range'),
];

/** flannel gives every node a subnet of this size from the pod range (its default SubnetLen). */
export const NODE_POD_SUBNET_PREFIX = { 4: 24, 6: 64 } as const;

/** The installer's machine shares a network with the nodes only on these platforms; a cloud's VPC is a world of its own. */
const HOST_NETWORK_PLATFORMS: ReadonlySet<string> = new Set(['local', 'bare-metal']);

function readRange(config: ConfigReader, key: 'podCidr' | 'serviceCidr'): NamedRange | undefined {
  const path = ['networking', key];
  const text = config.get(path, networkingSchema.shape[key]);
  const parsed = text === undefined ? undefined : parseCidr(text);
  return parsed?.ok === true ? { cidr: parsed.cidr, label: `networking.${key} (${text})`, path } : undefined;
}

function suggestionHint(own: NamedRange, taken: readonly NamedRange[]): string {
  const free = freeRange(
    own.cidr.family,
    own.cidr.prefix,
    taken.map((other) => other.cidr),
  );
  return free === undefined
    ? 'use a range that overlaps none of them'
    : `use a range that overlaps nothing else, e.g. "${formatCidr(free)}"`;
}

function overlapFinding(own: NamedRange, other: NamedRange, taken: readonly NamedRange[]): Finding {
  return {
    path: own.path ?? [],
    message: `overlaps ${other.label}`,
    hint: suggestionHint(own, taken),
    value: formatCidr(own.cidr),
    anchor: ['networking'],
  };
}

function overlapFindings(
  config: ConfigReader,
  pod: NamedRange | undefined,
  service: NamedRange | undefined,
  hostNetworks: readonly NamedRange[],
): Finding[] {
  const ranges = [pod, service].filter((range) => range !== undefined);
  const everything = [...ranges, ...hostNetworks, ...RESERVED];
  const takenBy = (own: NamedRange) => everything.filter((range) => range !== own);
  const findings: Finding[] = [];
  if (pod !== undefined && service !== undefined && overlaps(pod.cidr, service.cidr)) {
    // Reported once, on the range the file sets, so that it points at what was written.
    const [own, other] =
      config.has(['networking', 'serviceCidr']) || !config.has(['networking', 'podCidr'])
        ? [service, pod]
        : [pod, service];
    findings.push(overlapFinding(own, other, takenBy(own)));
  }
  for (const own of ranges) {
    for (const other of [...hostNetworks, ...RESERVED]) {
      if (overlaps(own.cidr, other.cidr)) {
        findings.push(overlapFinding(own, other, takenBy(own)));
      }
    }
  }
  return findings;
}

function familyFindings(pod: NamedRange | undefined, service: NamedRange | undefined): Finding[] {
  if (pod === undefined || service === undefined || pod.cidr.family === service.cidr.family) {
    return [];
  }
  return [
    {
      path: ['networking', 'serviceCidr'],
      message: `is IPv${service.cidr.family}, but networking.podCidr is IPv${pod.cidr.family}`,
      hint: 'Strata clusters are single-stack: use ranges of one IP family',
      value: formatCidr(service.cidr),
      anchor: ['networking'],
    },
  ];
}

function nodeCount(config: ConfigReader): number | undefined {
  const platform = readPlatform(config);
  const controllers = config.get(['controllers', 'count'], controllersSchema.shape.count);
  const pools = config.get(['workerPools'], clusterConfigFieldsSchema.shape.workerPools);
  const machines =
    platform === 'bare-metal' ? config.get(['bareMetal', 'machines'], bareMetalSchema.shape.machines) : [];
  if (
    platform === undefined ||
    controllers === undefined ||
    (pools === undefined && config.has(['workerPools'])) ||
    machines === undefined
  ) {
    return undefined;
  }
  return effectiveWorkerPools(platform, pools, machines).reduce((sum, pool) => sum + pool.count, controllers);
}

/** The pod range must hold one node subnet per node. */
function capacityFindings(config: ConfigReader, pod: NamedRange | undefined): Finding[] {
  const nodes = nodeCount(config);
  if (pod === undefined || nodes === undefined) {
    return [];
  }
  const { family, prefix } = pod.cidr;
  const perNode = NODE_POD_SUBNET_PREFIX[family];
  const capacity = prefix > perNode ? 0 : 2 ** (perNode - prefix);
  if (nodes <= capacity) {
    return [];
  }
  const needed = Math.max(0, Math.min(perNode - Math.ceil(Math.log2(nodes)), ADDRESS_BITS[family]));
  return [
    {
      path: ['networking', 'podCidr'],
      message: `has room for ${plural(capacity, 'node')} (each gets a /${perNode}), but the cluster has ${plural(nodes, 'node')}`,
      hint: `use a larger range, e.g. "${formatCidr(widen(pod.cidr, needed))}"`,
      value: formatCidr(pod.cidr),
      anchor: ['networking'],
    },
  ];
}

/** Pod and service ranges must be routable: distinct from each other, from the host's networks and from reserved ranges. */
export const networkingRule: Rule = (config, context) => {
  const pod = readRange(config, 'podCidr');
  const service = readRange(config, 'serviceCidr');
  const platform = readPlatform(config);
  const hostNetworks =
    platform !== undefined && HOST_NETWORK_PLATFORMS.has(platform)
      ? context.hostNetworks
          .filter((network) => !RESERVED.some((reserved) => overlaps(reserved.cidr, network)))
          .map((cidr) => ({ cidr, label: `${formatCidr(cidr)}, a network of this machine` }))
      : [];
  return [
    ...familyFindings(pod, service),
    ...overlapFindings(config, pod, service, hostNetworks),
    ...capacityFindings(config, pod),
  ];
};
