// Any custom resource, as the signed-in user: the served CRDs they may list, one CRD found by the group and plural a
// route names (only a served CRD is ever listed or read: a route cannot reach anything else), its objects as rows of
// printer-column cells, and its objects as targets of the shared YAML edit and delete (custom-resource-route.ts).
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { isNotFound, kubernetesApiError } from '@strata/kube';
import { evaluatePrinterColumn, type CrdInfo, type CustomRow } from '../shared/custom-resources.ts';
import { CLUSTER_SCOPE, namespaceSegmentSchema, objectNameSchema } from '../shared/workloads.ts';
import type { ObjectRef } from './workload-object.ts';

/** The CRD as the pages use it, or undefined when it serves no storage version (nothing the console can list). */
export function crdInfoOf(crd: V1CustomResourceDefinition): CrdInfo | undefined {
  const version = crd.spec.versions.find((candidate) => candidate.storage && candidate.served);
  if (version === undefined) return undefined;
  return {
    group: crd.spec.group,
    plural: crd.spec.names.plural,
    kind: crd.spec.names.kind,
    version: version.name,
    namespaced: crd.spec.scope === 'Namespaced',
    printerColumns: (version.additionalPrinterColumns ?? []).map((column) => ({
      name: column.name,
      type: column.type,
      jsonPath: column.jsonPath,
    })),
  };
}

/** The served CRDs the user may list, by group then plural. A refusal is the API server's error, thrown. */
export async function listCrds(kubeConfig: KubeConfig): Promise<CrdInfo[]> {
  try {
    const list = await kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    return list.items
      .map(crdInfoOf)
      .filter((info) => info !== undefined)
      .sort((a, b) => a.group.localeCompare(b.group) || a.plural.localeCompare(b.plural));
  } catch (error) {
    throw kubernetesApiError({ verb: 'list', resource: 'customresourcedefinitions.apiextensions.k8s.io' }, error);
  }
}

/**
 * The served CRD of `group` and `plural` (its name is `plural.group`), read as the user; undefined when there is no
 * such CRD or it serves nothing. The group and plural have been checked to be a subdomain and a label (parseCrdSegments).
 */
export async function findCrd(kubeConfig: KubeConfig, group: string, plural: string): Promise<CrdInfo | undefined> {
  try {
    const crd = await kubeConfig
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: `${plural}.${group}` });
    const info = crdInfoOf(crd);
    return info?.group === group && info.plural === plural ? info : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw kubernetesApiError(
      { verb: 'get', resource: 'customresourcedefinitions.apiextensions.k8s.io', name: `${plural}.${group}` },
      error,
    );
  }
}

/** An object of `crd` as a row: its printer columns evaluated (an empty cell where a path gives nothing). */
export function customRowOf(crd: CrdInfo, object: unknown): CustomRow {
  const metadata = (object as { metadata?: { namespace?: string; name?: string; creationTimestamp?: unknown } })
    .metadata;
  const created = metadata?.creationTimestamp;
  return {
    namespace: metadata?.namespace ?? '',
    name: metadata?.name ?? '',
    cells: crd.printerColumns.map((column) => evaluatePrinterColumn(object, column.jsonPath)),
    created: typeof created === 'string' ? created : created instanceof Date ? created.toISOString() : '',
  };
}

/** The objects of `crd` in every namespace, as the user. */
export async function listCustomRows(kubeConfig: KubeConfig, crd: CrdInfo): Promise<CustomRow[]> {
  try {
    const list: unknown = await kubeConfig.makeApiClient(CustomObjectsApi).listClusterCustomObject({
      group: crd.group,
      version: crd.version,
      plural: crd.plural,
    });
    const items = (list as { items?: unknown[] }).items ?? [];
    return items
      .map((item) => customRowOf(crd, item))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  } catch (error) {
    throw kubernetesApiError({ verb: 'list', resource: `${crd.plural}.${crd.group}` }, error);
  }
}

/** An object of `crd` named by a route's namespace (CLUSTER_SCOPE exactly when cluster-scoped) and name, or why not. */
export function customTarget(crd: CrdInfo, namespaceSegment: string, nameSegment: string): ObjectRef | string {
  const namespace = namespaceSegmentSchema.safeParse(namespaceSegment);
  const name = objectNameSchema.safeParse(nameSegment);
  if (!namespace.success || !name.success) return 'not a namespace and object name';
  if (crd.namespaced === (namespace.data === CLUSTER_SCOPE))
    return crd.namespaced ? `${crd.plural} are namespaced` : `${crd.plural} are not namespaced: use ${CLUSTER_SCOPE}`;
  return {
    apiVersion: `${crd.group}/${crd.version}`,
    kind: crd.kind,
    resource: `${crd.plural}.${crd.group}`,
    namespace: crd.namespaced ? namespace.data : '',
    name: name.data,
  };
}
