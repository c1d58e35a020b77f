// The TLS material of one EtcdCluster. Automatic: a CA per cluster (created once, kept in a Secret only the operator
// reads), its certificate in a ConfigMap the member pods trust, a client certificate for applications and the
// operator, and the member service account the signer signs for. The user's secrets: read as given.
import type {
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  RbacAuthorizationV1Api,
  V1Secret,
} from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import { StrataError, type EtcdCluster } from '@strata/api';
import { CertificateAuthority, toPemPair } from '@strata/assets';
import { applyManifestObject, isAlreadyExists, isNotFound, kubernetesApiError } from '@strata/kube';
import { readSecretKeys } from '../backup/open-store.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import { setMemberSubject } from './member-binding.ts';
import { renewalDue } from './renewal.ts';
import { memberLabels, ownerOf } from '../pods/member-pod.ts';
import { caConfigMapName, caSecretName, clientSecretName, memberServiceAccount, TLS_FILES } from './names.ts';

const FIELD_MANAGER = 'strata-etcd-operator';
const CA_VALIDITY_DAYS = 3650;

/** A TLS Secret that lacks a field, or whose contents cannot be used. */
export class ClusterTlsError extends StrataError {}

const fieldOf = (secret: V1Secret, field: string): string | undefined => {
  const value = secret.data?.[field];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
};

/** A kubernetes.io/tls Secret with ca.crt as a client's credentials; a missing field is named, never a value. */
export async function readClientTls(core: CoreV1Api, namespace: string, name: string): Promise<EtcdClientTls> {
  const fields = await readSecretKeys(core, namespace, name, ['ca.crt', 'tls.crt', 'tls.key']);
  return { ca: fields['ca.crt'] ?? '', cert: fields['tls.crt'] ?? '', key: fields['tls.key'] ?? '' };
}

/** The client credentials the operator uses for `cluster`: its automatic client Secret, or the user's. */
export function clientSecretOf(cluster: EtcdCluster): string | undefined {
  const tls = cluster.spec.tls;
  if (tls.disabled !== undefined) return undefined;
  return tls.secrets?.clientSecret ?? clientSecretName(cluster.metadata.name);
}

/** Creates `secret` unless one of its name exists; either way returns the one that is there. */
async function createOrRead(core: CoreV1Api, secret: V1Secret): Promise<V1Secret> {
  const namespace = secret.metadata?.namespace ?? '';
  const name = secret.metadata?.name ?? '';
  try {
    return await core.createNamespacedSecret({ namespace, body: secret });
  } catch (error) {
    if (!isAlreadyExists(error))
      throw kubernetesApiError({ verb: 'create', resource: 'secrets', namespace, name }, error);
  }
  try {
    return await core.readNamespacedSecret({ namespace, name });
  } catch (error) {
    throw kubernetesApiError({ verb: 'get', resource: 'secrets', namespace, name }, error);
  }
}

async function readIfThere(core: CoreV1Api, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await core.readNamespacedSecret({ namespace, name });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw kubernetesApiError({ verb: 'get', resource: 'secrets', namespace, name }, error);
  }
}

const tlsSecret = (cluster: EtcdCluster, name: string, data: Record<string, string>): V1Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/tls',
  metadata: {
    name,
    namespace: cluster.metadata.namespace ?? '',
    labels: memberLabels(cluster.metadata.name),
    ownerReferences: [ownerOf(cluster)],
  },
  data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
});

/** The cluster's CA: read from its Secret, or made and stored there the first time. */
export async function ensureClusterCa(core: CoreV1Api, cluster: EtcdCluster): Promise<CertificateAuthority> {
  const namespace = cluster.metadata.namespace ?? '';
  const name = caSecretName(cluster.metadata.name);
  let secret = await readIfThere(core, namespace, name);
  if (secret === undefined) {
    const ca = await CertificateAuthority.create({
      commonName: `etcd-ca ${namespace}/${cluster.metadata.name}`,
      validityDays: CA_VALIDITY_DAYS,
    });
    const pem = await toPemPair(ca);
    // Two replicas racing: the Secret that won is the CA, whichever made it.
    secret = await createOrRead(
      core,
      tlsSecret(cluster, name, { 'tls.crt': pem.certificatePem, 'tls.key': pem.privateKeyPem }),
    );
  }
  const certificatePem = fieldOf(secret, 'tls.crt');
  const privateKeyPem = fieldOf(secret, 'tls.key');
  if (certificatePem === undefined || privateKeyPem === undefined) {
    throw new ClusterTlsError(`Secret ${namespace}/${name} has no tls.crt and tls.key`, { namespace, name });
  }
  try {
    return await CertificateAuthority.fromPem({ certificatePem, privateKeyPem });
  } catch (error) {
    throw new ClusterTlsError(`Secret ${namespace}/${name} holds no usable CA`, { namespace, name }, { cause: error });
  }
}

