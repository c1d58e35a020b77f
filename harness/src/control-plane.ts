import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAllBinaries, type ResolvedBinaries } from '@strata/binaries';
import {
  authenticationConfiguration,
  type PemPair,
  encryptionConfiguration,
  generateEncryptionKey,
  type JwtAuthenticator,
} from '@strata/assets';
import { StrataError } from '@strata/api';
import { createHarnessPki, writeComponentKubeconfigs, type HarnessPki } from './control-plane-pki.ts';
import { controlPlaneInfoSchema, type ControlPlaneInfo } from './control-plane-info.ts';
import { ManagedProcess, logTail } from '@strata/host';
import { freePorts } from './ports.ts';
import { SECRET_FILE_MODE, waitUntilHealthy, writeFileAtomic, type ClientTls } from '@strata/host';

export interface StartOptions {
  /** Also run kube-controller-manager and kube-scheduler (slower; most tests need neither). */
  readonly withControllers?: boolean;
  /** Keep the directory after stop, for debugging. Default: removed. */
  readonly keepDir?: boolean;
  readonly binaries?: ResolvedBinaries;
  readonly startTimeoutMs?: number;
  /** Stop the control plane when this process exits, without an explicit stop(). */
  readonly releaseWithProcess?: boolean;
  /**
   * kube-apiserver's (and kube-controller-manager's) --service-cluster-ip-range: one range, or one per IP family
   * comma-separated for dual-stack, e.g. "10.3.0.0/24,fd00:10:3::/112". Default: 10.3.0.0/24. The primary
   * (first) range must be IPv4, the family of the loopback address the API server advertises.
   */
  readonly serviceClusterIpRange?: string;
  /**
   * OpenID providers whose ID tokens kube-apiserver accepts (the structured authentication configuration's `jwt`
   * entries). Default: none, as in a rendered cluster.
   */
  readonly jwtAuthenticators?: readonly JwtAuthenticator[];
  /**
   * An IPv4 address of this host, other than loopback, that kube-apiserver listens on and advertises, and its serving
   * certificate names: for clients that are not on this host, such as the machine lab's virtual machines, which reach
   * the lab network's host end. Default: 127.0.0.1.
   */
  readonly apiserverAddress?: string;
  /** kube-apiserver's port; a free one when absent. A fixed port belongs with an apiserverAddress of the test's own. */
  readonly apiserverPort?: number;
  /** DNS names kube-apiserver's serving certificate carries besides the harness's (a rendered cluster's API name). */
  readonly apiserverNames?: readonly string[];
  /**
   * The cluster CA (certificate and key) that signs every certificate of the cluster CA's: a rendered cluster's, so
   * that what the render gave its nodes (the CA file, the bootstrap kubeconfig) works against this control plane.
   * etcd keeps a CA of its own. Default: a new CA.
   */
  readonly clusterCa?: PemPair;
  /**
   * kube-controller-manager gives each node a pod subnet of `nodePrefix` bits out of `cidr` (IPv4), as a rendered
   * cluster's does for flannel's --kube-subnet-mgr. Needs withControllers. Default: no subnets are allocated.
   */
  readonly podNetwork?: { readonly cidr: string; readonly nodePrefix: number };
}

export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.3.0.0/24';

export class ControlPlaneStartError extends StrataError {}

/** A bind lost to another process between our free-port probe and the component's own bind. */
const PORT_RACE = /address already in use/i;
const START_ATTEMPTS = 3;

export interface RunningControlPlane {
  readonly info: ControlPlaneInfo;
  stop(): Promise<void>;
}

interface Started {
  readonly processes: ManagedProcess[];
  readonly info: ControlPlaneInfo;
}

