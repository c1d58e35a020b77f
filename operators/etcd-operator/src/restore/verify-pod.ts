// A snapshot stored on a claim is verified in a one-shot pod of the backup pod's kind (ADR 0053): the pod mounts the
// claim read-only and runs `etcd-operator verify-snapshot` (sha256, etcd's trailer, revision), reporting the figures in
// its termination message. The operator never mounts a claim: restores and recoveries from a claim work with the
// Deployment as rendered. The pod is named after its owner and the snapshot's sha256, so that an operator that
// stopped while waiting adopts its pod on the next pass instead of starting a second one.
import { posix } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { describeApiError, Informer, isAlreadyExists, isNotFound, kubernetesApiError } from '@strata/kube';
import { z } from 'zod';
import {
  BackupPodError,
  backupPodFinished,
  oneShotPod,
  oneShotPodResult,
  TERMINATION_LOG,
} from '../backup/backup-pod.ts';
import { CorruptSnapshotError, type VerifiedSnapshot } from '../backup/snapshot-file.ts';
import { checkVerified } from './fetch-verified.ts';

/** Every verifying pod carries its owner's UID (an EtcdRestore's, or a recovering EtcdCluster's). */
export const VERIFY_POD_LABEL = 'etcd.strata.dev/verify-for-uid';
export const VERIFY_POD_CLAIM_MOUNT = '/var/lib/etcd-backup';
const CONTAINER = 'verify';
const CLAIM_VOLUME = 'backup';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** What `verify-snapshot` writes to its termination log. */
export const verifyPodResultSchema = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('verified'),
    sha256: sha256Schema,
    revision: z.int().min(0),
    size: z.int().min(0),
  }),
  z.strictObject({ outcome: z.literal('failed'), reason: z.string().min(1), message: z.string() }),
]);
export type VerifyPodResult = z.infer<typeof verifyPodResultSchema>;

/** A recorded backup on a claim, and what it must verify as. */
export interface ClaimSnapshot {
  readonly claimName: string;
  /** The backups' directory below the claim's root. */
  readonly path: string;
  /** Its name in that directory. */
  readonly name: string;
  /** `pvc://<claim>/<path>/<name>`, for messages. */
  readonly location: string;
  readonly sha256: string;
  readonly revision?: number | undefined;
}

export interface VerifyPodOwner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

/** `<owner>-verify-<first 12 hex digits of the sha256>`, cut so that it stays a valid pod name. */
export function verifyPodName(owner: string, sha256: string): string {
  const suffix = `-verify-${sha256.slice(0, 12)}`;
  return `${owner.slice(0, 253 - suffix.length)}${suffix}`;
}

/** The snapshot's file inside the pod: the claim's directory, never above it. */
export function snapshotPathInPod(snapshot: Pick<ClaimSnapshot, 'path' | 'name'>): string {
  const relative = snapshot.path.replace(/^\/+/, '');
  const file = posix.normalize(posix.join(VERIFY_POD_CLAIM_MOUNT, relative, snapshot.name));
  if (!file.startsWith(`${VERIFY_POD_CLAIM_MOUNT}/`) || snapshot.name.includes('/')) {
    throw new StrataError(`backup ${snapshot.path}/${snapshot.name} leaves its claim`, { ...snapshot });
  }
  return file;
}

/** The verifying pod: no service account token, the claim read-only, nothing else. */
export function verifyPod(options: {
  readonly owner: VerifyPodOwner;
  readonly operatorImage: string;
  readonly snapshot: ClaimSnapshot;
}): V1Pod {
  const { owner, snapshot } = options;
  return oneShotPod({
    name: verifyPodName(owner.name, snapshot.sha256),
    namespace: owner.namespace,
    labels: { [VERIFY_POD_LABEL]: owner.uid },
    owner,
    container: CONTAINER,
    image: options.operatorImage,
    args: [
      'verify-snapshot',
      `--file=${snapshotPathInPod(snapshot)}`,
      `--location=${snapshot.location}`,
      `--sha256=${snapshot.sha256}`,
      ...(snapshot.revision === undefined ? [] : [`--revision=${snapshot.revision}`]),
      `--result-file=${TERMINATION_LOG}`,
    ],
    volumes: [{ name: CLAIM_VOLUME, persistentVolumeClaim: { claimName: snapshot.claimName, readOnly: true } }],
    mounts: [{ name: CLAIM_VOLUME, mountPath: VERIFY_POD_CLAIM_MOUNT, readOnly: true }],
  });
}

/**
 * The figures a finished verifying pod reported, held against the recorded ones again. A snapshot the pod found
 * corrupt is a CorruptSnapshotError (as when the operator verifies it itself); any other failure a BackupPodError with
 * the pod's reason.
 */
