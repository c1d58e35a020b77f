import { z } from 'zod';
import { containsAddress, lastAddress, overlaps, parseAddress, parseCidr, splitCidrList } from '../net/cidr.ts';
import {
  checkRangeList,
  describeFamilies,
  minimumMtu,
  POD_NETWORK_MTU,
  rangeFamilies,
  type RangeKind,
} from '../config/network-ranges.ts';
import { joinGroupOf, StrataError, type JoinTarget } from '@strata/api';
import { defaultPolicySettingsSchema, updateReleaseSpecSchema, type DefaultPolicySettings } from '@strata/api';
import type { UpdateServerDefaults } from './update-server/defaults.ts';

export interface BootstrapTokenInput {
  readonly id: string;
  readonly secret: string;
  readonly expiration: string;
  readonly target: JoinTarget;
}

/** What the bootstrap manifests are rendered from; the validated cluster config maps onto it. */
export interface ManifestInputs {
  /** A DNS-1123 label; it names the cluster in the bootstrap token's description. */
  readonly clusterName: string;
  /** The Kubernetes release, e.g. 'v1.36.3': the kube-proxy image tag and the Pod Security Admission version. */
  readonly kubernetesVersion: string;
  /**
   * Pod network, e.g. 10.2.0.0/16, fd00:10:2::/56, or one range per IP family comma-separated for dual-stack
   * ("10.2.0.0/16,fd00:10:2::/56", the primary family first). kube-controller-manager must allocate node pod
   * CIDRs from the same ranges.
   */
  readonly podCidr: string;
  /**
   * Service network in the same form and with the same IP families in the same order as podCidr, e.g.
   * "10.3.0.0/16,fd00:10:3::/112"; must equal kube-apiserver's --service-cluster-ip-range.
   */
  readonly serviceCidr: string;
  /** e.g. cluster.local; must equal the kubelets' clusterDomain. */
  readonly clusterDomain: string;
  /**
   * The kube-dns Service's addresses, one inside each range of serviceCidr in its order, comma-separated, e.g.
   * 10.3.0.10 or "10.3.0.10,fd00:10:3::a"; must equal the kubelets' clusterDNS.
   */
  readonly dnsServiceIp: string;
  /**
   * MTU of the nodes' underlay interface as flannel's VXLAN backend sees it; pod interfaces get
   * 50 bytes less (70 over an IPv6 underlay). Omit it to let flannel read the interface's own MTU.
   */
  readonly mtu?: number;
  /** How node agents reach the API before cluster DNS/Service routing exists. */
  readonly apiServer: { readonly host: string; readonly port: number };
  /**
   * The kubelet TLS bootstrap tokens, one per machine (or per cloud pool sharing one config): id [a-z0-9]{6},
   * secret [a-z0-9]{16}, the RFC 3339 time after which the API server refuses it, and the machine or pool it was
   * issued for, which the join approver holds a CSR to.
   */
  readonly bootstrapTokens: readonly BootstrapTokenInput[];
  /**
   * The default UpdatePolicy's budget, windows and pause (from cluster.yaml's `updates`); when absent it selects
   * every node, reboots one at a time, at any hour.
   */
  readonly defaultUpdatePolicy?: DefaultPolicySettings;
  /**
   * The update operator's FleetLock serving certificate and key (PEM), carried in a Secret: with it the operator
   * serves FleetLock over HTTPS, without it over plain HTTP.
   */
  readonly fleetLockTls?: { readonly certPem: string; readonly keyPem: string };
  /**
   * Where the update server's one replica runs (a controller, by node name) and its serving certificate and key
   * (PEM) from the cluster CA. Without it only the update server's CRDs are rendered.
   */
  readonly updateServer?: {
    readonly nodeName: string;
    readonly tls: { readonly certPem: string; readonly keyPem: string };
    readonly storage?: string;
    /** The default channels, groups (the tracks the nodes' GROUP= names) and release; none rendered without it. */
    readonly defaults?: UpdateServerDefaults;
  };
  /**
   * The web console's one replica: the controller it runs on (by node name), its serving certificate and key (PEM)
   * from the cluster CA, and the key that seals its session cookies. Without it the console is not deployed.
   */
  readonly console?: {
    readonly nodeName: string;
    readonly tls: { readonly certPem: string; readonly keyPem: string };
    readonly sessionSecret: string;
  };
  /** Replacements for the pinned images, e.g. a mirror for an air-gapped install. */
  readonly images?: Partial<
    Record<
      | 'flannel'
      | 'flannelCniPlugin'
      | 'coredns'
      | 'kubeProxy'
      | 'updateOperator'
      | 'etcdOperator'
      | 'updateServer'
      | 'console',
      string
    >
  >;
}

export interface ManifestInputIssue {
  /** Dotted path of the offending field, e.g. 'apiServer.port'; '(root)' when the whole value is wrong. */
  readonly field: string;
  readonly message: string;
}

