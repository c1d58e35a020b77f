import { z } from 'zod';
import { MAX_REBOOT_WINDOWS } from '@strata/api';
import { KUBERNETES_VERSION } from '@strata/binaries';
import {
  AWS_REGION,
  AZURE_LOCATION,
  AZURE_ZONE,
  AZURE_RESOURCE_GROUP,
  checkName,
  GCP_PROJECT,
  GCP_REGION,
  MACHINE_TYPES,
} from './cloud.ts';
import { checkRangeList, POD_NETWORK_MTU, rangeEntries, type RangeKind } from './network-ranges.ts';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkFqdn,
  checkHostName,
  checkLabelKey,
  checkLabelValue,
  DNS_LABEL_PATTERN,
  DNS_SUBDOMAIN_PATTERN,
  LABEL_MAX,
  SUBDOMAIN_MAX,
} from './dns.ts';
import { uniqueItems, withCheck } from './field-check.ts';
import { MAC_PATTERN, parseMac } from './mac.ts';
import { checkPemCertificate } from './pem.ts';
import type { Problem } from './problem.ts';
import { checkSshPublicKey, SSH_KEY_PATTERN, SSH_KEY_TYPES } from './ssh-key.ts';
import {
  checkDuration,
  checkStartTime,
  checkTimeZone,
  DURATION_PATTERN,
  START_PATTERN,
  WEEKDAYS,
} from './update-window.ts';
import { effectiveWorkerPools } from './worker-pools.ts';
import { installSchema } from './install.ts';

export const API_VERSION = 'strata.dev/v1alpha1';
export const KIND = 'Cluster';

export const PLATFORMS = ['local', 'bare-metal', 'aws', 'gcp', 'azure'] as const;
export type Platform = (typeof PLATFORMS)[number];
/** The config key of each platform's own section. */
export const PLATFORM_SECTIONS = {
  local: 'local',
  'bare-metal': 'bareMetal',
  aws: 'aws',
  gcp: 'gcp',
  azure: 'azure',
} as const satisfies Record<Platform, string>;
export type PlatformSection = (typeof PLATFORM_SECTIONS)[Platform];

/** The Kubernetes releases this Strata can install: the one whose binaries it pins. */
export const SUPPORTED_KUBERNETES_VERSIONS = [KUBERNETES_VERSION] as const;
export const DEFAULT_KUBERNETES_VERSION = KUBERNETES_VERSION;

/**
 * `strata` is Strata's own node image (`@strata/node-image`): Debian's kernel and packages, the kubelet, containerd 2
 * and etcd in a read-only `/usr` with A and B slots, Ignition in the initramfs. It boots only from Strata's boot
 * server (bare metal and the machine lab): it has no cloud images.
 */
export const OPERATING_SYSTEMS = ['flatcar', 'fedora-coreos', 'strata'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];
const OS_CHANNEL_NAMES = ['stable', 'beta', 'alpha', 'testing', 'next'] as const;
export const OS_CHANNELS = {
  flatcar: ['stable', 'beta', 'alpha'],
  'fedora-coreos': ['stable', 'testing', 'next'],
  strata: ['stable'],
} as const satisfies Record<OperatingSystem, readonly (typeof OS_CHANNEL_NAMES)[number][]>;
/**
 * Release numbering: Flatcar "4230.2.3" (build.branch.patch), Fedora CoreOS "42.20250901.3.0"
 * (fedora.date.stream.revision), the node image "0.8.0" (major.minor.patch, its STRATA_NODE_IMAGE_VERSION).
 */
export const OS_VERSION_FORMATS = {
  flatcar: { pattern: /^\d+\.\d+\.\d+$/, example: '4230.2.3' },
  'fedora-coreos': { pattern: /^\d+\.\d{8}\.\d+\.\d+$/, example: '42.20250901.3.0' },
  strata: { pattern: /^\d+\.\d+\.\d+$/, example: '0.8.0' },
} as const satisfies Record<OperatingSystem, { pattern: RegExp; example: string }>;

