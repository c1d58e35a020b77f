// Typed fixtures for the console's browser tests: nodes as the API server stores them, and users with tokens of
// their own (service accounts, each with the RBAC the test gives it).
import {
  CoreV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubeConfig,
  type V1Node,
  type V1PolicyRule,
} from '@kubernetes/client-node';

export interface NodeFixture {
  readonly name: string;
  readonly roles?: readonly string[];
  readonly osImage?: string;
  readonly kubeletVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Where the node's kubelet API serves (its InternalIP and daemonEndpoints port), for pods/log. */
  readonly kubelet?: { readonly address: string; readonly port: number };
}

export const DEFAULT_OS_IMAGE = 'Flatcar Container Linux by Kinvolk 4081.2.0 (Oklo)';
export const DEFAULT_KUBELET = 'v1.35.0';

function nodeObject(fixture: NodeFixture): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: fixture.name,
      labels: {
        ...Object.fromEntries((fixture.roles ?? []).map((role) => [`node-role.kubernetes.io/${role}`, ''])),
        ...fixture.labels,
      },
      annotations: { ...fixture.annotations },
    },
  };
}

function readyCondition(status: 'True' | 'False', now: Date) {
  return {
    type: 'Ready',
    status,
    reason: status === 'True' ? 'KubeletReady' : 'KubeletNotReady',
    message: 'fixture',
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  };
}

/** Sets the node's Ready condition, as its kubelet would. */
export async function setNodeReady(admin: KubeConfig, name: string, status: 'True' | 'False'): Promise<void> {
  await admin
    .makeApiClient(CoreV1Api)
    .patchNodeStatus(
      { name, body: { status: { conditions: [readyCondition(status, new Date())] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
}

/** Creates the node and then its status (a create ignores the status of a Node). */
export async function createNode(admin: KubeConfig, fixture: NodeFixture): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNode({ body: nodeObject(fixture) });
  const now = new Date();
  await core.patchNodeStatus(
    {
      name: fixture.name,
      body: {
        status: {
          conditions: [readyCondition('True', now)],
          ...(fixture.kubelet === undefined
            ? {}
            : {
                addresses: [{ type: 'InternalIP', address: fixture.kubelet.address }],
                daemonEndpoints: { kubeletEndpoint: { Port: fixture.kubelet.port } },
              }),
          nodeInfo: {
            osImage: fixture.osImage ?? DEFAULT_OS_IMAGE,
            kubeletVersion: fixture.kubeletVersion ?? DEFAULT_KUBELET,
            architecture: 'amd64',
            bootID: 'fixture',
            containerRuntimeVersion: 'containerd://2.1.0',
            kernelVersion: '6.6.0',
            kubeProxyVersion: '',
            machineID: 'fixture',
            operatingSystem: 'linux',
            systemUUID: 'fixture',
          },
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** A merge patch of a node's metadata, as the update agent or an operator would make it. */
export async function patchNodeMetadata(
  admin: KubeConfig,
  name: string,
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
): Promise<void> {
  await admin
    .makeApiClient(CoreV1Api)
    .patchNode({ name, body: { metadata } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

export interface ConsoleUser {
  readonly username: string;
  readonly token: string;
}

/** A service account in `namespace` bound to a ClusterRole of `rules`, with a token of 10 minutes. */
export async function createUser(
  admin: KubeConfig,
  namespace: string,
  name: string,
  rules: readonly V1PolicyRule[],
): Promise<ConsoleUser> {
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const role = `${namespace}-${name}`;
  await rbac.createClusterRole({ body: { metadata: { name: role }, rules: [...rules] } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const answer = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const token = answer.status?.token;
  if (token === undefined) throw new Error(`the API server issued no token for ${namespace}/${name}`);
  return { username: `system:serviceaccount:${namespace}:${name}`, token };
}

export async function deleteUser(admin: KubeConfig, namespace: string, name: string): Promise<void> {
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.deleteClusterRoleBinding({ name: `${namespace}-${name}` });
  await rbac.deleteClusterRole({ name: `${namespace}-${name}` });
}

/** One merge patch of a node's metadata and cordon, as the update agent makes it when it starts or ends a reboot. */
export async function patchNodeAsAgent(
  admin: KubeConfig,
  name: string,
  change: {
    labels?: Record<string, string | null>;
    annotations?: Record<string, string | null>;
    unschedulable: boolean;
  },
): Promise<void> {
  const { unschedulable, ...metadata } = change;
  await admin
    .makeApiClient(CoreV1Api)
    .patchNode(
      { name, body: { metadata, spec: { unschedulable } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}
