// The Workloads pages' kinds and rows, shared by the watch stream (which projects objects to rows) and the browser.
// One row shape for every kind: the table is the same, and what differs (ready counts, ports, an Event's message)
// is in `ready` and `detail`.
import { z } from 'zod';
import { dnsLabelSchema } from '@strata/api';

export const WORKLOAD_KINDS = [
  'namespaces',
  'pods',
  'deployments',
  'daemonsets',
  'statefulsets',
  'services',
  'events',
] as const;
export const workloadKindSchema = z.enum(WORKLOAD_KINDS);
export type WorkloadKind = z.infer<typeof workloadKindSchema>;

/** What the API calls each kind, and how the pages title it. */
export const WORKLOAD_INFO: Readonly<
  Record<
    WorkloadKind,
    {
      readonly title: string;
      readonly kind: string;
      readonly apiVersion: string;
      /** The API group for SelfSubjectAccessReviews ('' is the core group). */
      readonly group: string;
      readonly namespaced: boolean;
      /** Has a `scale` subresource the console offers. */
      readonly scalable: boolean;
    }
  >
> = {
  namespaces: {
    title: 'Namespaces',
    kind: 'Namespace',
    apiVersion: 'v1',
    group: '',
    namespaced: false,
    scalable: false,
  },
  pods: { title: 'Pods', kind: 'Pod', apiVersion: 'v1', group: '', namespaced: true, scalable: false },
  deployments: {
    title: 'Deployments',
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    group: 'apps',
    namespaced: true,
    scalable: true,
  },
  daemonsets: {
    title: 'DaemonSets',
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    group: 'apps',
    namespaced: true,
    scalable: false,
  },
  statefulsets: {
    title: 'StatefulSets',
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    group: 'apps',
    namespaced: true,
    scalable: true,
  },
  services: { title: 'Services', kind: 'Service', apiVersion: 'v1', group: '', namespaced: true, scalable: false },
  events: { title: 'Events', kind: 'Event', apiVersion: 'v1', group: '', namespaced: true, scalable: false },
};

/** The URL segment standing for "no namespace" (a Namespace's own page): no namespace can be named so. */
export const CLUSTER_SCOPE = '-';

/** An object's name as the routes accept it: a DNS subdomain (pods, Deployments, Events' generated names). */
export const objectNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'not an object name' });

/** A route's namespace segment: a namespace, or CLUSTER_SCOPE for a cluster-scoped kind. */
export const namespaceSegmentSchema = z.union([z.literal(CLUSTER_SCOPE), dnsLabelSchema]);

export const workloadRowSchema = z.strictObject({
  /** '' for a Namespace. */
  namespace: z.string(),
  name: z.string(),
  /** Phase, type, or what the controller reports. */
  status: z.string(),
  /** Ready out of desired, where the kind has replicas or containers; '' otherwise. */
  ready: z.string(),
  /** The kind's one other fact worth a column: images, ports, an Event's object and message. */
  detail: z.string(),
  labels: z.record(z.string(), z.string()),
  /** RFC 3339, '' when unknown. */
  created: z.string(),
});
export type WorkloadRow = z.infer<typeof workloadRowSchema>;

/** The scale form: a number of replicas. */
export const scaleRequestSchema = z.strictObject({ replicas: z.int().min(0).max(10_000) });
export type ScaleRequest = z.infer<typeof scaleRequestSchema>;

/** The most YAML an edit may send. */
export const MAX_YAML_BYTES = 256 * 1024;

/** The YAML edit: the text, and whether it is the server-side dry run or the real thing. */
export const yamlEditRequestSchema = z.strictObject({
  yaml: z.string().min(1).max(MAX_YAML_BYTES),
  dryRun: z.boolean(),
});
export type YamlEditRequest = z.infer<typeof yamlEditRequestSchema>;

export const yamlAnswerSchema = z.strictObject({ yaml: z.string(), resourceVersion: z.string() });
export type YamlAnswer = z.infer<typeof yamlAnswerSchema>;

/** The path of an object's route and page segment: kind, namespace (or CLUSTER_SCOPE), name. */
export const objectPath = (kind: WorkloadKind, namespace: string, name: string): string =>
  `${kind}/${encodeURIComponent(namespace === '' ? CLUSTER_SCOPE : namespace)}/${encodeURIComponent(name)}`;