/** The inputs were refused; `field` names the first offending field and `issues` lists every problem. */
export class ManifestInputsError extends StrataError {
  readonly field: string;
  readonly issues: readonly ManifestInputIssue[];

  constructor(issues: readonly [ManifestInputIssue, ...ManifestInputIssue[]]) {
    const lines = issues.map((issue) => `  ${issue.field}: ${issue.message}`);
    super(`invalid manifest inputs:\n${lines.join('\n')}`, { field: issues[0].field, issues });
    this.field = issues[0].field;
    this.issues = issues;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// An image reference is passed to the container runtime verbatim, so only its outline is checked here.
const IMAGE_REFERENCE = /^[a-z0-9][A-Za-z0-9._\-/:@]*$/;

const imageSchema = z
  .string()
  .regex(IMAGE_REFERENCE, 'must be an image reference such as registry.example.com/flannel:v0.28.9');

const dnsSubdomainSchema = z
  .string()
  .max(253, 'must be at most 253 characters')
  .refine(
    (value) => value.split('.').every((label) => DNS_LABEL.test(label)),
    'must be a lower-case DNS name such as cluster.local',
  );

/**
 * Ranges as the cluster config allows them (one per IP family, network addresses: tools disagree on what
 * 10.2.0.1/16 means), checked by the config's own check so that what validates also renders.
 */
function rangeListSchema(kind: RangeKind) {
  return z.string().superRefine((value, context) => {
    for (const problem of checkRangeList(splitCidrList(value), kind)) {
      context.addIssue({ code: 'custom', message: `${problem.message}${problem.hint ? ` (${problem.hint})` : ''}` });
    }
  });
}

const addressListSchema = z
  .string()
  .refine(
    (value) => splitCidrList(value).every((entry) => parseAddress(entry) !== undefined),
    'must be IP addresses, one per service range, comma-separated, e.g. 10.3.0.10 or 10.3.0.10,fd00:10:3::a',
  );

const manifestInputsSchema = z
  .strictObject({
    clusterName: z
      .string()
      .regex(DNS_LABEL, 'must be a DNS-1123 label: lower-case letters, digits and "-", at most 63 characters'),
    kubernetesVersion: z
      .string()
      .regex(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'must be a Kubernetes release tag such as v1.36.3'),
    podCidr: rangeListSchema('pod'),
    serviceCidr: rangeListSchema('service'),
    clusterDomain: dnsSubdomainSchema,
    dnsServiceIp: addressListSchema,
    // The config's limits; the larger floor for IPv6 pod networks is checked below, with the pod ranges.
    mtu: z
      .int('must be an integer')
      .min(POD_NETWORK_MTU.min, `must be at least ${POD_NETWORK_MTU.min}`)
      .max(POD_NETWORK_MTU.max, `must be at most ${POD_NETWORK_MTU.max}`)
      .optional(),
    apiServer: z.strictObject({
      host: z.union([z.ipv4(), z.ipv6(), z.hostname()], 'must be an IP address or a DNS name'),
      port: z
        .int('must be an integer')
        .min(1, 'must be a TCP port (1-65535)')
        .max(65535, 'must be a TCP port (1-65535)'),
    }),
    bootstrapTokens: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z0-9]{6}$/, 'must be 6 characters of [a-z0-9]'),
          secret: z.string().regex(/^[a-z0-9]{16}$/, 'must be 16 characters of [a-z0-9]'),
          expiration: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time such as 2030-01-02T03:04:05Z' }),
          target: z
            .strictObject({ kind: z.enum(['node', 'pool']), name: z.string() })
            .refine(
              (target) => joinGroupOf(target) !== undefined,
              'must be a name the API server accepts in a bootstrap group (lower-case letters, digits and "-")',
            ),
        }),
      )
      .superRefine((tokens, context) => {
        const ids = tokens.map((token) => token.id);
        const twice = ids.filter((id, index) => ids.indexOf(id) !== index);
        if (twice.length > 0)
          context.addIssue({ code: 'custom', message: `token ids ${twice.join(', ')} are used twice` });
      }),
    defaultUpdatePolicy: defaultPolicySettingsSchema.optional(),
    fleetLockTls: z
      .strictObject({
        certPem: z.string().includes('-----BEGIN CERTIFICATE-----', 'must be a PEM certificate'),
        keyPem: z.string().includes('PRIVATE KEY-----', 'must be a PEM private key'),
      })
      .optional(),
    updateServer: z
      .strictObject({
        nodeName: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a node name'),
        tls: z.strictObject({
          certPem: z.string().includes('-----BEGIN CERTIFICATE-----', 'must be a PEM certificate'),
          keyPem: z.string().includes('PRIVATE KEY-----', 'must be a PEM private key'),
        }),
        storage: z
          .string()
          .regex(/^[1-9][0-9]*(Mi|Gi|Ti)$/, 'must be a size such as 1Gi')
          .optional(),
        defaults: z
          .strictObject({
            groups: z.array(
              z.strictObject({
                track: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be an update group name'),
                channel: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a channel name'),
              }),
            ),
            release: z
              .strictObject({
                ...updateReleaseSpecSchema.shape,
                simulatedPayloads: z
                  .url({ protocol: /^https?$/ })
                  .endsWith('/', 'must end in /')
                  .optional(),
              })
              .optional(),
          })
          .optional(),
      })
      .optional(),
    console: z
      .strictObject({
        nodeName: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a node name'),
        tls: z.strictObject({
          certPem: z.string().includes('-----BEGIN CERTIFICATE-----', 'must be a PEM certificate'),
          keyPem: z.string().includes('PRIVATE KEY-----', 'must be a PEM private key'),
        }),
        sessionSecret: z.string().min(32, 'must hold at least 32 characters (iron-session seals cookies with it)'),
      })
      .optional(),
    images: z
      .strictObject({
        flannel: imageSchema.optional(),
        flannelCniPlugin: imageSchema.optional(),
        coredns: imageSchema.optional(),
        kubeProxy: imageSchema.optional(),
        updateOperator: imageSchema.optional(),
        etcdOperator: imageSchema.optional(),
        updateServer: imageSchema.optional(),
        console: imageSchema.optional(),
      })
      .optional(),
  })
  .superRefine((inputs, context) => {
    // Cross-field rules only make sense once each field is well formed on its own.
    const pods = splitCidrList(inputs.podCidr).map((entry) => parseCidr(entry));
    const services = splitCidrList(inputs.serviceCidr).map((entry) => parseCidr(entry));
    const podFamilies = rangeFamilies(splitCidrList(inputs.podCidr));
    const serviceFamilies = rangeFamilies(splitCidrList(inputs.serviceCidr));
    if (podFamilies === undefined || serviceFamilies === undefined) return;
    if (podFamilies.join() !== serviceFamilies.join()) {
      context.addIssue({
        code: 'custom',
        path: ['serviceCidr'],
        message: `is ${describeFamilies(serviceFamilies)}, but podCidr is ${describeFamilies(podFamilies)}: both need the same IP families in the same order`,
      });
      return;
    }
    for (const pod of pods) {
      for (const service of services) {
        if (pod.ok && service.ok && overlaps(pod.cidr, service.cidr)) {
          context.addIssue({
            code: 'custom',
            path: ['podCidr'],
            message: `overlaps serviceCidr ${inputs.serviceCidr}`,
          });
        }
      }
    }
    const minimum = minimumMtu(podFamilies);
    if (inputs.mtu !== undefined && inputs.mtu < minimum) {
      context.addIssue({
        code: 'custom',
        path: ['mtu'],
        message: `must be at least ${minimum} with an IPv6 pod network (IPv6 links carry 1280 bytes, plus flannel's VXLAN overhead)`,
      });
    }
    const dnsEntries = splitCidrList(inputs.dnsServiceIp);
    if (dnsEntries.length !== services.length) {
      context.addIssue({
        code: 'custom',
        path: ['dnsServiceIp'],
        message: `must have one address per range of serviceCidr ${inputs.serviceCidr}`,
      });
      return;
    }
    dnsEntries.forEach((entry, index) => {
      const dns = parseAddress(entry);
      const service = services[index];
      if (dns === undefined || service === undefined || !service.ok) return;
      const range = service.cidr;
      if (!containsAddress(range, dns)) {
        context.addIssue({
          code: 'custom',
          path: ['dnsServiceIp'],
          message: `${entry} must lie inside ${splitCidrList(inputs.serviceCidr)[index] ?? ''}, the service range of its position`,
        });
      } else if (dns.value === range.network || dns.value === range.network + 1n || dns.value === lastAddress(range)) {
        // The first usable address belongs to the `kubernetes` Service.
        context.addIssue({
          code: 'custom',
          path: ['dnsServiceIp'],
          message: `must not be the network, broadcast or first address of serviceCidr ${inputs.serviceCidr}`,
        });
      }
    });
  });

/** Checks `value` against every rule; throws ManifestInputsError naming each offending field. */
export function parseManifestInputs(value: unknown): ManifestInputs {
  const result = manifestInputsSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) =>
    // A misspelt key is reported at the key itself, so that the field named is the one to fix.
    (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path]).map((path) => ({
      field: path.length === 0 ? '(root)' : path.map(String).join('.'),
      message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message,
    })),
  );
  const [first, ...rest] = issues;
  // zod reports at least one issue for every failure; the guard satisfies the type checker.
  throw new ManifestInputsError(first ? [first, ...rest] : [{ field: '(root)', message: 'invalid' }]);
}
