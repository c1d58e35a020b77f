// The lab with a control plane its machines join as real nodes, for the lab's node tests and its node benchmark (ADR
// 0088): a bare-metal config on Strata's node image (os.name strata), its registry mirrors the lab's registry,
// rendered for real; the lab's network and boot server; on its host end the harness's control plane under the
// rendered API name and port, signing with the rendered cluster CA and allocating the nodes' pod subnets from the
// rendered pod range, with the render's own add-ons applied (the node bootstrap, flannel, kube-proxy and CoreDNS); the
// lab's registry with every image those pin, built here (ADR 0089), the pause image and a busybox workload image; each
// worker's rendered Ignition as it is; an approver of the nodes' certificate requests, as an administrator; and
// Strata's update server where the rendered update.conf looks for it (the controller's name and UPDATE_SERVER_PORT,
// serving the render's own certificate), with a payload server beside it, both on the host end.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CertificatesV1Api,
  KubeConfig,
  type KubernetesObject,
  type V1CertificateSigningRequest,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  ASSET_PATHS,
  CertificateAuthority,
  clusterTopology,
  clusterUpdateServerUrl,
  type ClusterConfig,
  COREDNS_IMAGE,
  FLANNEL_CNI_PLUGIN_IMAGE,
  FLANNEL_IMAGE,
  KUBE_PROXY_IMAGE_REPOSITORY,
  NODE_IMAGE_SANDBOX_IMAGE,
  NODE_POD_SUBNET_PREFIX,
  readPemPair,
  toPemPair,
  UPDATE_OPERATOR_IMAGE,
  UPDATE_SERVER_PORT,
  writePemPair,
} from '@strata/assets';
import { platformRenderDirectory } from '@strata/assets/testing';
import {
  buildImage,
  COREDNS_VERSION,
  corednsImageSpec,
  flannelCniPluginImageSpec,
  flannelImageSpec,
  FLANNEL_VERSION,
  KUBERNETES_VERSION,
  kubeProxyImageSpec,
  nodeProgramImageSpec,
  pauseImageSpec,
  pushImage,
  resolveBinary,
  resolvePause,
  startRegistry,
  type ImageSpec,
  type RunningRegistry,
} from '@strata/binaries';
import { startControlPlane, type RunningControlPlane } from '@strata/harness';
import { findHostTool, runCommand, waitFor } from '@strata/host';
import { applyManifestObject } from '@strata/kube';
import { updateOperatorProgram } from '@strata/installer';
import type { NodeImage } from '@strata/node-image';
import { startPayloadServer, type PayloadServer } from '@strata/omaha/testing';
import { aCatalog, openSqliteStore, startTestUpdateServer, type TestUpdateServer } from '@strata/update-server/testing';
import { parseImageReference } from '@strata/platform-local';
import { parseAllDocuments } from 'yaml';
import { labClusterConfig, type LabMachineName } from './lab-cluster-config.ts';
import { startNodeImageLab, type NodeImageLab } from './node-image-lab.ts';

/**
 * The name the lab's own images carry; only the node's hosts.toml (the config's registry mirror) makes it the lab's
 * registry (`.test` resolves nowhere).
 */
export const LAB_REGISTRY_NAME = 'registry.strata.test';
const WORKLOAD_REPOSITORY = 'strata/lab-busybox';
/**
 * The workload: the test server (`strata-test-server serve` on /www; its `fetch` and `lookup` prove the pod network
 * from inside a pod) and busybox's shell and a few applets for the test's commands.
 */
export const LAB_WORKLOAD_IMAGE = `${LAB_REGISTRY_NAME}/${WORKLOAD_REPOSITORY}:1`;
export const LAB_WORKLOAD_PAGE = 'served from a lab node\n';
/**
 * Busybox's applets the workload uses, each a link to the one static binary. Not Debian's static busybox's `wget`: it
 * dies of a segmentation fault before it connects (1.35.0-4+deb12u1), so the test server fetches.
 */
