import { join } from 'node:path';
import {
  APISERVER_KUBELET_CLIENT,
  CertificateAuthority,
  generateServiceAccountKeyPair,
  nthAddresses,
  readPemPair,
  toPemPair,
  writeKubeconfig,
  writePemPair,
  type PemPair,
  type PemPairPaths,
} from '@strata/assets';
import { SECRET_FILE_MODE, PUBLIC_FILE_MODE, writeFileAtomic } from '@strata/host';

export const CLUSTER_NAME = 'strata-harness';

/** Short-lived: a harness cluster lives for one test run. */
const VALIDITY_DAYS = 2;

export interface HarnessPki {
  readonly dir: string;
  readonly ca: PemPairPaths;
  readonly etcdCa: PemPairPaths;
  readonly etcdServer: PemPairPaths;
  readonly apiserver: PemPairPaths;
  readonly apiserverEtcdClient: PemPairPaths;
  /** kube-apiserver's client certificate towards kubelets (logs, exec, port-forward), as a rendered cluster's. */
  readonly apiserverKubeletClient: PemPairPaths;
  readonly admin: PemPairPaths;
  readonly controllerManagerServing: PemPairPaths;
  readonly schedulerServing: PemPairPaths;
  readonly serviceAccountPublicKey: string;
  readonly serviceAccountPrivateKey: string;
  readonly adminCredentials: PemPair;
  readonly caPem: string;
}

export interface KubeconfigPaths {
  readonly admin: string;
  readonly controllerManager: string;
  readonly scheduler: string;
}

const LOOPBACK_SANS = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

/**
 * The certificates a single-node control plane needs, from the project's own
 * PKI module (the same code the cluster renderer uses).
 */
export async function createHarnessPki(
  dir: string,
  options: {
    readonly serviceClusterIpRange: string;
    /** An address other than loopback that kube-apiserver listens on (StartOptions.apiserverAddress). */
    readonly apiserverAddress?: string;
    /** More names for kube-apiserver's serving certificate (StartOptions.apiserverNames). */
    readonly apiserverNames?: readonly string[];
    /** The cluster CA to sign with (StartOptions.clusterCa); a new one when absent. */
    readonly clusterCa?: PemPair;
  },
): Promise<HarnessPki> {
  const ca =
    options.clusterCa === undefined
      ? await CertificateAuthority.create({ commonName: 'strata-harness-ca', validityDays: VALIDITY_DAYS })
      : await CertificateAuthority.fromPem(options.clusterCa);
  const etcdCa = await CertificateAuthority.create({
    commonName: 'strata-harness-etcd-ca',
    validityDays: VALIDITY_DAYS,
  });
  const issue = async (
    authority: CertificateAuthority,
    name: string,
    request: Parameters<CertificateAuthority['issue']>[0],
  ) => writePemPair(dir, name, await toPemPair(await authority.issue(request)));

  const adminCredentials = await toPemPair(
    await ca.issue({
      commonName: 'strata-admin',
      organizations: ['system:masters'],
      profile: 'client',
      validityDays: VALIDITY_DAYS,
    }),
  );
  const serviceAccount = await generateServiceAccountKeyPair();
  const caPair = await toPemPair(ca);
  const pki: HarnessPki = {
    dir,
    ca: await writePemPair(dir, 'ca', caPair),
    etcdCa: await writePemPair(dir, 'etcd-ca', await toPemPair(etcdCa)),
    etcdServer: await issue(etcdCa, 'etcd-server', {
      commonName: 'etcd',
      ...LOOPBACK_SANS,
      profile: 'peer',
      validityDays: VALIDITY_DAYS,
    }),
    apiserver: await issue(ca, 'apiserver', {
      commonName: 'kube-apiserver',
      dnsNames: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
        ...(options.apiserverNames ?? []),
      ],
      // The `kubernetes` Service's address in each service range, as the renderer gives a cluster's API server.
      ipAddresses: [
        '127.0.0.1',
        ...(options.apiserverAddress === undefined ? [] : [options.apiserverAddress]),
        ...nthAddresses(options.serviceClusterIpRange, 1),
      ],
      profile: 'server',
      validityDays: VALIDITY_DAYS,
    }),
    apiserverEtcdClient: await issue(etcdCa, 'apiserver-etcd-client', {
      commonName: 'kube-apiserver-etcd-client',
      profile: 'client',
      validityDays: VALIDITY_DAYS,
    }),
    apiserverKubeletClient: await issue(ca, 'apiserver-kubelet-client', {
      commonName: APISERVER_KUBELET_CLIENT,
      profile: 'client',
      validityDays: VALIDITY_DAYS,
    }),
    admin: await writePemPair(dir, 'admin', adminCredentials),
    controllerManagerServing: await issue(ca, 'controller-manager-serving', {
      commonName: 'kube-controller-manager',
      ...LOOPBACK_SANS,
      profile: 'server',
      validityDays: VALIDITY_DAYS,
    }),
    schedulerServing: await issue(ca, 'scheduler-serving', {
      commonName: 'kube-scheduler',
      ...LOOPBACK_SANS,
      profile: 'server',
      validityDays: VALIDITY_DAYS,
    }),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
    serviceAccountPrivateKey: join(dir, 'sa.key'),
    adminCredentials,
    caPem: caPair.certificatePem,
  };
  await writeFileAtomic(pki.serviceAccountPrivateKey, serviceAccount.privateKeyPem, SECRET_FILE_MODE);
  await writeFileAtomic(pki.serviceAccountPublicKey, serviceAccount.publicKeyPem, PUBLIC_FILE_MODE);
  return pki;
}

/** Issues a client certificate for `user` from the CA in `pkiDir` and writes a kubeconfig that uses it. */
export async function writeUserKubeconfig(options: {
  readonly pkiDir: string;
  readonly server: string;
  readonly path: string;
  readonly user: string;
  readonly groups?: readonly string[];
}): Promise<void> {
  const caPair = await readPemPair(options.pkiDir, 'ca');
  const ca = await CertificateAuthority.fromPem(caPair);
  const credentials = await toPemPair(
    await ca.issue({
      commonName: options.user,
      organizations: options.groups ?? [],
      profile: 'client',
      validityDays: VALIDITY_DAYS,
    }),
  );
  await writeKubeconfig(options.path, {
    clusterName: CLUSTER_NAME,
    server: options.server,
    certificateAuthorityPem: caPair.certificatePem,
    userName: options.user,
    credentials,
  });
}

export async function writeComponentKubeconfigs(
  pki: HarnessPki,
  server: string,
  dir: string,
): Promise<KubeconfigPaths> {
  const paths: KubeconfigPaths = {
    admin: join(dir, 'admin.kubeconfig'),
    controllerManager: join(dir, 'controller-manager.kubeconfig'),
    scheduler: join(dir, 'scheduler.kubeconfig'),
  };
  await writeKubeconfig(paths.admin, {
    clusterName: CLUSTER_NAME,
    server,
    certificateAuthorityPem: pki.caPem,
    userName: 'strata-admin',
    credentials: pki.adminCredentials,
  });
  await writeUserKubeconfig({
    pkiDir: pki.dir,
    server,
    path: paths.controllerManager,
    user: 'system:kube-controller-manager',
  });
  await writeUserKubeconfig({ pkiDir: pki.dir, server, path: paths.scheduler, user: 'system:kube-scheduler' });
  return paths;
}
