// Public test helpers of @strata/platform-local: a whole local cluster in one call.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { withLockFile } from '@strata/host';
import { JOIN_APPROVER_IMAGE, type ClusterConfig } from '@strata/assets';
import { JOIN_APPROVER_LOCAL_COMMAND } from '@strata/join-approver/testing';
import { ClusterDirectory } from '../cluster/cluster-dir.ts';
import { defaultLocalConfig } from '../cluster/default-config.ts';
import { upLocalCluster, type LocalCluster, type UpLocalClusterOptions } from '../cluster/local-cluster.ts';

export interface TestClusterOptions {
  readonly workers?: number;
  readonly controllers?: 1 | 3;
  /** A full config instead of the defaults (platform must be local). */
  readonly config?: ClusterConfig;
  /** Fast simulated OS timings are the default in tests: 500 ms reboots, 100 ms update steps. */
  readonly os?: UpLocalClusterOptions['os'];
  readonly progress?: (message: string) => void;
  /** More local images, beside the join approver's, which every test cluster runs: no node joins without it. */
  readonly images?: UpLocalClusterOptions['images'];
  readonly nodeRuntimes?: UpLocalClusterOptions['nodeRuntimes'];
  readonly workerOs?: UpLocalClusterOptions['workerOs'];
  /** `update-conf`: every Flatcar node asks the server its rendered update.conf names (the cluster's own). */
  readonly updateSource?: UpLocalClusterOptions['updateSource'];
}

export interface TestCluster extends LocalCluster {
  /** Stops everything and removes the cluster directory. */
  destroy(): Promise<void>;
}

/**
 * Fault injection: sends `signal` to a running container of a process pod (SIGSTOP freezes it as a hung process
 * would, SIGCONT resumes it). Process containers report their pid in their container ID, `strata://<pid>`.
 */
export function signalContainer(pod: V1Pod, containerName: string, signal: NodeJS.Signals): number {
  const status = pod.status?.containerStatuses?.find((container) => container.name === containerName);
  const match = /^strata:\/\/(\d+)$/.exec(status?.containerID ?? '');
  if (match?.[1] === undefined) {
    throw new StrataError(
      `container ${containerName} of pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} is not a running process container`,
      {
        containerID: status?.containerID,
      },
    );
  }
  const pid = Number(match[1]);
  process.kill(pid, signal);
  return pid;
}

/**
 * Fault injection: kills a running container of a process pod with SIGKILL,
 * as a crash would (the runtime then restarts it per the pod's restartPolicy).
 */
export function crashContainer(pod: V1Pod, containerName: string): number {
  return signalContainer(pod, containerName, 'SIGKILL');
}

/** Simulated update_engine timings for tests: every step takes 100 ms, and nothing checks until a test asks. */
export const FAST_UPDATE_TIMINGS = {
  checkMs: 100,
  downloadStepMs: 100,
  verifyMs: 100,
  finalizeMs: 100,
  errorReportMs: 100,
  firstCheckDelayMs: Infinity,
  checkIntervalMs: Infinity,
} as const;

const FAST_OS: NonNullable<UpLocalClusterOptions['os']> = { rebootDelayMs: 500, timings: FAST_UPDATE_TIMINGS };

/**
 * Starts a local cluster (the rendered control plane on 127.0.0.2-4 and
 * simulated Flatcar nodes) in a temporary directory. Local clusters use fixed
 * loopback addresses, so one runs at a time on a machine: a second call, from
 * this process or another, waits until the first is destroyed.
 */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const lock = await holdMachineLock(options.progress);
  try {
    const cluster = await startUnlocked(options);
    return {
      ...cluster,
      destroy: async () => {
        try {
          await cluster.destroy();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Where test runs on one machine (say a CI clone beside a working tree) queue for the fixed loopback addresses. */
const MACHINE_LOCK = join(tmpdir(), 'strata-local-test-cluster.lock');

/** Takes the machine-wide lock and keeps it until release(); a holder that died is taken over. */
async function holdMachineLock(progress?: (message: string) => void): Promise<{ release(): Promise<void> }> {
  let acquired!: () => void;
  let release!: () => void;
  const isAcquired = new Promise<void>((resolve) => (acquired = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = withLockFile(
    MACHINE_LOCK,
    async () => {
      acquired();
      await released;
    },
    {
      onWait: (holder) =>
        progress?.(`waiting for the local test cluster of process ${holder.pid} to finish (one at a time per machine)`),
    },
  );
  await Promise.race([isAcquired, held]);
  return {
    release: async () => {
      release();
      await held;
    },
  };
}

/** The join approver's static pod as a process of this checkout's binary, as the installer runs it for strata up. */
export function joinApproverImages(): NonNullable<UpLocalClusterOptions['images']> {
  const [program, ...args] = JOIN_APPROVER_LOCAL_COMMAND;
  return { [JOIN_APPROVER_IMAGE]: { command: [program, ...args] } };
}

async function startUnlocked(options: TestClusterOptions): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-local-cluster-'));
  const config =
    options.config ??
    defaultLocalConfig({
      name: `test-${randomBytes(3).toString('hex')}`,
      workers: options.workers ?? 2,
      controllers: options.controllers ?? 1,
    });
  try {
    const cluster = await upLocalCluster({
      config,
      directory: new ClusterDirectory(dir),
      os: options.os ?? FAST_OS,
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      images: { ...joinApproverImages(), ...options.images },
      ...(options.nodeRuntimes === undefined ? {} : { nodeRuntimes: options.nodeRuntimes }),
      ...(options.workerOs === undefined ? {} : { workerOs: options.workerOs }),
      ...(options.updateSource === undefined ? {} : { updateSource: options.updateSource }),
    });
    return {
      ...cluster,
      destroy: async () => {
        await cluster.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

// The simulated Container Linux and the local cluster's parts, for the tests and benchmarks of packages on this
// layer (the update operator's agent runs against the simulated OS), which may not import the production entry point.
export { ManualUpdateSource, SimulatedOperatingSystem } from '../os/index.ts';
export { ClusterDirectory } from '../cluster/cluster-dir.ts';
export { defaultLocalConfig } from '../cluster/default-config.ts';
export { upLocalCluster } from '../cluster/local-cluster.ts';
// Simulated bare-metal machines, for the bare-metal platform's and the installer's tests.
export * from '../machines/index.ts';
export { applyManifests } from '../cluster/apply-manifests.ts';
// A real S3-compatible server (MinIO) on loopback with its own credentials and buckets: the etcd operator's backup
// tests store snapshots in it.
export {
  startS3Server,
  S3ServerError,
  S3_REGION,
  type S3Credentials,
  type S3Server,
  type S3ServerOptions,
} from '../s3/s3-server.ts';
// Persistent volumes of the local platform, for tests that look at a volume's directory on its node.
export * from '../storage/index.ts';
// A large fleet's Node objects in an API server without running the nodes, for what reads Nodes (the console).
export { createSimulatedNodes, simulatedNodeObjects, type SimulatedNodesOptions } from './simulated-nodes.ts';