const APPLETS = ['sh', 'echo', 'hostname', 'touch', 'cat', 'ls', 'sleep'];
/** Where the workload image has the test server. */
export const LAB_TEST_SERVER = '/bin/strata-test-server';
/** The workload's command: the test server logs `hello from <pod>` and serves /www on 8080. */
export const LAB_WORKLOAD_COMMAND = [LAB_TEST_SERVER, 'serve', '-listen', ':8080', '-dir', '/www'];
/**
 * The render's add-ons the lab applies as it starts, in the render's order: the namespaces, what lets a worker join
 * (its token and bindings), the pod network, Service routing and cluster DNS. The etcd operator, the update server and
 * the console come once their images are built for the lab.
 */
export const LAB_ADDON_MANIFESTS = [
  '00-namespaces.yaml',
  '10-node-bootstrap.yaml',
  '20-flannel.yaml',
  '30-kube-proxy.yaml',
  '40-coredns.yaml',
] as const;

/**
 * The update operator's files (its CRD, the operator and the agents on every node, the default UpdatePolicy), which a
 * test applies when it wants them (`applyUpdateOperator`): their pulls and starts would otherwise compete with the
 * add-ons' on the machines' one or two vCPUs.
 */
export const LAB_UPDATE_OPERATOR_MANIFESTS = [
  '50-update-operator-crd.yaml',
  '51-update-operator.yaml',
  '52-update-policy.yaml',
] as const;

export interface LabNodeCluster {
  readonly lab: NodeImageLab;
  readonly controlPlane: RunningControlPlane;
  readonly kubeConfig: KubeConfig;
  readonly kubectl: string;
  /** The rendered cluster's pod range, from which kube-controller-manager gives each node a subnet. */
  readonly podCidr: string;
  /** The rendered cluster DNS name suffix (e.g. `cluster.local`). */
  readonly clusterDomain: string;
  /** The approver's last failure (listing or approving a request), for a test's message when a node does not join. */
  approverError(): string | undefined;
  /** Applies the rendered update operator (LAB_UPDATE_OPERATOR_MANIFESTS); its image is in the lab's registry. */
  applyUpdateOperator(): Promise<void>;
  /**
   * Strata's update server where the machines' rendered update.conf names it, with the render's serving certificate
   * (the cluster CA's, which the rendered trust anchor names); it offers nothing until a test sets a catalog.
   */
  readonly updateServer: TestUpdateServer;
  /** Serves the /usr payloads that the update server's releases point at, on the lab's host end. */
  readonly payloads: PayloadServer;
  close(): Promise<void>;
}

