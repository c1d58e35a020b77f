// Conversions between matchbox's model and the objects the Kubernetes store
// keeps. Profiles and groups are custom resources (structured data the API
// server validates and kubectl shows); templates are ConfigMaps, because a
// template is opaque text (up to ConfigMap's 1 MiB) that no schema can check
// and that `kubectl create configmap --from-file` already knows how to make.
import { createHash } from 'node:crypto';
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import type { z } from 'zod';
import { groupSchema, profileSchema, TEMPLATE_KINDS, type Group, type Profile, type TemplateKind } from '@strata/api';
import { InvalidWriteError, jsonDepth, MAX_METADATA_DEPTH } from '@strata/api';
import { BOOT_API_GROUP_VERSION, MACHINE_GROUP, MACHINE_PROFILE, TEMPLATE_KIND_LABEL } from '@strata/api';

export interface MachineProfileObject extends KubernetesObject {
  spec?: Omit<Profile, 'id'>;
}

export interface MachineGroupObject extends KubernetesObject {
  spec?: Omit<Group, 'id'>;
}

/** Kubernetes object names are DNS subdomains: lower case, digits, "-" and ".", at most 253 characters. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** ConfigMap keys: letters, digits, "-", "_" and ".", at most 253 characters. */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** Refuses an id that cannot be a Kubernetes object name, saying why and how to fix it. */
export function assertObjectName(id: string, what: 'profile' | 'group'): void {
  if (id.length <= 253 && DNS_SUBDOMAIN.test(id)) return;
  throw new InvalidWriteError(
    `${what} id ${JSON.stringify(id)} cannot be stored in Kubernetes: ids there are resource names (at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit); rename it, e.g. ${JSON.stringify(suggestObjectName(id))}`,
    { field: 'id', id },
  );
}

function suggestObjectName(id: string): string {
  return (
    id
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
      .slice(0, 253) || 'name'
  );
}

export function assertTemplateKey(name: string): void {
  if (name.length <= 253 && CONFIG_MAP_KEY.test(name) && name !== '.' && name !== '..') return;
  throw new InvalidWriteError(
    `template name ${JSON.stringify(name)} cannot be stored in Kubernetes: template names there are ConfigMap keys (at most 253 letters, digits, "-", "_" and "."); rename it`,
    { field: 'name', name },
  );
}

export function toMachineProfile(profile: Profile, namespace: string): MachineProfileObject {
  const { id, ...spec } = profile;
  return { apiVersion: BOOT_API_GROUP_VERSION, kind: MACHINE_PROFILE.kind, metadata: { name: id, namespace }, spec };
}

export function toMachineGroup(group: Group, namespace: string): MachineGroupObject {
  const { id, ...spec } = group;
  return { apiVersion: BOOT_API_GROUP_VERSION, kind: MACHINE_GROUP.kind, metadata: { name: id, namespace }, spec };
}

export type Converted<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

function convert<T>(schema: z.ZodType<T>, object: KubernetesObject & { spec?: unknown }): Converted<T> {
  const spec = typeof object.spec === 'object' && object.spec !== null ? object.spec : {};
  const result = schema.safeParse({ ...spec, id: object.metadata?.name });
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problem: result.error.issues.map((issue) => `${issue.path.join('.') || 'spec'}: ${issue.message}`).join('; '),
  };
}

export const fromMachineProfile = (object: MachineProfileObject): Converted<Profile> => convert(profileSchema, object);

/** A group whose metadata nests too deeply (made with kubectl, say) is reported, as the data directory reports it. */
export function fromMachineGroup(object: MachineGroupObject): Converted<Group> {
  const converted = convert(groupSchema, object);
  if (converted.ok && jsonDepth(converted.value.metadata) > MAX_METADATA_DEPTH)
    return { ok: false, problem: `metadata: nests deeper than ${MAX_METADATA_DEPTH} levels` };
  return converted;
}

/** Refuses a group whose metadata nests deeper than the other stores accept: the read side walks it recursively. */
export function assertMetadataDepth(group: Group): void {
  if (jsonDepth(group.metadata) <= MAX_METADATA_DEPTH) return;
  throw new InvalidWriteError(`group ${group.id}: metadata nests deeper than ${MAX_METADATA_DEPTH} levels`, {
    field: 'metadata',
    id: group.id,
  });
}

export type WritableTemplateKind = Exclude<TemplateKind, 'cloud'>;

/**
 * The ConfigMap the write API creates for a template: readable in kubectl
 * (kind and name first), and unique per name (a hash of the exact name, so
 * "Worker.ign" and "worker.ign" never share one).
 */
export function templateConfigMapName(kind: WritableTemplateKind, name: string): string {
  const readable = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(`${kind}/${name}`).digest('hex').slice(0, 10);
  return [kind, readable, hash].filter((part) => part.length > 0).join('-');
}

export function toTemplateConfigMap(
  kind: WritableTemplateKind,
  name: string,
  content: string,
  namespace: string,
  configMapName: string,
): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMapName, namespace, labels: { [TEMPLATE_KIND_LABEL]: kind } },
    data: { [name]: content },
  };
}

/** The template kind a ConfigMap's label names, or undefined for a value that is not a kind. */
export function templateKindOf(configMap: V1ConfigMap): TemplateKind | undefined {
  const value = configMap.metadata?.labels?.[TEMPLATE_KIND_LABEL];
  return TEMPLATE_KINDS.find((kind) => kind === value);
}
