import { join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import {
  applyRenderPlan,
  ASSET_PATHS,
  clusterTopology,
  DEFAULT_LOCAL_OS_VERSIONS,
  LOCAL_PAYLOAD_PORT,
  localPayloadBaseUrl,
  planClusterRender,
  type ClusterConfig,
  type ClusterTopology,
} from '@strata/assets';
import { resolveAllBinaries, type ResolvedBinaries } from '@strata/binaries';
import { applyManifestObject, PooledKubeConfig } from '@strata/kube';
import {
  controllerRoot,
  startLocalControlPlane,
  type LocalControlPlane,
} from '../control-plane/local-control-plane.ts';
import { materializeIgnition } from '../control-plane/rendered-node.ts';
import { machineTrustStore, readUpdateConf, updateSettingsFrom } from '@strata/update-engine';
import { NodeFleet } from '../node/node-fleet.ts';
import { PlaceholderPodRuntime } from '../node/placeholder-runtime.ts';
import type { NodeSpec } from '../node/node-spec.ts';
import { ManualUpdateSource } from '../os/update-source.ts';
import { SimulatedOperatingSystem, type SimulatedOsOptions } from '../os/simulated-os.ts';
import { startSimulatedPayloadServer, type SimulatedPayloadServer } from '../os/payload-server.ts';
import { simulatedOsId, type OsId } from '../os/os-release.ts';
import { defaultImageMap, type ImageMapInput } from '../pods/image-map.ts';
import type { PodRuntime } from '../node/pod-runtime.ts';
import { ProcessPodRuntime } from '../pods/process-runtime.ts';
import { resolveEtcdReleases } from '../pods/etcd-releases.ts';
import { applyManifests, FIELD_MANAGER } from './apply-manifests.ts';
import { LocalPathProvisioner } from '../storage/provisioner.ts';
import { localStorageClasses } from '../storage/storage-classes.ts';
import { type ClusterDirectory } from './cluster-dir.ts';
import { checkIpv4Only, checkPortsFree, PreflightError } from './preflight.ts';

/** The OS a local node boots when the config pins no version (the rendered release of the update server says the same). */
export const DEFAULT_OS_VERSIONS = DEFAULT_LOCAL_OS_VERSIONS;

export interface UpLocalClusterOptions {
  readonly config: ClusterConfig;
  readonly directory: ClusterDirectory;
  readonly progress?: (message: string) => void;
  readonly binaries?: ResolvedBinaries;
  /** Overrides for every node's simulated OS (reboot delay, update timings), e.g. for fast tests. */
  readonly os?: Partial<Pick<SimulatedOsOptions, 'rebootDelayMs' | 'timings'>>;
  readonly readyTimeoutMs?: number;
  /**
   * More images that run as local processes (Strata's own components, the
   * join approver's static pod among them), added to the default image map.
   * The layer above the platforms wires these in.
   */
  readonly images?: ImageMapInput;
  /**
   * Pod runtimes of one node tried before the process and placeholder
   * runtimes: for programs that must run beside the node's simulated OS,
   * such as the update agent, which talks to update_engine and reboots.
   */
  readonly nodeRuntimes?: (node: {
    readonly nodeName: string;
    readonly os: SimulatedOperatingSystem;
  }) => readonly PodRuntime[];
  /**
   * The OS a worker boots instead of the config's (at its default version),
   * for a mixed fleet: a Fedora CoreOS node whose Zincati speaks FleetLock
   * beside Flatcar nodes driven by the update agent. Undefined keeps the config's.
   */
  readonly workerOs?: (workerIndex: number) => OsId | undefined;
  /**
   * Where each node's update_engine asks for updates. `manual` (the default): `LocalCluster.updates`, which a test
   * or `strata update offer` drives. `update-conf`: what the node's rendered Ignition wrote into
   * /etc/flatcar/update.conf (the cluster's own update server unless cluster.yaml names another), trusting the
   * certificates it wrote into /etc/ssl/certs, as a real Flatcar machine does; a node without SERVER= (Fedora
   * CoreOS) keeps `updates`.
   */
  readonly updateSource?: 'manual' | 'update-conf';
}

export interface LocalCluster {
  readonly config: ClusterConfig;
  readonly topology: ClusterTopology;
  readonly directory: ClusterDirectory;
  /** The API server URL clients use. */
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly controlPlane: LocalControlPlane;
  readonly fleet: NodeFleet;
  /** Where every node's update engine looks for updates with `updateSource: 'manual'`: a test offers versions here. */
  readonly updates: ManualUpdateSource;
  /** Serves every version's simulated payload, as the rendered UpdateReleases name it (`localPayloadBaseUrl`). */
  readonly payloads: SimulatedPayloadServer;
  adminKubeConfig(): KubeConfig;
  nodeNames(): string[];
  operatingSystem(nodeName: string): SimulatedOperatingSystem;
  stop(): Promise<void>;
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Worker InternalIPs: 127.1.0.1 upward, clear of the controllers' 127.0.0.x and the pods' 127.0.64.0/18. */
export function workerAddress(index: number): string {
  return `127.1.${Math.floor(index / 254)}.${(index % 254) + 1}`;
}

function nodeSpecs(topology: ClusterTopology): NodeSpec[] {
  return [
    ...topology.controllers.map((controller) => ({
      name: controller.name,
      ip: controller.address ?? controller.bindAddress,
      roles: ['control-plane'],
      labels: { ...controller.labels },
      taints: [...controller.taints],
    })),
    ...topology.workers.map((worker, index) => ({
      name: worker.name,
      ip: workerAddress(index),
      roles: ['worker'],
      labels: { ...worker.labels },
      taints: [...worker.taints],
    })),
  ];
}

type NodeUpdateSettings = ReturnType<typeof updateSettingsFrom>;

/**
 * Each node's update source and group from its rendered Ignition: the files land under the node's root (a
 * controller's are there already), then update.conf and the trust store are read from it, as update_engine reads
 * them on a machine.
 */
async function updateSettingsOfNodes(
  directory: ClusterDirectory,
  topology: ClusterTopology,
  fallback: NodeUpdateSettings,
): Promise<Map<string, NodeUpdateSettings>> {
  const settings = new Map<string, NodeUpdateSettings>();
  for (const worker of topology.workers)
    await materializeIgnition(
      join(directory.assetsDir, ASSET_PATHS.ignition(worker.name)),
      controllerRoot(directory.path, worker.name),
    );
  for (const node of [...topology.controllers, ...topology.workers]) {
    const root = controllerRoot(directory.path, node.name);
    settings.set(
      node.name,
      updateSettingsFrom(await readUpdateConf(root), fallback, {
        machineAlias: node.name,
        ca: await machineTrustStore(root),
      }),
    );
  }
  return settings;
}

/**
 * Brings up a whole local cluster: checks first (platform, binaries, free
 * ports, the directory belongs to this cluster, nothing else runs it), then
 * renders the assets (reusing keys from an earlier run), runs the control
 * plane, applies the bootstrap manifests, and starts a simulated Container
 * Linux node for every controller and worker, until all are Ready.
 */
export async function upLocalCluster(options: UpLocalClusterOptions): Promise<LocalCluster> {
  const { config, directory } = options;
  const progress = options.progress ?? (() => undefined);
  if (config.platform !== 'local') {
    throw new PreflightError(
      `this cluster.yaml is for platform "${config.platform}"; strata up runs only platform: local clusters (render this one with strata render)`,
      { platform: config.platform },
    );
  }
  checkIpv4Only(config.networking);
  const { binaries, topology } = await directory.whileStarting(async () => {
    const runningPid = await directory.runningPid();
    if (runningPid !== undefined) {
      throw new PreflightError(
        `a strata up (pid ${runningPid}) already runs the cluster in ${directory.path}; stop it with: strata down --dir ${directory.path}`,
        {
          pid: runningPid,
        },
      );
    }
    await directory.claim(config.name);
    progress('checking the control-plane binaries');
    const resolved = options.binaries ?? (await resolveAllBinaries({ progress: (message) => progress(message) }));
    const clusterNodes = clusterTopology(config);
    await checkPortsFree(clusterNodes);

    progress(`rendering assets into ${directory.assetsDir}`);
    await applyRenderPlan(await planClusterRender({ config, dir: directory.assetsDir }));
    await directory.writePid();
    return { binaries: resolved, topology: clusterNodes };
  });

  let controlPlane: LocalControlPlane | undefined;
  let fleet: NodeFleet | undefined;
  let provisioner: LocalPathProvisioner | undefined;
  let payloads: SimulatedPayloadServer | undefined;
  const stop = async () => {
    await fleet?.stop();
    await payloads?.close();
    await provisioner?.stop();
    await controlPlane?.stop();
    await directory.removePid();
  };
  progress('checking the etcd releases that etcd images run');
  const etcdImages = defaultImageMap(await resolveEtcdReleases(binaries, progress));
  const images =
    options.images === undefined ? etcdImages : etcdImages.with(options.images, 'the platform image map entries');
  try {
    controlPlane = await startLocalControlPlane({
      images,
      assetsDir: directory.assetsDir,
      stateDir: directory.path,
      topology,
      binaries,
      progress,
      events: { onCrashLoop: (error) => progress(error.message) },
    });
    const admin = new PooledKubeConfig();
    admin.loadFromFile(join(directory.assetsDir, ASSET_PATHS.adminKubeconfig));
    progress('applying the bootstrap manifests (server-side apply)');
    await applyManifests(admin, join(directory.assetsDir, 'manifests'));
    progress('starting the local path provisioner (StorageClass strata-local-path, the default)');
    for (const storageClass of localStorageClasses()) await applyManifestObject(admin, storageClass, FIELD_MANAGER);
    const nodesDir = join(directory.path, 'nodes');
    const nodeNames = new Set(nodeSpecs(topology).map((spec) => spec.name));
    provisioner = new LocalPathProvisioner({
      kubeConfig: admin,
      // The fleet gives each node <dir>/nodes/<name> as its state directory.
      nodeStateDir: (nodeName) => (nodeNames.has(nodeName) ? join(nodesDir, nodeName) : undefined),
      onError: (error, what) => progress(`local path provisioner: ${what}: ${describeError(error)}`),
    });
    await provisioner.start();
    // Where the rendered UpdateReleases' payloads are: the update server's controller address, beside the server.
    payloads = await startSimulatedPayloadServer({
      host: new URL(localPayloadBaseUrl(topology)).hostname,
      port: LOCAL_PAYLOAD_PORT,
    });
    progress(`serving the simulated OS payloads at ${payloads.url}`);

    // Each machine joins with its own token, as its Ignition config gives it.
    const bootstrap = (nodeName: string): KubeConfig => {
      const kubeConfig = new PooledKubeConfig();
      kubeConfig.loadFromFile(join(directory.assetsDir, ASSET_PATHS.bootstrapKubeconfig(nodeName)));
      return kubeConfig;
    };
    const updates = new ManualUpdateSource();
    const defaultGroup = config.updates.group ?? config.os.channel;
    const nodeUpdates =
      options.updateSource === 'update-conf'
        ? await updateSettingsOfNodes(directory, topology, { source: updates, group: defaultGroup })
        : new Map<string, NodeUpdateSettings>();
    const systems = new Map<string, SimulatedOperatingSystem>();
    const systemOf = (nodeName: string): SimulatedOperatingSystem => {
      const os = systems.get(nodeName);
      if (os === undefined) throw new PreflightError(`no simulated node ${nodeName}`, { node: nodeName });
      return os;
    };
    fleet = new NodeFleet({
      name: config.name,
      kubeConfig: admin,
      bootstrapKubeConfig: bootstrap,
      stateDir: nodesDir,
      kubeletVersion: config.kubernetesVersion,
      operatingSystem: (nodeName) => {
        const workerIndex = topology.workers.findIndex((worker) => worker.name === nodeName);
        const configured = simulatedOsId(config.os.name);
        const id = (workerIndex < 0 ? undefined : options.workerOs?.(workerIndex)) ?? configured;
        const os = new SimulatedOperatingSystem({
          id,
          version: id === configured ? (config.os.version ?? DEFAULT_OS_VERSIONS[id]) : DEFAULT_OS_VERSIONS[id],
          // update.conf is Flatcar's: a Fedora CoreOS worker of a mixed fleet keeps the manual source.
          group: (id === 'flatcar' ? nodeUpdates.get(nodeName)?.group : undefined) ?? defaultGroup,
          updateSource: (id === 'flatcar' ? nodeUpdates.get(nodeName)?.source : undefined) ?? updates,
          ...options.os,
        });
        systems.set(nodeName, os);
        return os;
      },
      // kubectl logs and the console's log view reach process pods through kube-apiserver (ADR 0063).
      kubeletApi: true,
      runtimes: (nodeName) => [
        ...(options.nodeRuntimes?.({ nodeName, os: systemOf(nodeName) }) ?? []),
        new ProcessPodRuntime({ images }),
        new PlaceholderPodRuntime(),
      ],
    });
    const specs = nodeSpecs(topology);
    progress(`starting ${specs.length} simulated Container Linux node${specs.length === 1 ? '' : 's'}`);
    await fleet.start({ nodes: specs });
    await fleet.waitAllReady(options.readyTimeoutMs ?? 120_000);
    progress('waiting for the kubelet serving certificates (kubectl logs)');
    await fleet.waitKubeletApisServing();
    const started = fleet;
    const servedPayloads = payloads;
    return {
      config,
      topology,
      directory,
      server: topology.apiServerUrl,
      kubeconfigPath: directory.kubeconfigPath,
      controlPlane,
      fleet: started,
      updates,
      payloads: servedPayloads,
      adminKubeConfig: () => {
        const copy = new PooledKubeConfig();
        copy.loadFromFile(directory.kubeconfigPath);
        return copy;
      },
      nodeNames: () => started.nodes().map((node) => node.name),
      operatingSystem: systemOf,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