export async function startLabNodeCluster(
  image: NodeImage,
  controller: LabMachineName,
  workers: readonly LabMachineName[],
  name: string,
  options: { readonly install?: boolean } = {},
): Promise<LabNodeCluster> {
  const dir = await mkdtemp(join(tmpdir(), `strata-${name}-`));
  let lab: NodeImageLab | undefined;
  let controlPlane: RunningControlPlane | undefined;
  let registry: RunningRegistry | undefined;
  let updateServer: TestUpdateServer | undefined;
  let payloads: PayloadServer | undefined;
  const approving = new AbortController();
  const close = async () => {
    approving.abort();
    await updateServer?.close();
    await payloads?.close();
    await lab?.close();
    await registry?.stop();
    await controlPlane?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Without the mirror, whose address and CA exist only once the lab's network does: the same topology and ranges.
    const topologyConfig = labClusterConfig(controller, workers);
    const topology = clusterTopology(topologyConfig);
    const api = new URL(topology.apiServerUrl);
    const updateServerUrl = new URL(clusterUpdateServerUrl(topology));
    const { podCidr, serviceCidr, clusterDomain } = topologyConfig.networking;
    let addons: string[] = [];
    let updateOperator: string[] = [];

    lab = await startNodeImageLab(
      image,
      workers.map((worker) => ({ mac: worker.mac, hostname: worker.name })),
      {
        name,
        ...(options.install === undefined ? {} : { install: options.install }),
        prepare: async (network) => {
          await network.setNames([
            { name: api.hostname, address: network.hostAddress },
            // The controller's name, where the rendered update.conf finds the cluster's update server.
            { name: updateServerUrl.hostname, address: network.hostAddress },
          ]);
          const registryAddress = `${network.hostAddress}:5443`;
          const registryCa = await CertificateAuthority.create({
            commonName: 'strata-lab-registry-ca',
            validityDays: 1,
          });
          const serving = await registryCa.issue({
            commonName: 'strata lab registry',
            ipAddresses: [network.hostAddress],
            profile: 'server',
            validityDays: 1,
          });
          const registryTls = await writePemPair(dir, 'registry', await toPemPair(serving));
          const ca = (await toPemPair(registryCa)).certificatePem;
          registry = await startRegistry({
            binary: await resolveBinary('registry', { progress: () => undefined }),
            address: registryAddress,
            storageDir: join(dir, 'registry-storage'),
            workDir: join(dir, 'registry'),
            tls: { certFile: registryTls.certificatePath, keyFile: registryTls.privateKeyPath, ca },
          });
          const target = { registry: registryAddress, ca };
          const busybox = await findHostTool('busybox', 'busybox-static');
          await pushImage(
            await buildImage({
              files: [
                { path: 'bin/busybox', hostFile: busybox, mode: 0o755 },
                {
                  path: LAB_TEST_SERVER.slice(1),
                  hostFile: await resolveBinary('test-server', { progress: () => undefined }),
                  mode: 0o755,
                },
                ...APPLETS.map((applet) => ({ path: `bin/${applet}`, symlinkTo: 'busybox' })),
                { path: 'www/index.html', content: LAB_WORKLOAD_PAGE, mode: 0o644 },
              ],
              env: ['PATH=/bin'],
            }),
            { ...target, repository: WORKLOAD_REPOSITORY, tag: '1' },
          );
          const mirrored = await pushPinnedImages(target, topologyConfig.kubernetesVersion, busybox);
          const config = labClusterConfig(controller, workers, {
            mirror: { registries: [LAB_REGISTRY_NAME, ...mirrored], endpoint: `https://${registryAddress}`, ca },
          });
          const render = await renderLabCluster(name, config);
          addons = render.addons;
          updateOperator = render.updateOperator;
          payloads = await startPayloadServer(network.hostAddress);
          updateServer = await startTestUpdateServer({
            store: openSqliteStore({ path: join(dir, 'updates.db') }),
            catalog: aCatalog({ release: undefined }),
            tls: { certPem: render.updateServerTls.certificatePem, keyPem: render.updateServerTls.privateKeyPem },
            host: network.hostAddress,
            port: UPDATE_SERVER_PORT,
          });
          controlPlane = await startControlPlane({
            withControllers: true,
            apiserverAddress: network.hostAddress,
            apiserverPort: Number(api.port),
            apiserverNames: [api.hostname],
            clusterCa: render.clusterCa,
            serviceClusterIpRange: serviceCidr,
            podNetwork: { cidr: podCidr, nodePrefix: NODE_POD_SUBNET_PREFIX[4] },
            releaseWithProcess: true,
          });
          const ignition = new Map<string, string>();
          for (const worker of workers) {
            const workerIgnition = render.ignition.get(worker.name);
            if (workerIgnition === undefined) throw new Error(`the render has no Ignition for ${worker.name}`);
            ignition.set(worker.name, workerIgnition);
          }
          return ignition;
        },
      },
    );
    if (controlPlane === undefined || updateServer === undefined || payloads === undefined)
      throw new Error('the lab prepared no control plane or update server');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(controlPlane.info.kubeconfigPath);
    const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
    const apply = async (manifests: readonly string[]) => {
      for (const manifest of manifests) {
        for (const document of parseAllDocuments(manifest)) {
          const object = document.toJS() as KubernetesObject | null;
          if (object === null) continue;
          await applyManifestObject(kubeConfig, object, `strata-${name}`);
          // The API server serves a CRD's kind once it is established; the render's next file creates one.
          const crd = object.kind === 'CustomResourceDefinition' ? object.metadata?.name : undefined;
          if (crd !== undefined)
            await waitFor(`CRD ${crd} established`, async () => {
              const found = await extensions.readCustomResourceDefinition({ name: crd });
              return found.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
                ? true
                : undefined;
            });
        }
      }
    };
    await apply(addons);
    let lastApproverError: string | undefined;
    void approveNodeCertificates(
      kubeConfig,
      workers.map((worker) => worker.name),
      approving.signal,
      (error) => (lastApproverError = error instanceof Error ? error.message : String(error)),
    );
    return {
      lab,
      controlPlane,
      kubeConfig,
      kubectl: controlPlane.info.binaries.kubectl,
      podCidr,
      clusterDomain,
      approverError: () => lastApproverError,
      applyUpdateOperator: () => apply(updateOperator),
      updateServer,
      payloads,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The config rendered for real: the workers' Ignition, the cluster CA, and the manifests the lab applies. */
async function renderLabCluster(name: string, config: ClusterConfig) {
  const rendering = await platformRenderDirectory(name);
  try {
    const readManifests = (files: readonly string[]) =>
      Promise.all(files.map((file) => readFile(join(rendering.dir, ASSET_PATHS.manifest(file)), 'utf8')));
    const { ignition } = await rendering.render(config);
    return {
      ignition,
      clusterCa: await readPemPair(join(rendering.dir, 'tls'), 'ca'),
      updateServerTls: await readPemPair(rendering.dir, ASSET_PATHS.updateServerServing),
      addons: await readManifests(LAB_ADDON_MANIFESTS),
      updateOperator: await readManifests(LAB_UPDATE_OPERATOR_MANIFESTS),
    };
  } finally {
    await rendering.remove();
  }
}

/**
 * The images the render pins (the add-ons', and the node image's sandbox), built here, pushed to the lab's registry
 * under the names the render pins (e.g. `ghcr.io/flannel-io/flannel:v0.28.9` as `flannel-io/flannel:v0.28.9`), so
 * that a node's containerd, mirroring each of those registries to the lab's, pulls exactly what the rendered files
 * name. Returns the registries mirrored.
 */
async function pushPinnedImages(
  target: { readonly registry: string; readonly ca: string },
  kubernetesVersion: string,
  busybox: string,
): Promise<string[]> {
  const binary = (name: Parameters<typeof resolveBinary>[0]) => resolveBinary(name, { progress: () => undefined });
  // With the release each build is of, where the manifest's tag must name it: a pin raised in @strata/assets without
  // the build in @strata/binaries would otherwise serve the old program under the new name. The flannel CNI plugin's
  // tag is upstream's packaging, not the release built (ADR 0089).
  const images: [string, ImageSpec, string | undefined][] = [
    [NODE_IMAGE_SANDBOX_IMAGE, pauseImageSpec(await resolvePause({ progress: () => undefined })), undefined],
    [FLANNEL_IMAGE, flannelImageSpec({ flanneld: await binary('flanneld'), busybox }), FLANNEL_VERSION],
    [
      FLANNEL_CNI_PLUGIN_IMAGE,
      flannelCniPluginImageSpec({ plugin: await binary('flannel-cni-plugin'), busybox }),
      undefined,
    ],
    [
      `${KUBE_PROXY_IMAGE_REPOSITORY}:${kubernetesVersion}`,
      kubeProxyImageSpec(await binary('kube-proxy')),
      KUBERNETES_VERSION,
    ],
    [COREDNS_IMAGE, corednsImageSpec(await binary('coredns')), COREDNS_VERSION],
    // Strata's own: the pinned Node.js runtime and the update operator's bundle, from this checkout.
    [
      UPDATE_OPERATOR_IMAGE,
      nodeProgramImageSpec({ name: 'update-operator', bundle: await updateOperatorProgram() }),
      undefined,
    ],
  ];
  const registries = new Set<string>();
  for (const [name, spec, built] of images) {
    const reference = parseImageReference(name);
    const slash = reference.repository.indexOf('/');
    const registry = reference.repository.slice(0, slash);
    if (reference.tag === undefined) throw new Error(`the pinned image ${name} has no tag`);
    if (built !== undefined && reference.tag !== built)
      throw new Error(`the render pins ${name}, but the lab builds ${built}: raise the two together`);
    registries.add(registry);
    await pushImage(await buildImage(spec), {
      ...target,
      repository: reference.repository.slice(slash + 1),
      tag: reference.tag,
    });
  }
  return [...registries];
}

/**
 * What a test's failed wait appends to its message: every pod with its node and phase, and the cluster's warning
 * events (a pull that failed, a sandbox without network), as kubectl prints them.
 */
export async function clusterState(cluster: Pick<LabNodeCluster, 'kubectl' | 'controlPlane'>): Promise<string> {
  const kubectl = (args: readonly string[]) =>
    runCommand(cluster.kubectl, [
      '--kubeconfig',
      cluster.controlPlane.info.kubeconfigPath,
      '--request-timeout=30s',
      ...args,
    ]).then((result) => (result.code === 0 ? result.stdout : `kubectl ${args.join(' ')}: ${result.stderr}`));
  const [pods, warnings, strata] = await Promise.all([
    kubectl(['get', 'pods', '--all-namespaces', '-o', 'wide']),
    kubectl(['get', 'events', '--all-namespaces', '--field-selector', 'type=Warning', '--sort-by=.lastTimestamp']),
    // Strata's own pods say in their logs what they are waiting for (the API, the host's bus, a Lease).
    kubectl([
      'logs',
      '--namespace=strata-system',
      '--all-containers',
      '--prefix',
      '--tail=15',
      '--selector=app.kubernetes.io/part-of=strata',
    ]),
  ]);
  return `pods:\n${pods}\nwarning events:\n${warnings}\nStrata's pods' last log lines:\n${strata}`;
}

/**
 * `kubectl exec` into a pod of the default namespace; its stdout. Up to three attempts of two minutes each: under TCG
 * on a loaded host an exec's stream has stalled past kubectl's request time-out (an i/o timeout reading the API
 * server's stream) while the next one worked. Each failed attempt is reported to `onRetry`; three failures throw with
 * all their messages. The command must be safe to run again.
 */
export async function kubectlExec(
  cluster: Pick<LabNodeCluster, 'kubectl' | 'controlPlane'>,
  pod: string,
  command: readonly string[],
  onRetry: (attempt: number, stderr: string) => void = () => undefined,
): Promise<string> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const result = await runCommand(cluster.kubectl, [
      '--kubeconfig',
      cluster.controlPlane.info.kubeconfigPath,
      '--namespace',
      'default',
      '--request-timeout=120s',
      'exec',
      pod,
      '--',
      ...command,
    ]);
    if (result.code === 0) return result.stdout;
    failures.push(`attempt ${attempt}: exit ${String(result.code)}: ${result.stderr.trim()}`);
    onRetry(attempt, result.stderr);
  }
  throw new Error(`kubectl exec ${pod} -- ${command.join(' ')} failed three times:\n${failures.join('\n')}`);
}

/** A pod of the workload image on `nodeName`: it logs a line, then serves /www on 8080; `/check` is a host path. */
export function labWorkloadPod(name: string, options: { readonly hostPath?: string } = {}): V1Pod {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name,
          image: LAB_WORKLOAD_IMAGE,
          command: LAB_WORKLOAD_COMMAND,
          ports: [{ containerPort: 8080 }],
          ...(options.hostPath === undefined ? {} : { volumeMounts: [{ name: 'check', mountPath: '/check' }] }),
        },
      ],
      ...(options.hostPath === undefined
        ? {}
        : { volumes: [{ name: 'check', hostPath: { path: options.hostPath, type: 'DirectoryOrCreate' } }] }),
    },
  };
}