async function startOnce(
  dir: string,
  pki: HarnessPki,
  binaries: ResolvedBinaries,
  options: StartOptions,
): Promise<Started> {
  const timeout = options.startTimeoutMs ?? 60_000;
  const serviceRange = options.serviceClusterIpRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE;
  const [etcdClientPort, etcdPeerPort, freeApiserverPort, controllerManagerPort, schedulerPort] = await freePorts(5);
  const apiserverPort = options.apiserverPort ?? freeApiserverPort;
  const logs = join(dir, 'logs');
  await mkdir(logs, { recursive: true });
  const etcdDataDir = join(dir, 'etcd');
  await rm(etcdDataDir, { recursive: true, force: true });
  const processes: ManagedProcess[] = [];
  const start = (name: string, command: string, args: string[]): ManagedProcess => {
    const managed = ManagedProcess.start({
      name,
      command,
      args,
      logFile: join(logs, `${name}.log`),
      removeWhenOrphaned: [dir],
      releaseWithParent: options.releaseWithProcess ?? false,
    });
    processes.push(managed);
    return managed;
  };
  const adminTls: ClientTls = {
    ca: pki.caPem,
    cert: pki.adminCredentials.certificatePem,
    key: pki.adminCredentials.privateKeyPem,
  };

  try {
    const etcdClientUrl = `https://127.0.0.1:${etcdClientPort}`;
    const etcdPeerUrl = `https://127.0.0.1:${etcdPeerPort}`;
    const etcd = start('etcd', binaries.etcd, [
      '--name=harness',
      `--data-dir=${etcdDataDir}`,
      `--listen-client-urls=${etcdClientUrl}`,
      `--advertise-client-urls=${etcdClientUrl}`,
      `--listen-peer-urls=${etcdPeerUrl}`,
      `--initial-advertise-peer-urls=${etcdPeerUrl}`,
      `--initial-cluster=harness=${etcdPeerUrl}`,
      '--initial-cluster-state=new',
      `--cert-file=${pki.etcdServer.certificatePath}`,
      `--key-file=${pki.etcdServer.privateKeyPath}`,
      `--trusted-ca-file=${pki.etcdCa.certificatePath}`,
      '--client-cert-auth=true',
      `--peer-cert-file=${pki.etcdServer.certificatePath}`,
      `--peer-key-file=${pki.etcdServer.privateKeyPath}`,
      `--peer-trusted-ca-file=${pki.etcdCa.certificatePath}`,
      '--peer-client-cert-auth=true',
      // The harness's data is thrown away after the run; fsync would only slow tests.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    const etcdTls: ClientTls = {
      ca: await readFile(pki.etcdCa.certificatePath, 'utf8'),
      cert: await readFile(pki.apiserverEtcdClient.certificatePath, 'utf8'),
      key: await readFile(pki.apiserverEtcdClient.privateKeyPath, 'utf8'),
    };
    await waitUntilHealthy(etcd, `${etcdClientUrl}/health`, etcdTls, timeout);

    const apiserverAddress = options.apiserverAddress ?? '127.0.0.1';
    const server = `https://${apiserverAddress}:${apiserverPort}`;
    const kubeconfigs = await writeComponentKubeconfigs(pki, server, join(dir, 'kubeconfigs'));
    // Secrets are encrypted in etcd as in a rendered cluster; etcd's data is new on each attempt, so is the key.
    const encryptionConfigPath = join(dir, 'encryption-config.yaml');
    await writeFileAtomic(encryptionConfigPath, encryptionConfiguration([generateEncryptionKey()]), SECRET_FILE_MODE);
    // Anonymous requests are limited to the health endpoints, as in a rendered cluster.
    const authenticationConfigPath = join(dir, 'authentication-config.yaml');
    await writeFileAtomic(authenticationConfigPath, authenticationConfiguration(options.jwtAuthenticators));
    const apiserver = start('kube-apiserver', binaries['kube-apiserver'], [
      `--advertise-address=${apiserverAddress}`,
      `--bind-address=${apiserverAddress}`,
      `--secure-port=${apiserverPort}`,
      `--etcd-servers=${etcdClientUrl}`,
      `--etcd-cafile=${pki.etcdCa.certificatePath}`,
      `--etcd-certfile=${pki.apiserverEtcdClient.certificatePath}`,
      `--etcd-keyfile=${pki.apiserverEtcdClient.privateKeyPath}`,
      `--tls-cert-file=${pki.apiserver.certificatePath}`,
      `--tls-private-key-file=${pki.apiserver.privateKeyPath}`,
      `--client-ca-file=${pki.ca.certificatePath}`,
      // Real kubelets (the machine lab's) authenticate it by this certificate and authorize it by webhook: a test that
      // reads logs or execs binds its user (APISERVER_KUBELET_CLIENT) to system:kubelet-api-admin, as a cluster does.
      `--kubelet-client-certificate=${pki.apiserverKubeletClient.certificatePath}`,
      `--kubelet-client-key=${pki.apiserverKubeletClient.privateKeyPath}`,
      // As a rendered cluster's: a node's host name need not resolve here (the lab's names resolve only in the lab).
      '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
      `--authentication-config=${authenticationConfigPath}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      // Kubelet TLS bootstrapping with a token works against the harness as against a rendered cluster.
      '--enable-bootstrap-token-auth=true',
      `--encryption-provider-config=${encryptionConfigPath}`,
      '--encryption-provider-config-automatic-reload=true',
      '--allow-privileged=true',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountPrivateKey}`,
      // Service IPs are virtual: an IPv6 range needs no IPv6 on the host, only the IPv4 advertise address first.
      `--service-cluster-ip-range=${serviceRange}`,
      // On loopback the kubernetes Service's Endpoints may not point at the API server (nothing in the harness
      // reaches it through the Service). On a lab network's host end they do, as in a cluster: pods on the lab's
      // machines (CoreDNS) reach the API server through the Service's address.
      `--endpoint-reconciler-type=${options.apiserverAddress === undefined ? 'none' : 'lease'}`,
      '--profiling=false',
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
    ]);
    await waitUntilHealthy(apiserver, `${server}/readyz`, adminTls, timeout);

    if (options.withControllers) {
      const controllerManager = start('kube-controller-manager', binaries['kube-controller-manager'], [
        `--kubeconfig=${kubeconfigs.controllerManager}`,
        `--authentication-kubeconfig=${kubeconfigs.controllerManager}`,
        `--authorization-kubeconfig=${kubeconfigs.controllerManager}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${controllerManagerPort}`,
        `--tls-cert-file=${pki.controllerManagerServing.certificatePath}`,
        `--tls-private-key-file=${pki.controllerManagerServing.privateKeyPath}`,
        `--client-ca-file=${pki.ca.certificatePath}`,
        '--leader-elect=true',
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountPrivateKey}`,
        `--root-ca-file=${pki.ca.certificatePath}`,
        `--cluster-signing-cert-file=${pki.ca.certificatePath}`,
        `--cluster-signing-key-file=${pki.ca.privateKeyPath}`,
        '--cluster-name=strata-harness',
        `--service-cluster-ip-range=${serviceRange}`,
        ...(options.podNetwork === undefined
          ? []
          : [
              '--allocate-node-cidrs=true',
              `--cluster-cidr=${options.podNetwork.cidr}`,
              `--node-cidr-mask-size-ipv4=${options.podNetwork.nodePrefix}`,
            ]),
        '--profiling=false',
      ]);
      const scheduler = start('kube-scheduler', binaries['kube-scheduler'], [
        `--kubeconfig=${kubeconfigs.scheduler}`,
        `--authentication-kubeconfig=${kubeconfigs.scheduler}`,
        `--authorization-kubeconfig=${kubeconfigs.scheduler}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${schedulerPort}`,
        `--tls-cert-file=${pki.schedulerServing.certificatePath}`,
        `--tls-private-key-file=${pki.schedulerServing.privateKeyPath}`,
        `--client-ca-file=${pki.ca.certificatePath}`,
        '--leader-elect=true',
        '--profiling=false',
      ]);
      await Promise.all([
        waitUntilHealthy(controllerManager, `https://127.0.0.1:${controllerManagerPort}/healthz`, adminTls, timeout),
        waitUntilHealthy(scheduler, `https://127.0.0.1:${schedulerPort}/healthz`, adminTls, timeout),
      ]);
    }

    const info: ControlPlaneInfo = {
      dir,
      server,
      kubeconfigPath: kubeconfigs.admin,
      pkiDir: pki.dir,
      etcdEndpoint: etcdClientUrl,
      binaries,
      components: processes.map((managed) => managed.spec.name),
      pids: await Promise.all(processes.map((managed) => managed.pid)),
    };
    return { processes, info };
  } catch (error) {
    await Promise.all(processes.map((managed) => managed.stop()));
    throw error;
  }
}