export function verifyPodOutcome(pod: V1Pod, snapshot: ClaimSnapshot): VerifiedSnapshot {
  let result: Exclude<VerifyPodResult, { outcome: 'failed' }>;
  try {
    result = oneShotPodResult(pod, CONTAINER, verifyPodResultSchema);
  } catch (error) {
    if (error instanceof BackupPodError && error.reason === 'SnapshotCorrupt') {
      throw new CorruptSnapshotError(snapshot.location, error.message, { pod: pod.metadata?.name });
    }
    throw error;
  }
  const { sha256, revision, size } = result;
  return checkVerified(snapshot.location, { sha256, revision, size }, snapshot.sha256, snapshot.revision);
}

/** The verifying pod did not finish in time, or was deleted by someone else before it did. */
export class VerifyPodError extends StrataError {}

export interface VerifyOnClaimOptions {
  readonly kubeConfig: KubeConfig;
  readonly owner: VerifyPodOwner;
  readonly operatorImage: string;
  readonly snapshot: ClaimSnapshot;
  /** How long the pod may take, from its creation (or adoption); 5 minutes by default. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Verifies a snapshot on a claim in a verifying pod and waits for its result (a watch on the pod); the pod is deleted
 * afterwards, whatever the outcome. A pod of the same name (the same owner and snapshot) left by an earlier pass is
 * adopted.
 */
export async function verifyOnClaim(options: VerifyOnClaimOptions): Promise<VerifiedSnapshot> {
  const { kubeConfig, owner, snapshot } = options;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const pod = verifyPod(options);
  const name = pod.metadata?.name ?? '';
  const { namespace } = owner;
  let outcome: { readonly verified: VerifiedSnapshot } | { readonly error: unknown };
  try {
    try {
      await core.createNamespacedPod({ namespace, body: pod });
    } catch (error) {
      if (!isAlreadyExists(error))
        throw kubernetesApiError({ verb: 'create', resource: 'pods', namespace, name }, error);
    }
    const finished = await untilFinished(
      kubeConfig,
      core,
      namespace,
      name,
      options.timeoutMs ?? 5 * 60_000,
      options.signal,
    );
    outcome = { verified: verifyPodOutcome(finished, snapshot) };
  } catch (error) {
    outcome = { error };
  }
  // Whatever the outcome, the pod goes: a failed or timed-out verification starts with a new pod next time.
  try {
    await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
  } catch (error) {
    if (!isNotFound(error)) throw kubernetesApiError({ verb: 'delete', resource: 'pods', namespace, name }, error);
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.verified;
}

/** The pod once it has finished, watched (not polled); a pod deleted before is a VerifyPodError, as is the timeout. */
function untilFinished(
  kubeConfig: KubeConfig,
  core: CoreV1Api,
  namespace: string,
  name: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<V1Pod> {
  return new Promise<V1Pod>((resolve, reject) => {
    const context = { namespace, pod: name };
    let settled = false;
    let watchError: unknown;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      informer.stop().then(finish, reject);
    };
    const gone = (): void =>
      settle(() =>
        reject(new VerifyPodError(`verifying pod ${namespace}/${name} was deleted before it finished`, context)),
      );
    const informer = new Informer<V1Pod>({
      kubeConfig,
      path: `/api/v1/namespaces/${namespace}/pods`,
      fieldSelector: `metadata.name=${name}`,
      list: (selectors) => core.listNamespacedPod({ namespace, ...selectors }),
      onChange: (change, pod) => {
        if (change === 'delete') gone();
        else if (backupPodFinished(pod)) settle(() => resolve(pod));
      },
      // The informer lists and watches again after its back-off; the last failure is quoted if time runs out.
      onError: (error) => {
        watchError = error;
      },
    });
    const timer = setTimeout(() => {
      const cause = watchError === undefined ? '' : ` (watching it last failed: ${describeApiError(watchError)})`;
      settle(() =>
        reject(
          new VerifyPodError(
            `verifying pod ${namespace}/${name} did not finish within ${Math.round(timeoutMs / 1000)} s${cause}`,
            context,
            watchError === undefined ? undefined : { cause: watchError },
          ),
        ),
      );
    }, timeoutMs);
    const aborted = (): void =>
      settle(() => reject(new VerifyPodError(`stopped waiting for verifying pod ${namespace}/${name}`, context)));
    signal?.addEventListener('abort', aborted, { once: true });
    informer.start().then((synced) => {
      if (synced && informer.get(name, namespace) === undefined) gone();
    }, reject);
  });
}