export interface AutomaticTls {
  readonly ca: CertificateAuthority;
  readonly caPem: string;
  /** The operator's own client credentials (those of the client Secret). */
  readonly client: EtcdClientTls;
  /** When the client Secret's certificate expires. */
  readonly clientNotAfter: Date;
  /** This call reissued the client Secret's certificate (it was due for renewal): the previous one's expiry. */
  readonly renewedFrom?: Date;
}

/**
 * Everything automatic TLS needs before a member pod exists: the CA, its ConfigMap, the client Secret, and the
 * member service account, a subject of the member binding. Idempotent; each pass may call it.
 */
export async function ensureAutomaticTls(
  kubeConfig: KubeConfig,
  core: CoreV1Api,
  rbac: RbacAuthorizationV1Api,
  cluster: EtcdCluster,
  validitySeconds: number,
  now: Date = new Date(),
): Promise<AutomaticTls> {
  const namespace = cluster.metadata.namespace ?? '';
  const clusterName = cluster.metadata.name;
  const ca = await ensureClusterCa(core, cluster);
  const caPem = ca.certificate.toString('pem') + '\n';
  const labels = memberLabels(clusterName);
  const owned = { namespace, labels, ownerReferences: [ownerOf(cluster)] };
  const apply = async (object: KubernetesObject, resource: string): Promise<void> => {
    try {
      await applyManifestObject(kubeConfig, object, FIELD_MANAGER);
    } catch (error) {
      throw kubernetesApiError(
        { verb: 'apply', resource, namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' },
        error,
      );
    }
  };
  await apply(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: caConfigMapName(clusterName), ...owned },
      data: { [TLS_FILES.ca]: caPem },
    } as KubernetesObject,
    'configmaps',
  );
  await apply(
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: memberServiceAccount(clusterName), ...owned },
      automountServiceAccountToken: false,
    } as KubernetesObject,
    'serviceaccounts',
  );
  await setMemberSubject(rbac, { namespace, account: memberServiceAccount(clusterName) }, true);
  const clientName = clientSecretName(clusterName);
  const issueClient = async (): Promise<Record<string, string>> => {
    const issued = await ca.issue({
      commonName: `${clusterName}-client`,
      profile: 'client',
      validityDays: 1,
      validitySeconds,
    });
    const pem = await toPemPair(issued);
    return { 'ca.crt': caPem, 'tls.crt': pem.certificatePem, 'tls.key': pem.privateKeyPem };
  };
  let existing = await readIfThere(core, namespace, clientName);
  existing ??= await createOrRead(core, tlsSecret(cluster, clientName, await issueClient()));
  const notAfter = notAfterOf(existing, namespace, clientName);
  if (!renewalDue(notAfter, validitySeconds, now)) {
    return { ca, caPem, client: await readClientTls(core, namespace, clientName), clientNotAfter: notAfter };
  }
  // Renewed in place, at the resourceVersion read: a replica that lost the race gets a 409 and reads the winner's on
  // its next pass. The CA stays, so that members and applications go on trusting both certificates meanwhile.
  const renewed = tlsSecret(cluster, clientName, await issueClient());
  try {
    await core.replaceNamespacedSecret({
      namespace,
      name: clientName,
      body: { ...renewed, metadata: { ...renewed.metadata, resourceVersion: existing.metadata?.resourceVersion } },
    });
  } catch (error) {
    throw kubernetesApiError({ verb: 'update', resource: 'secrets', namespace, name: clientName }, error);
  }
  const client = await readClientTls(core, namespace, clientName);
  return { ca, caPem, client, clientNotAfter: new X509Certificate(client.cert).validToDate, renewedFrom: notAfter };
}

/** When the certificate of a TLS Secret expires. */
function notAfterOf(secret: V1Secret, namespace: string, name: string): Date {
  const pem = fieldOf(secret, 'tls.crt');
  if (pem === undefined) throw new ClusterTlsError(`Secret ${namespace}/${name} has no tls.crt`, { namespace, name });
  try {
    return new X509Certificate(pem).validToDate;
  } catch (error) {
    throw new ClusterTlsError(
      `Secret ${namespace}/${name} holds no readable certificate`,
      { namespace, name },
      { cause: error },
    );
  }
}
