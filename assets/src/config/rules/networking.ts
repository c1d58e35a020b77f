import {
  ADDRESS_BITS,
  formatCidr,
  freeRange,
  networkOfInterface,
  overlaps,
  parseCidr,
  splitCidrList,
  widen,
  type Cidr,
  type IpFamily,
} from '../../net/cidr.ts';
import type { Finding } from '../issue.ts';
import type { FieldPath } from '../path.ts';
import type { ConfigReader } from '../reader.ts';
import { bareMetalSchema, clusterConfigFieldsSchema, controllersSchema, networkingSchema } from '../schema.ts';
import { effectiveWorkerPools } from '../worker-pools.ts';
import { readPlatform } from './platform.ts';
import { plural, type Rule } from './rule.ts';
import { describeFamilies, minimumMtu, NODE_POD_SUBNET_PREFIX } from '../network-ranges.ts';

export { NODE_POD_SUBNET_PREFIX };

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

/** The installer's machine shares a network with the nodes only on these platforms; a cloud's VPC is a world of its own. */
const HOST_NETWORK_PLATFORMS: ReadonlySet<string> = new Set(['local', 'bare-metal']);

type RangeKey = 'podCidr' | 'serviceCidr';

/** The ranges of the field, one per IP family; empty when the field is invalid (the schema reports that). */
function readRanges(config: ConfigReader, key: RangeKey): NamedRange[] {
  const path = ['networking', key];
  const text = config.get(path, networkingSchema.shape[key]);
  if (text === undefined) return [];
  // A list is reported at its entries; a string, even a comma-separated one, at the field.
  const written = config.length(path) > 0;
  return splitCidrList(text).flatMap((entry, index) => {
    const parsed = parseCidr(entry);
    return parsed.ok
      ? [{ cidr: parsed.cidr, label: `networking.${key} (${entry})`, path: written ? [...path, index] : path }]
      : [];
  });
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
  pods: readonly NamedRange[],
  services: readonly NamedRange[],
  hostNetworks: readonly NamedRange[],
): Finding[] {
  const ranges = [...pods, ...services];
  const everything = [...ranges, ...hostNetworks, ...RESERVED];
  const takenBy = (own: NamedRange) => everything.filter((range) => range !== own);
  const findings: Finding[] = [];
  for (const pod of pods) {
    for (const service of services) {
      if (overlaps(pod.cidr, service.cidr)) {
        // Reported once, on the range the file sets, so that it points at what was written.
        const [own, other] =
          config.has(['networking', 'serviceCidr']) || !config.has(['networking', 'podCidr'])
            ? [service, pod]
            : [pod, service];
        findings.push(overlapFinding(own, other, takenBy(own)));
      }
    }
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

const families = (ranges: readonly NamedRange[]): IpFamily[] => ranges.map((range) => range.cidr.family);

/**
 * Pods and services must have the same IP families in the same order: kube-apiserver and kube-controller-manager
 * refuse to start otherwise, and the first family is the primary one of every Service and Pod.
 */
function familyFindings(config: ConfigReader, pods: readonly NamedRange[], services: readonly NamedRange[]): Finding[] {
  const podFamilies = families(pods);
  const serviceFamilies = families(services);
  if (pods.length === 0 || services.length === 0 || podFamilies.join() === serviceFamilies.join()) {
    return [];
  }
  const sameFamilies =
    podFamilies.length === serviceFamilies.length && podFamilies.every((family) => serviceFamilies.includes(family));
  return [
    {
      path: ['networking', 'serviceCidr'],
      message: sameFamilies
        ? `lists IPv${serviceFamilies.join(' then IPv')}, but networking.podCidr lists IPv${podFamilies.join(' then IPv')}: the first (primary) IP family must be the same`
        : `is ${describeFamilies(serviceFamilies)}, but networking.podCidr is ${describeFamilies(podFamilies)}`,
      hint: sameFamilies
        ? 'list the ranges of both fields in the same order of IP families'
        : 'give both fields the same IP families: one range of one family, or for dual-stack one of each, e.g. podCidr: [10.2.0.0/16, fd00:10:2::/56] with serviceCidr: [10.3.0.0/16, fd00:10:3::/112]',
      value: config.get(['networking', 'serviceCidr'], networkingSchema.shape.serviceCidr) ?? '',
      anchor: ['networking'],
    },
  ];
}

/** IPv6 needs links of at least 1280 bytes; the pods' VXLAN link is the node MTU less flannel's overhead. */
function mtuFindings(config: ConfigReader, pods: readonly NamedRange[]): Finding[] {
  const mtu = config.get(['networking', 'mtu'], networkingSchema.shape.mtu);
  const minimum = minimumMtu(families(pods));
  if (mtu === undefined || mtu >= minimum) {
    return [];
  }
  return [
    {
      path: ['networking', 'mtu'],
      message: `is ${mtu}, but a pod network with IPv6 needs at least ${minimum}: IPv6 requires links of 1280 bytes, and flannel's VXLAN takes up to 70 bytes of each packet`,
      hint: `use ${minimum} or more, or remove networking.mtu to use the MTU of the nodes' interface`,
      value: String(mtu),
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

/** Each pod range must hold one node subnet per node. */
function capacityFindings(config: ConfigReader, pod: NamedRange, nodes: number | undefined): Finding[] {
  if (nodes === undefined) {
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
      path: pod.path ?? ['networking', 'podCidr'],
      message: `has room for ${plural(capacity, 'node')} (each gets a /${perNode}), but the cluster has ${plural(nodes, 'node')}`,
      hint: `use a larger range, e.g. "${formatCidr(widen(pod.cidr, needed))}"`,
      value: formatCidr(pod.cidr),
      anchor: ['networking'],
    },
  ];
}

/**
 * Pod and service ranges must be routable: distinct from each other, from the host's networks and from reserved
 * ranges; of the same IP families; and the MTU must suit them.
 */
export const networkingRule: Rule = (config, context) => {
  const pods = readRanges(config, 'podCidr');
  const services = readRanges(config, 'serviceCidr');
  const platform = readPlatform(config);
  const hostNetworks =
    platform !== undefined && HOST_NETWORK_PLATFORMS.has(platform)
      ? context.hostNetworks
          .filter((network) => !RESERVED.some((reserved) => overlaps(reserved.cidr, network)))
          .map((cidr) => ({ cidr, label: `${formatCidr(cidr)}, a network of this machine` }))
      : [];
  return [
    ...familyFindings(config, pods, services),
    ...overlapFindings(config, pods, services, hostNetworks),
    ...pods.flatMap((pod) => capacityFindings(config, pod, nodeCount(config))),
    ...mtuFindings(config, pods),
  ];
};