/**
 * Approves the nodes' client (from their bootstrap tokens) and serving certificate requests, until aborted. A failure
 * goes to `failed` and the request is tried again next round; a test that waits for a node reports the last one.
 */
async function approveNodeCertificates(
  kubeConfig: KubeConfig,
  nodeNames: readonly string[],
  signal: AbortSignal,
  failed: (error: unknown) => void,
): Promise<void> {
  const certificates = kubeConfig.makeApiClient(CertificatesV1Api);
  const ours = (csr: V1CertificateSigningRequest) =>
    (csr.spec.username?.startsWith('system:bootstrap:') ?? false) ||
    nodeNames.some((name) => csr.spec.username === `system:node:${name}`);
  while (!signal.aborted) {
    const list = await certificates.listCertificateSigningRequest().catch((error: unknown) => {
      failed(error);
      return undefined;
    });
    for (const csr of list?.items ?? []) {
      if ((csr.status?.conditions?.length ?? 0) > 0 || !ours(csr) || csr.metadata?.name === undefined) continue;
      await certificates
        .replaceCertificateSigningRequestApproval({
          name: csr.metadata.name,
          body: {
            ...csr,
            status: {
              conditions: [
                {
                  type: 'Approved',
                  status: 'True',
                  reason: 'StrataLabTest',
                  message: `approved by the machine lab's test for ${csr.spec.username ?? 'a node'}`,
                },
              ],
            },
          },
        })
        .catch(failed);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