/** etcd needs a majority of members to agree; an even count adds a machine without adding a failure it survives. */
export const CONTROLLER_COUNTS = [1, 3, 5] as const;

// Cloud resources get the cluster name plus suffixes such as "-controller-2"
// or "-workers-gpu"; 40 characters keeps those within the 63-character limits
// of GCP and Azure resource names.
export const MAX_CLUSTER_NAME_LENGTH = 40;

const GIB = 1024 ** 3;
// etcd's own default is 2 GiB, and Kubernetes fills that on busy clusters, so
// less is never useful. Above 8 GiB etcd warns at start-up: the whole database
// is memory-mapped, and defragmentation and snapshots slow down with its size.
export const ETCD_QUOTA_BACKEND_BYTES = { min: 2 * GIB, max: 8 * GIB, default: 2 * GIB } as const;

export { SERVICE_CIDR_HOST_BITS } from './network-ranges.ts';

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

const CA_VALIDITY_DAYS_MAX = 36_500;

// --- field types -------------------------------------------------------------

/**
 * Text checked by one of our format checks. `pattern` only documents the
 * format for editors, in the JSON Schema; the check decides and explains.
 */
function checkedString(check: (value: string) => Problem | undefined, pattern?: RegExp) {
  const schema = z.string().superRefine(withCheck(check));
  return pattern === undefined ? schema : schema.meta({ pattern: pattern.source });
}

const dnsLabel = checkedString((value) => checkDnsLabel(value), DNS_LABEL_PATTERN).meta({ maxLength: LABEL_MAX });
const dnsSubdomain = checkedString(checkDnsSubdomain, DNS_SUBDOMAIN_PATTERN).meta({ maxLength: SUBDOMAIN_MAX });
/** A DNS name that is also the host of URLs (https://<apiDnsName>:6443). */
const hostName = checkedString(checkHostName, DNS_SUBDOMAIN_PATTERN).meta({ maxLength: SUBDOMAIN_MAX });

/**
 * One range, or one per IP family for dual-stack: a list, or a string with the ranges separated by commas as
 * Kubernetes flags write them. The parsed value is always the comma-separated form, the form the flags take.
 */
function rangeList(kind: RangeKind, defaultRange: string) {
  return z
    .union([z.string(), z.array(z.string())], {
      error: 'must be a CIDR such as "10.2.0.0/16", or a list of one CIDR per IP family',
    })
    .default(defaultRange)
    .superRefine((value, ctx) => {
      const entries = rangeEntries(value);
      for (const problem of checkRangeList(entries, kind)) {
        const entry = problem.index === undefined ? undefined : entries[problem.index];
        // A list entry is reported at its index; an entry of a comma-separated string is named in the message.
        const inString = typeof value === 'string' && entries.length > 1 && entry !== undefined;
        ctx.addIssue({
          code: 'custom',
          message: inString ? `has "${entry}", which ${problem.message}` : problem.message,
          input: value,
          ...(Array.isArray(value) && problem.index !== undefined ? { path: [problem.index] } : {}),
          params: problem.hint === undefined ? {} : { hint: problem.hint },
        });
      }
    })
    .transform((value) => rangeEntries(value).join(','));
}

function checkHttpUrl(value: string): Problem | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { message: 'is not a URL', hint: 'e.g. "http://matchbox.example.com:8080"' };
  }
  return url.protocol === 'http:' || url.protocol === 'https:'
    ? undefined
    : {
        message: `must be an http or https URL, not ${url.protocol.slice(0, -1)}`,
        hint: 'start it with http:// or https://',
      };
}

const httpUrl = checkedString(checkHttpUrl).meta({ format: 'uri' });

/**
 * update_engine posts to SERVER= as written, so it must name the endpoint itself (ending in '/'); and HTTPS,
 * because the answer carries the sha256 the payload is verified against.
 */
