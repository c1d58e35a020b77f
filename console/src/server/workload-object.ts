// One Workloads object, as the signed-in user: the route's target (kind, namespace, name), its YAML, and the YAML
// edit's checks. The API server decides every change; the console refuses only what it can tell is wrong before
// asking (YAML that does not parse, an edit that would rename the object or has lost its resourceVersion).
import { dumpYaml, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { toClientModel } from '@strata/kube';
import { isMap, parseDocument } from 'yaml';
import {
  CLUSTER_SCOPE,
  namespaceSegmentSchema,
  objectNameSchema,
  WORKLOAD_INFO,
  workloadKindSchema,
  type WorkloadKind,
} from '../shared/workloads.ts';
import { RequestBodyError } from './answers.ts';

/** Who changed a field, as the API server's managedFields record it. */
export const FIELD_MANAGER = 'strata-console';

export interface WorkloadTarget {
  readonly kind: WorkloadKind;
  /** '' for a cluster-scoped kind (a Namespace). */
  readonly namespace: string;
  readonly name: string;
}

/**
 * The target named by a route's segments, or why not: the kind is one of the Workloads', the name an object's, and
 * the namespace segment is CLUSTER_SCOPE exactly for a cluster-scoped kind.
 */
export function parseTarget(params: {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}): WorkloadTarget | string {
  const kind = workloadKindSchema.safeParse(params.kind);
  if (!kind.success) return `not a Workloads kind: ${params.kind.slice(0, 40)}`;
  const namespace = namespaceSegmentSchema.safeParse(params.namespace);
  const name = objectNameSchema.safeParse(params.name);
  if (!namespace.success || !name.success) return 'not a namespace and object name';
  const namespaced = WORKLOAD_INFO[kind.data].namespaced;
  if (namespaced === (namespace.data === CLUSTER_SCOPE))
    return namespaced ? `${kind.data} are namespaced` : `${kind.data} are not namespaced: use ${CLUSTER_SCOPE}`;
  return { kind: kind.data, namespace: namespaced ? namespace.data : '', name: name.data };
}

/**
 * Any object the console edits, reads or deletes: a Workloads target, or (from the custom resource pages) the
 * apiVersion, kind and resource a served CRD gives.
 */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** As failure messages and RBAC name it: `plural` (core group) or `plural.group`. */
  readonly resource: string;
  /** '' for a cluster-scoped object. */
  readonly namespace: string;
  readonly name: string;
}

export type ObjectTarget = WorkloadTarget | ObjectRef;

export function refOf(target: ObjectTarget): ObjectRef {
  if ('apiVersion' in target) return target;
  const info = WORKLOAD_INFO[target.kind];
  return {
    apiVersion: info.apiVersion,
    kind: info.kind,
    resource: info.group === '' ? target.kind : `${target.kind}.${info.group}`,
    namespace: target.namespace,
    name: target.name,
  };
}

/** The API call a target's request makes, as failure messages name it. */
export const callOf = (verb: string, target: ObjectTarget) => {
  const ref = refOf(target);
  return {
    verb,
    resource: ref.resource,
    name: ref.name,
    ...(ref.namespace === '' ? {} : { namespace: ref.namespace }),
  };
};

export const headerOf = (target: ObjectTarget) => {
  const ref = refOf(target);
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace === '' ? {} : { namespace: ref.namespace }) },
  };
};

/** The object in its wire form as YAML, without managedFields (the API server's bookkeeping, not for editing). */
export function objectYaml(object: KubernetesObject): string {
  const copy = { ...object, metadata: { ...object.metadata } };
  delete copy.metadata.managedFields;
  return dumpYaml(copy);
}

export async function readObject(kubeConfig: KubeConfig, target: ObjectTarget): Promise<KubernetesObject> {
  return KubernetesObjectApi.makeApiClient(kubeConfig).read(headerOf(target));
}

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

/**
 * The edited YAML as the object to send: one YAML mapping whose apiVersion, kind, name and namespace are the
 * target's, with a resourceVersion (without one the API server would overwrite whatever changed meanwhile). A
 * refusal is a 400 saying which field and how.
 */
export function parseEdit(target: ObjectTarget, text: string): KubernetesObject {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problem = document.errors[0];
  if (problem !== undefined) throw new RequestBodyError(`the YAML does not parse: ${problem.message}`, 400);
  if (!isMap(document.contents)) throw new RequestBodyError('the YAML must be one mapping, the object', 400);
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  const object = value as { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown> | null };
  const expected = headerOf(target);
  const metadata = object.metadata ?? {};
  const changes: string[] = [];
  const compare = (field: string, was: string | undefined, now: unknown) => {
    if (now !== was) changes.push(`${field} was ${show(was)}, the edit has ${show(now)}`);
  };
  compare('apiVersion', expected.apiVersion, object.apiVersion);
  compare('kind', expected.kind, object.kind);
  compare('metadata.name', expected.metadata.name, metadata.name);
  compare('metadata.namespace', expected.metadata.namespace, metadata.namespace);
  if (changes.length > 0)
    throw new RequestBodyError(
      `an edit cannot change the object's kind, name or namespace: ${changes.join('; ')}`,
      400,
    );
  if (typeof metadata.resourceVersion !== 'string' || metadata.resourceVersion === '')
    throw new RequestBodyError(
      'metadata.resourceVersion is missing: an edit applies to the version it was made from, so that a change made meanwhile is not overwritten',
      400,
    );
  return toClientModel(value as KubernetesObject);
}

/** A replace (PUT) of the edited object: with `dryRun`, the API server validates it, admits it and stores nothing. */
export async function replaceObject(
  kubeConfig: KubeConfig,
  object: KubernetesObject,
  dryRun: boolean,
): Promise<KubernetesObject> {
  return KubernetesObjectApi.makeApiClient(kubeConfig).replace(
    object,
    undefined,
    dryRun ? 'All' : undefined,
    FIELD_MANAGER,
  );
}
