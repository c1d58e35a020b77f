import { z } from 'zod';
import { checkLabelKey, checkLabelValue, type Problem } from '@strata/assets';
import { NodeSpecError } from './errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A zod string refined by one of the cluster config's format checks, with its message. */
const checkedString = (check: (value: string) => Problem | undefined) =>
  z.string().superRefine((value, context) => {
    const problem = check(value);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem.message });
  });

const labelKey = checkedString(checkLabelKey);
const labelValue = checkedString(checkLabelValue);

const nodeSpecSchema = z.strictObject({
  // The name is also the kubernetes.io/hostname label value, which may not exceed 63 characters.
  name: z
    .string()
    .max(63, 'must be at most 63 characters')
    .refine(
      (name) => name.split('.').every((part) => DNS_LABEL.test(part)),
      'must be a lower-case DNS name such as worker-0001',
    ),
  /** The node's InternalIP. */
  ip: z.ipv4({ message: 'must be an IPv4 address' }),
  /** Each becomes node-role.kubernetes.io/<role>="" (set with the fleet's admin credentials: a node may not). */
  roles: z.array(checkedString((role) => checkLabelKey(`node-role.kubernetes.io/${role}`))).default([]),
  labels: z.record(labelKey, labelValue).default({}),
  taints: z
    .array(
      z.strictObject({
        key: labelKey,
        value: labelValue.optional(),
        effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
      }),
    )
    .default([]),
  capacity: z
    .strictObject({
      cpuCores: z.number().int().positive().default(4),
      memoryMiB: z.number().int().min(512).default(8192),
      ephemeralStorageGiB: z.number().int().positive().default(50),
      pods: z.number().int().positive().default(110),
    })
    .prefault({}),
  architecture: z.enum(['amd64', 'arm64']).default('amd64'),
});

/** What a simulated node is: its name, address, roles, labels, taints and size. */
export type NodeSpec = z.input<typeof nodeSpecSchema>;
/** A NodeSpec with every default filled in. */
export type ResolvedNodeSpec = z.output<typeof nodeSpecSchema>;

export function parseNodeSpec(input: unknown): ResolvedNodeSpec {
  const result = nodeSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const name = typeof input === 'object' && input !== null && 'name' in input ? String(input.name) : '(unnamed)';
  throw new NodeSpecError(
    `node spec ${name}`,
    result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
  );
}

/**
 * n worker specs named <prefix>-0001 … with InternalIPs counted up from
 * 10.250.0.1 (a range nothing else on the machine uses; the addresses are
 * only ever reported, never bound).
 */
/** What 10.250.0.0/16 holds at 250 addresses per /24. */
const MAX_NUMBERED_NODES = 60_000;

export function numberedNodeSpecs(count: number, prefix: string): NodeSpec[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NUMBERED_NODES) {
    throw new NodeSpecError('node count', [
      `count: must be a whole number from 1 to ${MAX_NUMBERED_NODES}, got ${count}`,
    ]);
  }
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, index) => {
    const ordinal = index + 1;
    return {
      name: `${prefix}-${String(ordinal).padStart(width, '0')}`,
      ip: `10.250.${Math.floor(ordinal / 250)}.${(ordinal % 250) + 1}`,
      roles: ['worker'],
    };
  });
}

export const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';

// The labels NodeRestriction lets a kubelet set on its own Node (k8s.io/kubelet/pkg/apis: KubeletLabels, KubeletLabelNamespaces).
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const inNamespace = (namespace: string, domain: string): boolean =>
  namespace === domain || namespace.endsWith(`.${domain}`);

/** True if a kubelet may set this label on its own Node; the rest need an administrator, as kubeadm applies role labels. */
export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const slash = key.lastIndexOf('/');
  if (slash === -1) return true;
  const namespace = key.slice(0, slash);
  if (KUBELET_LABEL_NAMESPACES.some((allowed) => inNamespace(namespace, allowed))) return true;
  return !inNamespace(namespace, 'kubernetes.io') && !inNamespace(namespace, 'k8s.io');
}