function checkOmahaUrl(value: string): Problem | undefined {
  const hint = 'e.g. "https://updates.example.com/v1/update/"';
  if (!URL.canParse(value)) return { message: 'is not a URL', hint };
  const url = new URL(value);
  if (url.protocol !== 'https:')
    return {
      message: `must be an https URL, not ${url.protocol.slice(0, -1)}: the answer carries the payload's sha256`,
      hint,
    };
  if (url.search !== '' || url.hash !== '') return { message: 'must not have a query or fragment', hint };
  if (!url.pathname.endsWith('/')) return { message: "must end in '/': update_engine posts to it as written", hint };
  return undefined;
}

const omahaUrl = checkedString(checkOmahaUrl).meta({ format: 'uri', pattern: '^https://' });

/** What update_engine sends as `track`; quotes and spaces would break its unescaped XML. */
const updateGroupName = z
  .string()
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be letters, digits, ".", "_" or "-"' });

const mac = z
  .string()
  .transform((value, ctx) => {
    const result = parseMac(value);
    if (result.ok) {
      return result.mac;
    }
    ctx.addIssue({
      code: 'custom',
      message: result.problem.message,
      input: value,
      params: { hint: result.problem.hint },
    });
    return z.NEVER;
  })
  .meta({ pattern: MAC_PATTERN.source });

const labelKey = checkedString(checkLabelKey);
const labelValue = checkedString(checkLabelValue);

const PERCENTAGE = /^(100|[1-9]\d?)%$/;

function checkPercentage(value: string): Problem | undefined {
  return PERCENTAGE.test(value)
    ? undefined
    : { message: 'is not a percentage from 1% to 100%', hint: 'e.g. "10%", or a number of nodes such as 1' };
}