/**
 * Starts a real etcd and kube-apiserver (and optionally controller-manager and
 * scheduler) on free loopback ports, with TLS everywhere, RBAC, service-account
 * signing keys and an admin client certificate.
 */
export async function startControlPlane(options: StartOptions = {}): Promise<RunningControlPlane> {
  const binaries = options.binaries ?? (await resolveAllBinaries());
  const dir = await mkdtemp(join(tmpdir(), 'strata-harness-'));
  try {
    const pki = await createHarnessPki(join(dir, 'pki'), {
      serviceClusterIpRange: options.serviceClusterIpRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE,
      ...(options.apiserverAddress === undefined ? {} : { apiserverAddress: options.apiserverAddress }),
      ...(options.apiserverNames === undefined ? {} : { apiserverNames: options.apiserverNames }),
      ...(options.clusterCa === undefined ? {} : { clusterCa: options.clusterCa }),
    });
    let lastError: unknown;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
      try {
        const started = await startOnce(dir, pki, binaries, options);
        await writeFile(join(dir, 'control-plane.json'), JSON.stringify(started.info, null, 2) + '\n');
        let stopped = false;
        return {
          info: started.info,
          stop: async () => {
            if (stopped) return;
            stopped = true;
            // Reverse order: clients of etcd go before etcd.
            for (const managed of [...started.processes].reverse()) await managed.stop();
            if (!options.keepDir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
          },
        };
      } catch (error) {
        lastError = error;
        const logFile = error instanceof StrataError ? error.context['logFile'] : undefined;
        const log = typeof logFile === 'string' ? logFile : '';
        const lostPortRace = log !== '' && PORT_RACE.test(await logTail(log, 20));
        if (!lostPortRace) break;
      }
    }
    throw lastError instanceof Error ? lastError : new ControlPlaneStartError(String(lastError));
  } catch (error) {
    if (!options.keepDir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }
}

export async function readControlPlaneInfo(path: string): Promise<ControlPlaneInfo> {
  return controlPlaneInfoSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}