function checkKubernetesVersion(value: string): Problem | undefined {
  if ((SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(value)) {
    return undefined;
  }
  const withV = `v${value}`;
  return {
    message: `is not supported; this Strata release installs ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
    hint: (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(withV)
      ? `use "${withV}"`
      : `use ${DEFAULT_KUBERNETES_VERSION} or remove the field`,
  };
}

function checkControllerCount(value: number): Problem | undefined {
  return (CONTROLLER_COUNTS as readonly number[]).includes(value)
    ? undefined
    : {
        message: 'must be 1, 3 or 5',
        hint: 'every controller runs an etcd member, and etcd needs an odd number for quorum: 3 survives the loss of one controller, 5 of two',
      };
}

// --- sections ----------------------------------------------------------------

export const localSchema = z
  .strictObject({
    apiServerPort: z
      .int()
      .min(1)
      .max(65_535)
      .default(6443)
      .meta({ description: 'Port the local API server listens on.' }),
  })
  .meta({ description: 'Settings of the local platform (the cluster runs on this machine).' });

export const machineSchema = z.strictObject({
  name: dnsLabel.meta({ description: 'Machine name, a DNS-1123 label.', examples: ['node1'] }),
  mac: mac.meta({
    description: 'MAC address of the NIC the machine PXE-boots from; any common notation.',
    examples: ['52:54:00:a1:9c:ae'],
  }),
  domain: checkedString(checkFqdn).meta({
    description: 'Fully qualified domain name of the machine.',
    examples: ['node1.example.com'],
  }),
  role: z
    .enum(['controller', 'worker'])
    .meta({ description: 'controller (runs etcd and the control plane) or worker.' }),
  pool: dnsLabel
    .optional()
    .meta({ description: 'Worker pool of a worker machine; required for workers.', examples: ['worker'] }),
});

export const bareMetalSchema = z
  .strictObject({
    bootServer: z.strictObject({
      endpoint: httpUrl.meta({
        description: 'URL of the matchbox-compatible boot server.',
        examples: ['http://matchbox.example.com:8080'],
      }),
    }),
    machines: z
      .array(machineSchema)
      .meta({ description: 'Every machine of the cluster; worker pools are made of the workers that name them.' }),
  })
  .meta({ description: 'Settings of the bare-metal platform.' });

const zones = z
  .array(z.string().min(1))
  .min(1)
  .superRefine(uniqueItems())
  .meta({ description: 'Availability zones to spread machines across.' });

export const awsSchema = z
  .strictObject({
    region: checkedString(checkName(AWS_REGION), AWS_REGION.pattern).meta({
      description: 'AWS region.',
      examples: [AWS_REGION.example],
    }),
    zones: zones.meta({ examples: [['us-east-1a', 'us-east-1b', 'us-east-1c']] }),
    controllerType: checkedString(checkName(MACHINE_TYPES.aws), MACHINE_TYPES.aws.pattern).meta({
      description: 'EC2 instance type of the controllers.',
      examples: ['t3.medium'],
    }),
  })
  .meta({ description: 'Settings of the AWS platform.' });

export const gcpSchema = z
  .strictObject({
    project: checkedString(checkName(GCP_PROJECT), GCP_PROJECT.pattern).meta({
      description: 'Google Cloud project ID.',
      examples: [GCP_PROJECT.example],
    }),
    region: checkedString(checkName(GCP_REGION), GCP_REGION.pattern).meta({
      description: 'Google Cloud region.',
      examples: [GCP_REGION.example],
    }),
    zones: zones.meta({ examples: [['us-central1-a', 'us-central1-b']] }),
    controllerType: checkedString(checkName(MACHINE_TYPES.gcp), MACHINE_TYPES.gcp.pattern).meta({
      description: 'Machine type of the controllers.',
      examples: ['n2-standard-2'],
    }),
  })
  .meta({ description: 'Settings of the Google Cloud platform.' });

export const azureSchema = z
  .strictObject({
    location: checkedString(checkName(AZURE_LOCATION), AZURE_LOCATION.pattern).meta({
      description: 'Azure location.',
      examples: [AZURE_LOCATION.example],
    }),
    zones: z
      .array(checkedString(checkName(AZURE_ZONE), AZURE_ZONE.pattern))
      .min(1)
      .superRefine(uniqueItems())
      .optional()
      .meta({
        description:
          'Availability zones of the location to spread machines across, as Azure numbers them. Without it nothing is pinned to a zone.',
        examples: [['1', '2', '3']],
      }),
    resourceGroup: checkedString(checkName(AZURE_RESOURCE_GROUP)).meta({
      description: 'Resource group to create the cluster in.',
      examples: ['strata-demo'],
    }),
    controllerType: checkedString(checkName(MACHINE_TYPES.azure), MACHINE_TYPES.azure.pattern).meta({
      description: 'VM size of the controllers.',
      examples: ['Standard_D2as_v5'],
    }),
  })
  .meta({ description: 'Settings of the Azure platform.' });

/**
 * Butane files merged into a pool's Ignition, as Typhoon's snippets are. Paths are relative to the cluster.yaml
 * (`loadClusterConfig` makes them absolute); the files are read and translated when the cluster is rendered.
 */
const snippets = z
  .array(
    z
      .string()
      .min(1)
      .regex(/^[^\0]*$/, { error: 'must not contain a NUL character' }),
  )
  .superRefine(uniqueItems())
  .default([])
  .meta({
    description:
      "Butane files (variant flatcar or fcos, matching os.name) merged into this pool's Ignition, paths relative to the cluster.yaml. A snippet may add files, directories, links, users, groups, units, drop-ins and kernel arguments; it may not replace what Strata renders.",
    examples: [['snippets/ntp.yaml']],
  });

export const controllersSchema = z.strictObject({
  count: z
    .int()
    .superRefine(withCheck(checkControllerCount))
    .default(1)
    .meta({
      description: 'Number of controllers: 1, 3 or 5 (etcd needs an odd number).',
      enum: [...CONTROLLER_COUNTS],
    }),
  snippets,
});

export const taintSchema = z.strictObject({
  key: labelKey.meta({ examples: ['dedicated'] }),
  value: labelValue.optional().meta({ examples: ['gpu'] }),
  effect: z.enum(TAINT_EFFECTS),
});

export const workerPoolSchema = z.strictObject({
  name: dnsLabel.meta({ description: 'Pool name, a DNS-1123 label, unique.', examples: ['worker'] }),
  count: z
    .int()
    .min(0)
    .optional()
    .meta({ description: 'Number of workers. Default 1; on bare metal, the number of machines in the pool.' }),
  instanceType: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Machine type of the workers (clouds only).', examples: ['t3.large'] }),
  labels: z
    .record(labelKey, labelValue)
    .default({})
    .meta({ description: 'Kubernetes labels of the nodes.', examples: [{ 'node.strata.dev/pool': 'worker' }] }),
  taints: z.array(taintSchema).default([]).meta({ description: 'Kubernetes taints of the nodes.' }),
  updateGroup: updateGroupName.optional().meta({
    description: "Flatcar only: the update group (GROUP=) of this pool's machines; updates.group when unset.",
    examples: ['canary'],
  }),
  snippets,
});

export const osSchema = z.strictObject({
  name: z.enum(OPERATING_SYSTEMS).default('flatcar').meta({
    description:
      "Container Linux distribution: flatcar, fedora-coreos, or strata (Strata's own node image, bare metal only).",
  }),
  channel: z.enum(OS_CHANNEL_NAMES).default('stable').meta({
    description:
      'Release channel: stable, beta or alpha for Flatcar; stable, testing or next for Fedora CoreOS; stable for strata.',
  }),
  version: z.string().optional().meta({
    description:
      'Pin to this OS release (Flatcar 4230.2.3, Fedora CoreOS 42.20250901.3.0, strata 0.8.0); latest of the channel when unset (for strata, the node image this Strata builds).',
  }),
});

/** A registry as image references name it: a host, a port optional (`ghcr.io`, `registry.example.com:5000`). */
export const REGISTRY_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

function checkMirrorEndpoint(value: string): Problem | undefined {
  const hint = 'e.g. "https://mirror.example.com:5000"';
  if (!URL.canParse(value)) return { message: 'is not a URL', hint };
  const url = new URL(value);
  if (url.protocol !== 'https:')
    return { message: `must be an https URL, not ${url.protocol.slice(0, -1)}: images are pulled over TLS`, hint };
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return { message: 'must be https://host[:port] alone: no path, query, fragment or credentials', hint };
  return undefined;
}

export const registryMirrorSchema = z.strictObject({
  registries: z
    .array(
      z.string().regex(REGISTRY_NAME_PATTERN, {
        error: 'must be a registry host as image references name it, e.g. "ghcr.io" or "registry.example.com:5000"',
      }),
    )
    .min(1, { error: 'must name at least one registry' })
    .superRefine(uniqueItems())
    .meta({
      description:
        'The registries this mirror serves, as image references name them (ghcr.io, registry.k8s.io, quay.io; docker.io for Docker Hub).',
    }),
  endpoint: checkedString(checkMirrorEndpoint).meta({
    format: 'uri',
    description:
      "The mirror, https://host[:port]. containerd pulls those registries' images from it under the same repository paths, and from the registry itself only if the mirror fails.",
  }),
  caCertificate: checkedString(checkPemCertificate)
    .optional()
    .meta({ description: "PEM CA certificate that signed the mirror's; the machines' system trust when unset." }),
});

/** containerd reads one hosts.toml per registry: a registry under two mirrors would silently lose one. */
function registriesMirroredOnce(mirrors: readonly z.output<typeof registryMirrorSchema>[], ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  mirrors.forEach((mirror, index) => {
    mirror.registries.forEach((registry, position) => {
      const earlier = first.get(registry);
      if (earlier === undefined) {
        first.set(registry, index);
        return;
      }
      if (earlier === index) return;
      ctx.addIssue({
        code: 'custom',
        message: `is mirrored by registryMirrors[${earlier}] already`,
        path: [index, 'registries', position],
        input: registry,
        params: { hint: 'name each registry under one mirror' },
      });
    });
  });
}

/** sha512sum's output: what Ignition's `verification.hash` takes after "sha512-". */
export const SHA512_PATTERN = /^[0-9a-f]{128}$/;

export const kubernetesSysextSchema = z.strictObject({
  url: httpUrl.optional().meta({
    description:
      "Where nodes download the kubelet's system extension at first boot; Flatcar's extension server when unset. A mirror on your network works the same.",
  }),
  sha512: z
    .string()
    .regex(SHA512_PATTERN, { error: 'must be 128 lowercase hex digits, as `sha512sum` prints them' })
    .optional()
    .meta({
      description:
        'sha512 of the extension image; Ignition refuses an image that does not match. Required except on the local platform, unless allowUnverifiedDownloads is true. Get it with `curl -fsSL <url> | sha512sum` on a trusted network.',
    }),
});

export const networkingSchema = z.strictObject({
  cni: z.enum(['flannel']).default('flannel').meta({ description: 'Pod network plugin.' }),
  podCidr: rangeList('pod', '10.2.0.0/16').meta({
    description:
      'Range pod IPs come from; each node gets a /24 of it (a /64 for IPv6). For dual-stack, a list of one IPv4 and one IPv6 range (or "10.2.0.0/16,fd00:10:2::/56"); the first is the primary family, and serviceCidr must list the same families in the same order.',
    examples: ['10.2.0.0/16', ['10.2.0.0/16', 'fd00:10:2::/56']],
  }),
  serviceCidr: rangeList('service', '10.3.0.0/16').meta({
    description:
      'Range of service cluster IPs, a /12 to a /24 (IPv6: /108 to /120); the first address is the kubernetes Service, the tenth cluster DNS. For dual-stack, one range per IP family in the order of podCidr.',
    examples: ['10.3.0.0/16', ['10.3.0.0/16', 'fd00:10:3::/112']],
  }),
  clusterDomain: dnsSubdomain
    .default('cluster.local')
    .meta({ description: 'DNS domain of services inside the cluster.' }),
  mtu: z
    .int()
    .min(POD_NETWORK_MTU.min)
    .max(POD_NETWORK_MTU.max)
    .optional()
    .meta({
      description: `MTU of the nodes' network as flannel's VXLAN overlay sees it, ${POD_NETWORK_MTU.min} to ${POD_NETWORK_MTU.max} (at least ${POD_NETWORK_MTU.minWithIPv6} when the pod network has IPv6); detected from the host when unset.`,
    }),
});

export const updateWindowSchema = z.strictObject({
  days: z
    .array(z.enum(WEEKDAYS))
    .min(1)
    .superRefine(uniqueItems())
    .meta({ description: 'Days the window opens on.', examples: [['Mon', 'Tue']] }),
  start: checkedString(checkStartTime, START_PATTERN).meta({
    description: 'Local time the window opens, HH:MM.',
    examples: ['02:00'],
  }),
  duration: checkedString(checkDuration, DURATION_PATTERN).meta({
    description: 'How long the window stays open, 30m to 24h.',
    examples: ['3h', '1h30m'],
  }),
  timeZone: checkedString(checkTimeZone)
    .default('UTC')
    .meta({ description: 'IANA time zone of start.', examples: ['Europe/Berlin'] }),
});

export const updatesSchema = z.strictObject({
  rebootStrategy: z.enum(['operator', 'off']).default('operator').meta({
    description:
      'operator: the Strata update operator drains and reboots nodes to apply OS updates; off: nodes never reboot on their own.',
  }),
  maxUnavailable: z
    .union([z.int().min(1), checkedString(checkPercentage, PERCENTAGE)], {
      error: 'must be a number of nodes (1 or more) or a percentage like "10%"',
    })
    .default(1)
    .meta({ description: 'How many nodes may reboot at once: a count or a percentage of the nodes.' }),
  windows: z
    .array(updateWindowSchema)
    // The default UpdatePolicy the windows are rendered into holds at most this many.
    .max(MAX_REBOOT_WINDOWS)
    .default([])
    .meta({ description: 'When reboots may start; any time when empty.' }),
  server: omahaUrl.optional().meta({
    description:
      "Flatcar only: the Omaha update server machines ask (SERVER= in /etc/flatcar/update.conf), https and ending in /; the OS vendor's when unset.",
    examples: ['https://updates.example.com/v1/update/'],
  }),
  group: updateGroupName
    .optional()
    .meta({ description: 'Update group on the server (GROUP=); os.channel when unset.' }),
  fleetLock: z
    .strictObject({
      allowPlainHttp: z.boolean().default(false).meta({
        description:
          "Fedora CoreOS only: Zincati asks the update operator's FleetLock server over plain HTTP instead of HTTPS with the cluster CA's serving certificate. Off unless set: anyone on the path could read and forge the answers.",
      }),
    })
    .prefault({})
    .meta({ description: "How Zincati (Fedora CoreOS) reaches the update operator's FleetLock server." }),
});

export const proxySchema = z
  .strictObject({
    httpProxy: httpUrl.optional().meta({ examples: ['http://proxy.example.com:3128'] }),
    httpsProxy: httpUrl.optional().meta({ examples: ['http://proxy.example.com:3128'] }),
    noProxy: z
      .array(z.string().regex(/^[^\s,]+$/, { error: 'must be one host, domain or CIDR without spaces or commas' }))
      // Ignition refuses a config that lists one noProxy entry twice.
      .superRefine(uniqueItems())
      .optional()
      .meta({ description: 'Hosts, domains (".example.com") and CIDRs to reach directly.' }),
  })
  .meta({ description: 'HTTP proxy for the machines and the cluster.' });

export const etcdSchema = z.strictObject({
  quotaBackendBytes: z
    .int()
    .min(ETCD_QUOTA_BACKEND_BYTES.min, { error: 'must be at least 2 GiB (2147483648), the etcd default' })
    .max(ETCD_QUOTA_BACKEND_BYTES.max, {
      error: 'must be at most 8 GiB (8589934592), the largest size etcd recommends',
    })
    .default(ETCD_QUOTA_BACKEND_BYTES.default)
    .meta({ description: 'etcd database size limit in bytes, 2 GiB to 8 GiB.' }),
});

export const certificatesSchema = z.strictObject({
  caValidityDays: z
    .int()
    .min(1)
    .max(CA_VALIDITY_DAYS_MAX)
    .default(3650)
    .meta({ description: 'Lifetime of the cluster CAs in days.' }),
  validityDays: z
    .int()
    .min(1)
    .default(365)
    .meta({ description: 'Lifetime of the certificates the CAs issue, in days; less than caValidityDays.' }),
});

export const consoleSchema = z
  .strictObject({
    enabled: z
      .boolean({ error: 'must be true or false (false: the console is not deployed in the cluster)' })
      .default(true)
      .meta({
        description:
          "Deploy the web console in the cluster (one replica on the first controller's network, https://<its address>:30443, TLS from the cluster CA). false: not deployed; strata install then prints no console URL.",
      }),
  })
  .meta({ description: 'The web console the cluster serves (issue 16).' });

export const DEFAULT_JOIN_TOKEN_TTL_HOURS = 24;

export const joinSchema = z
  .strictObject({
    tokenTtlHours: z.int().min(1).max(720).default(DEFAULT_JOIN_TOKEN_TTL_HOURS).meta({
      description:
        "Hours each machine's bootstrap token is valid after a render; a render after that issues a new one. A machine must join within this time.",
    }),
  })
  .meta({ description: 'How machines join the cluster: one bootstrap token per machine, deleted once it has joined.' });

// --- the whole file --------------------------------------------------------------

export const clusterConfigFieldsSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  name: checkedString((value) => checkDnsLabel(value, MAX_CLUSTER_NAME_LENGTH), DNS_LABEL_PATTERN).meta({
    maxLength: MAX_CLUSTER_NAME_LENGTH,
    description: 'Cluster name, a DNS-1123 label of at most 40 characters.',
    examples: ['demo'],
  }),
  baseDomain: hostName.meta({
    description: 'DNS domain the names of the cluster live under.',
    examples: ['example.com'],
  }),
  apiDnsName: hostName
    .optional()
    .meta({ description: 'DNS name of the Kubernetes API; api.<name>.<baseDomain> when unset.' }),
  platform: z
    .enum(PLATFORMS)
    .meta({ description: 'Where the cluster runs; the section of the same name configures it.' }),
  local: localSchema.optional(),
  bareMetal: bareMetalSchema.optional(),
  aws: awsSchema.optional(),
  gcp: gcpSchema.optional(),
  azure: azureSchema.optional(),
  controllers: controllersSchema.prefault({}),
  workerPools: z.array(workerPoolSchema).optional().meta({
    description:
      'Worker pools. Default: one pool "worker" of 1 node; on bare metal, one pool per pool name of the machines.',
  }),
  os: osSchema.prefault({}),
  kubernetesVersion: checkedString(checkKubernetesVersion)
    .default(DEFAULT_KUBERNETES_VERSION)
    .meta({ description: 'Kubernetes version to install.', enum: [...SUPPORTED_KUBERNETES_VERSIONS] }),
  networking: networkingSchema.prefault({}),
  kubernetesSysext: kubernetesSysextSchema.prefault({}).meta({
    description: "The kubelet's systemd system extension, which every node downloads at first boot.",
  }),
  allowUnverifiedDownloads: z.boolean().default(false).meta({
    description:
      'Let nodes download files whose sha512 the config does not pin (the kubelet system extension). Off by default: an unpinned download lets whoever can alter it run code as root on every node.',
  }),
  sshAuthorizedKeys: z
    .array(checkedString(checkSshPublicKey, SSH_KEY_PATTERN))
    // Ignition refuses a user whose keys list one key twice.
    .superRefine(uniqueItems())
    .default([])
    .meta({
      description: `OpenSSH public keys allowed to log in as "core" (${SSH_KEY_TYPES.join(', ')}); at least one except on local.`,
    }),
  etcd: etcdSchema.prefault({}),
  updates: updatesSchema.prefault({}),
  proxy: proxySchema.optional(),
  trustedCaCertificates: z
    .array(checkedString(checkPemCertificate))
    // Ignition refuses the same CA twice, and a copy adds no trust.
    .superRefine(
      uniqueItems(
        (pem: string) => pem.trim(),
        () => 'the same certificate',
      ),
    )
    .default([])
    .meta({ description: 'Extra PEM CA certificates the machines trust, one certificate per entry.' }),
  registryMirrors: z.array(registryMirrorSchema).superRefine(registriesMirroredOnce).default([]).meta({
    description:
      "Registry mirrors every node's containerd pulls through (containerd's hosts.toml), e.g. one registry on an air-gapped network for ghcr.io, registry.k8s.io and quay.io.",
  }),
  certificates: certificatesSchema.prefault({}),
  join: joinSchema.prefault({}),
  console: consoleSchema.prefault({}),
  install: installSchema.optional(),
});

type ClusterConfigFields = z.output<typeof clusterConfigFieldsSchema>;

/** Fills the defaults that depend on other fields. */
function withDerivedDefaults(fields: ClusterConfigFields) {
  const local: Pick<ClusterConfigFields, 'local'> =
    fields.platform === 'local' ? { local: fields.local ?? localSchema.parse({}) } : {};
  return {
    ...fields,
    ...local,
    apiDnsName: fields.apiDnsName ?? `api.${fields.name}.${fields.baseDomain}`,
    workerPools: effectiveWorkerPools(fields.platform, fields.workerPools, fields.bareMetal?.machines),
    updates: { ...fields.updates, group: fields.updates.group ?? fields.os.channel },
  };
}

/**
 * The shape and per-field formats of cluster.yaml, with defaults. Rules that
 * relate fields to each other live in rules/ and run even when this schema
 * fails, so that one run reports everything; use `validateClusterConfig` or
 * `parseClusterConfig` rather than this schema alone.
 */
export const clusterConfigSchema = clusterConfigFieldsSchema.transform(withDerivedDefaults);

export type ClusterConfig = z.output<typeof clusterConfigSchema>;
/** What a cluster.yaml may contain before defaults are applied. */
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
export type WorkerPool = ClusterConfig['workerPools'][number];
export type Machine = z.output<typeof machineSchema>;
