// The controller: EtcdClusters and their pods through informers, one work queue keyed by cluster. Each pass
// observes etcd, asks the planner for one step, takes it, writes status and an Event, and comes back after a
// short while: etcd's own state cannot be watched through the API server, so it is observed again on a timer.
import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1PersistentVolumeClaim,
  type V1Pod,
} from '@kubernetes/client-node';
import { ETCD_CLUSTER, parseEtcdCluster, type EtcdCluster, type EtcdClusterStatus } from '@strata/api';
import {
  applyManifestObject,
  describeApiError,
  EventRecorder,
  ExponentialBackoffRateLimiter,
  Informer,
  isNotFound,
  kubernetesApiError,
  runWorkers,
  WorkQueue,
} from '@strata/kube';
import { StrataError } from '@strata/api';
import type { Logger } from 'pino';
import { type EtcdClient, hexId } from '../etcd/gateway-client.ts';
import { EtcdRequestError, isAlreadyCompacted, isMemberNotFound } from '../etcd/errors.ts';
import { plan, quorumOf, versionPlan, type Action } from '../plan/plan.ts';
import {
  NO_MAINTENANCE,
  UPGRADE_SNAPSHOT_NOT_OBSERVED,
  type EtcdView,
  type MaintenanceView,
  type MemberView,
  type Observed,
  type PodView,
} from '../plan/observed.ts';
import { defragmentationDue, DefragmentationRounds } from './defragmentation.ts';
import {
  claimNameOf,
  CLUSTER_LABEL,
  CLUSTER_UID_LABEL,
  memberClaim,
  memberLabels,
  memberPod,
  newMemberName,
  type MemberPodOptions,
} from '../pods/member-pod.ts';
import type { EtcdOperatorMetrics } from './metrics.ts';
import { claimView, observeEtcd, podView } from './observe.ts';
import { evenSizeNote, recordedClusterId, statusOf, upgradeSnapshotNote } from './status.ts';
import { listUpgradeSnapshotView, requestUpgradeSnapshot } from './upgrade-snapshot-api.ts';
import { ClusterTlsClients } from '../tls/cluster-tls-clients.ts';
import { clientSecretName, usesTls } from '../tls/names.ts';
import { certificateValiditySeconds, readServingCertificate, renewalDue } from '../tls/renewal.ts';
import { clientURLOf } from '../plan/observed.ts';
import { seedSourceOf, type SeedSource } from '../restore/seed-source.ts';
import { recoveryUnderway, type RecoveryPlan } from '../recovery/recovery-plan.ts';
import { NoRecoveryBackupError, QuorumRecovery, type RecoveryEvent } from '../recovery/quorum-recovery.ts';
import {
  recordedReform,
  REFORM_CONFIRM_MS,
  reformUnderway,
  stuckFingerprint,
  type ReformPlan,
} from '../reform/reform-plan.ts';
import { readLeaderless } from '../reform/member-metrics.ts';
import { recordReform } from '../reform/reform-record.ts';

const FIELD_MANAGER = 'strata-etcd-operator';

/** How soon a cluster is observed again after each kind of step. */
export interface ResyncIntervals {
  readonly afterChangeMs: number;
  readonly waitingMs: number;
  readonly haltedMs: number;
  readonly steadyMs: number;
}

const DEFAULT_RESYNC: ResyncIntervals = { afterChangeMs: 500, waitingMs: 1000, haltedMs: 5000, steadyMs: 5000 };

export interface EtcdClusterControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly identity: string;
  readonly logger: Logger;
  readonly metrics: EtcdOperatorMetrics;
  /** The operator's own image: a joining member's init container runs its `await-member`. */
  readonly operatorImage: string;
  /** Only EtcdClusters in this namespace; all when absent. */
  readonly namespace?: string;
  /** Writes only while this holds (the Lease's fence). */
  readonly mayWrite: () => boolean;
  readonly resync?: Partial<ResyncIntervals>;
  readonly etcdTimeoutMs?: number;
  /** Caps automatic TLS's certificate lifetimes (--certificate-validity-seconds): renewals come sooner. */
  readonly certificateValidityCapSeconds?: number;
  /** Where a recovery from a backup (recovery: fromLatestBackup) verifies it and reads backup claims. */
  readonly recovery?: { readonly scratchDirectory: string; readonly pvcRoot: string };
}

const clusterKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export class EtcdClusterController {
  readonly #options: EtcdClusterControllerOptions;
  readonly #core: CoreV1Api;
  readonly #customObjects: CustomObjectsApi;
  readonly #events: EventRecorder;
  readonly #tls: ClusterTlsClients;
  readonly #queue = new WorkQueue();
  readonly #clusters: Informer<KubernetesObject>;
  readonly #pods: Informer<V1Pod>;
  readonly #claims: Informer<V1PersistentVolumeClaim>;
  readonly #resync: ResyncIntervals;
  /** Pods this replica created or deleted that its informer has not yet shown so: no step is taken past them. */
  readonly #expected = new Map<string, { readonly pod: string; readonly present: boolean }>();
  readonly #leaders = new Map<string, string>();
  /** The last halt reported per cluster, so that a halt is one Event, not one per pass. */
  readonly #lastHalt = new Map<string, string>();
  /** The generation whose spec was last warned of per cluster: one Event per change of the spec. */
  readonly #specWarned = new Map<string, number>();
  /**
   * After a failed pass (etcd refusing a change, say "unhealthy cluster" right after a promotion), the cluster is not
   * passed again before its back-off, however many pod updates arrive meanwhile.
   */
  readonly #retryLimiter = new ExponentialBackoffRateLimiter({ baseDelayMs: 500, maxDelayMs: 10_000 });
  readonly #notBefore = new Map<string, number>();
  readonly #rounds = new DefragmentationRounds();
  readonly #recovery: QuorumRecovery | undefined;
  /** Per cluster: since when the same members have been seen without a leader or a peer (../reform/). */
  readonly #stuck = new Map<string, { readonly fingerprint: string; readonly since: number }>();
  /** Per cluster, the expiry of the certificate each member pod (by UID) serves: a pod's certificate never changes. */
  readonly #memberCertificates = new Map<string, Map<string, { readonly pod: string; readonly notAfter: Date }>>();

  constructor(options: EtcdClusterControllerOptions) {
    this.#options = options;
    const { kubeConfig } = options;
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#events = new EventRecorder(kubeConfig, {
      reportingController: 'strata.dev/etcd-operator',
      reportingInstance: options.identity,
    });
    this.#tls = new ClusterTlsClients({
      kubeConfig,
      core: this.#core,
      rbac: kubeConfig.makeApiClient(RbacAuthorizationV1Api),
      timeoutMs: options.etcdTimeoutMs ?? 1000,
      ...(options.certificateValidityCapSeconds === undefined
        ? {}
        : { validityCapSeconds: options.certificateValidityCapSeconds }),
      onClientRenewed: (cluster, previous, next) =>
        this.#event(
          cluster,
          'Normal',
          'ClientCertificateRenewed',
          'RenewCertificate',
          `reissued the certificate of Secret ${clientSecretName(cluster.metadata.name)} (it expired ${previous.toISOString()}, the new one ${next.toISOString()}); the CA is unchanged`,
        ),
    });
    this.#resync = { ...DEFAULT_RESYNC, ...options.resync };
    this.#recovery =
      options.recovery === undefined
        ? undefined
        : new QuorumRecovery({
            core: this.#core,
            customObjects: this.#customObjects,
            ...options.recovery,
            // Backups on a claim are verified in a pod of the operator's image: the operator mounts no claim.
            claimVerification: { kubeConfig, operatorImage: options.operatorImage },
          });
    const onError = (what: string) => (error: unknown, retryInMs: number | undefined) =>
      options.logger.warn({ err: error, retryInMs }, `watching ${what} failed`);
    const namespace = options.namespace;
    const base = `/apis/${ETCD_CLUSTER.group}/${ETCD_CLUSTER.version}`;
    this.#clusters = new Informer<KubernetesObject>({
      kubeConfig,
      path:
        namespace === undefined
          ? `${base}/${ETCD_CLUSTER.plural}`
          : `${base}/namespaces/${namespace}/${ETCD_CLUSTER.plural}`,
      list: async (selectors) => {
        const common = {
          group: ETCD_CLUSTER.group,
          version: ETCD_CLUSTER.version,
          plural: ETCD_CLUSTER.plural,
          ...selectors,
        };
        const listed: unknown =
          namespace === undefined
            ? await this.#customObjects.listClusterCustomObject(common)
            : await this.#customObjects.listNamespacedCustomObject({ ...common, namespace });
        return listed as KubernetesListObject<KubernetesObject>;
      },
      onChange: (_change, object) =>
        this.#queue.add(clusterKey(object.metadata?.namespace ?? '', object.metadata?.name ?? '')),
      onError: onError('EtcdClusters'),
    });
    this.#pods = new Informer<V1Pod>({
      kubeConfig,
      path: namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${namespace}/pods`,
      labelSelector: CLUSTER_LABEL,
      list: (selectors) =>
        namespace === undefined
          ? this.#core.listPodForAllNamespaces(selectors)
          : this.#core.listNamespacedPod({ namespace, ...selectors }),
      onChange: (_change, pod) => {
        const cluster = pod.metadata?.labels?.[CLUSTER_LABEL];
        if (cluster !== undefined) this.#queue.add(clusterKey(pod.metadata?.namespace ?? '', cluster));
      },
      onError: onError('etcd pods'),
    });
    this.#claims = new Informer<V1PersistentVolumeClaim>({
      kubeConfig,
      path:
        namespace === undefined
          ? '/api/v1/persistentvolumeclaims'
          : `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
      labelSelector: CLUSTER_LABEL,
      list: (selectors) =>
        namespace === undefined
          ? this.#core.listPersistentVolumeClaimForAllNamespaces(selectors)
          : this.#core.listNamespacedPersistentVolumeClaim({ namespace, ...selectors }),
      onChange: (_change, claim) => {
        const cluster = claim.metadata?.labels?.[CLUSTER_LABEL];
        if (cluster !== undefined) this.#queue.add(clusterKey(claim.metadata?.namespace ?? '', cluster));
      },
      onError: onError('etcd claims'),
    });
  }

  /** Runs until `signal` aborts; nothing is decided before both caches hold a full list. */
  async run(signal: AbortSignal): Promise<void> {
    const stopped = signal.aborted
      ? Promise.resolve()
      : new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([Promise.all([this.#clusters.start(), this.#pods.start(), this.#claims.start()]), stopped]);
    // One worker: the passes of one cluster never overlap, and the clusters of one operator are few.
    const workers = signal.aborted
      ? Promise.resolve()
      : runWorkers(this.#queue, 1, (key) => this.#pass(key), {
          onError: (error, key) => this.#options.logger.error({ err: error, cluster: key }, 'reconciling failed'),
        });
    await stopped;
    await this.#queue.shutDown();
    await Promise.all([this.#clusters.stop(), this.#pods.stop(), this.#claims.stop(), workers]);
  }

  async #pass(key: string): Promise<void> {
    const backingOff = (this.#notBefore.get(key) ?? 0) - Date.now();
    if (backingOff > 0) {
      this.#queue.addAfter(key, backingOff);
      return;
    }
    try {
      await this.#reconcile(key);
      this.#retryLimiter.forget(key);
      this.#notBefore.delete(key);
    } catch (error) {
      const delayMs = this.#retryLimiter.when(key);
      this.#notBefore.set(key, Date.now() + delayMs);
      this.#queue.addAfter(key, delayMs);
      // etcd refusing or not answering is expected now and then; anything else is a fault.
      const level = error instanceof EtcdRequestError ? 'warn' : 'error';
      this.#options.logger[level]({ err: error, cluster: key, retryInMs: delayMs }, 'the pass failed; trying again');
    }
  }

  async #reconcile(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/', 2);
    const raw = this.#clusters.get(name, namespace);
    if (raw === undefined || raw.metadata?.deletionTimestamp !== undefined) {
      this.#leaders.delete(key);
      this.#stuck.delete(key);
      this.#specWarned.delete(key);
      this.#rounds.forget(key);
      for (const certificate of [
        'client',
        ...[...(this.#memberCertificates.get(key)?.values() ?? [])].map((e) => e.pod),
      ]) {
        this.#options.metrics.certificateExpiry.remove({ cluster: key, certificate });
      }
      this.#memberCertificates.delete(key);
      if (raw === undefined && this.#options.mayWrite()) await this.#tls.forget(namespace, name);
      return;
    }
    const cluster = parseEtcdCluster(raw);
    // This cluster's gateway client, plain or with its client certificate: passed along, never kept across passes.
    const client = await this.#tls.clientFor(cluster, this.#options.mayWrite());
    const pods = this.#pods.list(namespace).filter((pod) => pod.metadata?.labels?.[CLUSTER_LABEL] === name);
    const expected = this.#expected.get(key);
    if (expected !== undefined) {
      const present = pods.some(
        (pod) => pod.metadata?.name === expected.pod && pod.metadata.deletionTimestamp === undefined,
      );
      if (present !== expected.present) {
        this.#queue.addAfter(key, this.#resync.afterChangeMs);
        return;
      }
      this.#expected.delete(key);
    }
    const ownClaims = this.#claims
      .list(namespace)
      .filter(
        (claim) =>
          claim.metadata?.labels?.[CLUSTER_LABEL] === name &&
          claim.metadata.labels[CLUSTER_UID_LABEL] === cluster.metadata.uid,
      );
    // A recovery under way (rule 8): the lost cluster's pods and claims go first; until it is done, no formed cluster
    // is known, so that the planner bootstraps the seeded one.
    const recovery = recoveryUnderway(cluster);
    if (recovery !== undefined && this.#recovery !== undefined && this.#options.mayWrite()) {
      const event = this.#recoveryEvent(cluster);
      if (await this.#recovery.clearLostMembers(cluster, recovery, pods, ownClaims, event)) {
        this.#queue.addAfter(key, this.#resync.afterChangeMs);
        return;
      }
    }
    const renewalDue = await this.#memberRenewals(key, cluster, pods);
    const podViews = pods.map((pod) => {
      const view = podView(pod);
      const due = renewalDue.get(pod.metadata?.uid ?? '');
      return due === undefined ? view : { ...view, certificateRenewalDue: due };
    });
    const etcd = await observeEtcd(client, podViews, usesTls(cluster));
    const maintenance = await this.#maintenance(client, key, cluster, etcd);
    const claims = ownClaims.flatMap((claim) => claimView(claim) ?? []);
    const reform = recovery === undefined ? reformUnderway(cluster) : undefined;
    const knownClusterId = recovery === undefined ? recordedClusterId(cluster.status) : undefined;
    // On claims, a formed cluster without a leader: its members' metrics say whether it is one to re-form.
    const leaderlessOnClaims =
      cluster.spec.storage.pvc !== undefined &&
      reform === undefined &&
      knownClusterId !== undefined &&
      (etcd.kind === 'silent' || (etcd.kind === 'answered' && etcd.leaderId === undefined));
    if (!leaderlessOnClaims) this.#stuck.delete(key);
    const leaderless = leaderlessOnClaims ? await this.#leaderless(key, podViews) : undefined;
    const recordedUpgrade = cluster.status?.upgrade;
    const base: Observed = {
      spec: {
        size: cluster.spec.size,
        version: cluster.spec.version,
        recovery: cluster.spec.recovery,
        paused: cluster.spec.paused,
        storage: cluster.spec.storage.pvc === undefined ? 'emptyDir' : 'pvc',
        tls: usesTls(cluster),
      },
      knownClusterId,
      knownVersion: cluster.status?.currentVersion,
      pods: podViews,
      claims,
      etcd,
      maintenance,
      upgradeSnapshot: UPGRADE_SNAPSHOT_NOT_OBSERVED,
      upgradeUnderWay:
        recordedUpgrade === undefined || recordedUpgrade.completedAt !== undefined
          ? undefined
          : { from: recordedUpgrade.fromVersion, to: recordedUpgrade.toVersion },
      reform,
      leaderless,
    };
    // The namespace's EtcdBackups are read only while an upgrade is asked: its snapshot comes first (rule 9).
    const versions = versionPlan(base);
    const observed: Observed =
      versions.current === versions.target
        ? base
        : { ...base, upgradeSnapshot: await listUpgradeSnapshotView(this.#customObjects, cluster) };
    const action = plan(observed);
    this.#recordMetrics(key, observed);
    this.#options.logger.debug({ cluster: key, action: action.kind }, 'planned');
    if (action.kind !== 'none' && action.kind !== 'wait' && action.kind !== 'halt') {
      this.#options.metrics.actions.inc({ cluster: key, action: action.kind });
    }
    await this.#applyDisruptionBudget(cluster);
    await this.#warnOfSpec(key, cluster, observed);
    await this.#take(client, cluster, observed, action);
    const defragmented = maintenance !== NO_MAINTENANCE && this.#rounds.taken(key, action, maintenance.alarms);
    await this.#writeStatus(cluster, observed, action, defragmented ? new Date() : undefined);
    await this.#recover(key, cluster, observed, action, recovery);
    const delay =
      action.kind === 'none'
        ? this.#resync.steadyMs
        : action.kind === 'wait'
          ? this.#resync.waitingMs
          : action.kind === 'halt'
            ? this.#resync.haltedMs
            : this.#resync.afterChangeMs;
    this.#queue.addAfter(key, delay);
  }

  /**
   * Automatic TLS: which member pods (by UID) serve a certificate due for renewal, read over a TLS handshake once per
   * pod (a pod keeps its certificate for its life); and the expiry metric of each member's and the client's.
   */
  async #memberRenewals(key: string, cluster: EtcdCluster, pods: readonly V1Pod[]): Promise<Map<string, boolean>> {
    const due = new Map<string, boolean>();
    const credentials = this.#tls.credentialsOf(cluster);
    if (cluster.spec.tls.auto === undefined || credentials === undefined) return due;
    const validitySeconds = certificateValiditySeconds(cluster, this.#options.certificateValidityCapSeconds);
    const known = this.#memberCertificates.get(key) ?? new Map<string, { pod: string; notAfter: Date }>();
    const current = new Map<string, { pod: string; notAfter: Date }>();
    await Promise.all(
      pods.map(async (pod) => {
        const uid = pod.metadata?.uid ?? '';
        const ip = pod.status?.podIP;
        let notAfter = known.get(uid)?.notAfter;
        if (notAfter === undefined && ip !== undefined && pod.metadata?.deletionTimestamp === undefined) {
          try {
            notAfter = (await readServingCertificate(clientURLOf(ip, true), credentials, 1000)).validToDate;
          } catch (error) {
            // Not serving yet (starting, restarting): asked again next pass.
            this.#options.logger.debug({ err: error, pod: pod.metadata?.name }, 'no serving certificate read');
          }
        }
        if (notAfter === undefined) return;
        current.set(uid, { pod: pod.metadata?.name ?? '', notAfter });
        due.set(uid, renewalDue(notAfter, validitySeconds, new Date()));
        this.#options.metrics.certificateExpiry.set(
          { cluster: key, certificate: pod.metadata?.name ?? '' },
          notAfter.getTime() / 1000,
        );
      }),
    );
    this.#memberCertificates.set(key, current);
    // A pod gone takes its series with it (a restarted member's new pod of the same name sets it again).
    const live = new Set([...current.values()].map((entry) => entry.pod));
    for (const { pod } of known.values()) {
      if (!live.has(pod)) this.#options.metrics.certificateExpiry.remove({ cluster: key, certificate: pod });
    }
    const client = this.#tls.clientNotAfterOf(cluster);
    if (client !== undefined) {
      this.#options.metrics.certificateExpiry.set({ cluster: key, certificate: 'client' }, client.getTime() / 1000);
    }
    return due;
  }

  /** Warnings about the spec itself (an even size, a refused upgrade): one Event per generation of the spec each. */
  async #warnOfSpec(key: string, cluster: EtcdCluster, observed: Observed): Promise<void> {
    const generation = cluster.metadata.generation ?? 0;
    if (!this.#options.mayWrite() || this.#specWarned.get(key) === generation) return;
    this.#specWarned.set(key, generation);
    const note = evenSizeNote(cluster.spec.size);
    if (note !== undefined) await this.#event(cluster, 'Warning', 'EvenSize', 'Accept', `${note}; accepted as asked`);
    const { path } = versionPlan(observed);
    if (path.kind === 'refused') await this.#event(cluster, 'Warning', 'UpgradeRefused', 'Refuse', path.message);
  }

  #assertLeading(cluster: EtcdCluster): void {
    if (!this.#options.mayWrite()) {
      throw new NotLeadingError(
        `not acting on EtcdCluster ${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}: this replica does not lead`,
        {
          cluster: cluster.metadata.name,
        },
      );
    }
  }

  async #take(client: EtcdClient, cluster: EtcdCluster, observed: Observed, action: Action): Promise<void> {
    const key = clusterKey(cluster.metadata.namespace ?? '', cluster.metadata.name);
    const leaderEndpoint = (): string => {
      const etcd = observed.etcd;
      const leader = etcd.kind === 'answered' ? etcd.members.find((member) => member.id === etcd.leaderId) : undefined;
      const url = leader?.clientURLs[0];
      if (url === undefined)
        throw new NotLeadingError('no leader endpoint to send a membership change to', { cluster: key });
      return url;
    };
    switch (action.kind) {
      case 'none':
      case 'wait':
        this.#lastHalt.delete(key);
        return;
      case 'halt':
        if (this.#lastHalt.get(key) !== action.reason) {
          this.#lastHalt.set(key, action.reason);
          await this.#event(cluster, 'Warning', action.reason, 'Halt', action.message);
        }
        return;
      case 'bootstrap':
      case 'createJoiningPod': {
        this.#assertLeading(cluster);
        const name = newMemberName(cluster.metadata.name);
        // A restored cluster's founding member is seeded from the restore's verified snapshot.
        const seed = action.kind === 'bootstrap' ? seedSourceOf(cluster) : undefined;
        await this.#createMemberPod(
          cluster,
          name,
          action.kind === 'bootstrap' ? { state: 'new' } : { state: 'existing', members: action.members },
          action.kind === 'bootstrap' ? cluster.spec.version : action.version,
          seed,
        );
        await this.#event(
          cluster,
          'Normal',
          action.kind === 'bootstrap' ? (seed === undefined ? 'Bootstrapping' : 'Seeding') : 'AddingMember',
          'CreatePod',
          action.kind !== 'bootstrap'
            ? `created pod ${name}; it joins as a learner of ${action.members.length} members`
            : seed === undefined
              ? `created pod ${name}, the founding member`
              : `created pod ${name}, the founding member, seeded from snapshot ${seed.name} (revision ${seed.revision}, sha256 ${seed.sha256}) under a new cluster ID`,
        );
        return;
      }
      case 'addLearner': {
        this.#assertLeading(cluster);
        const added = await client.addLearner(leaderEndpoint(), action.peerURL);
        await this.#event(
          cluster,
          'Normal',
          'LearnerAdded',
          'AddMember',
          `added learner ${hexId(added.ID)} for pod ${action.pod} at ${action.peerURL}`,
        );
        return;
      }
      case 'restartMember':
        this.#assertLeading(cluster);
        await this.#createMemberPod(cluster, action.member, { state: 'restart' }, action.version);
        await this.#event(
          cluster,
          'Normal',
          'MemberRestarted',
          'CreatePod',
          `recreated pod ${action.member} (etcd ${action.version}) on claim ${action.claim}: the member restarts on its own data, not replaced`,
        );
        return;
      case 'renewMember': {
        this.#assertLeading(cluster);
        await this.#rollPod(cluster, action.member.name);
        const pod = this.#pods.get(action.member.name, cluster.metadata.namespace ?? '');
        const notAfter = this.#memberCertificates.get(key)?.get(pod?.metadata?.uid ?? '')?.notAfter;
        await this.#event(
          cluster,
          'Normal',
          'MemberCertificateRenewing',
          'DeletePod',
          `renewing the certificate of member ${describeMember(action.member)} (it expires ${notAfter?.toISOString() ?? 'soon'}): its pod is recreated on its claim with a new certificate`,
        );
        return;
      }
      case 'upgradeMember':
        this.#assertLeading(cluster);
        await this.#rollPod(cluster, action.member.name);
        await this.#event(
          cluster,
          'Normal',
          'MemberUpgrading',
          'DeletePod',
          `upgrading member ${describeMember(action.member)} from ${action.from} to ${action.to}: its pod is recreated on its claim; ${upgradeSnapshotNote(observed)}`,
        );
        return;
      case 'snapshotBeforeUpgrade':
        this.#assertLeading(cluster);
        await requestUpgradeSnapshot(this.#customObjects, cluster, action);
        await this.#event(
          cluster,
          'Normal',
          'UpgradeSnapshotRequested',
          'CreateBackup',
          `upgrading ${action.from} → ${action.to}: created EtcdBackup ${action.backup} (the destination of ${action.destination}); no member is upgraded before it is stored`,
        );
        return;
      case 'updatePeerURL':
        this.#assertLeading(cluster);
        await client.updatePeerURLs(leaderEndpoint(), action.member.id, [action.peerURL]);
        await this.#event(
          cluster,
          'Normal',
          'PeerURLUpdated',
          'UpdateMember',
          `member ${describeMember(action.member)} answers from a new pod: peer URL ${action.member.peerURLs.join(',')} → ${action.peerURL}`,
        );
        return;
      case 'deleteClaim':
        this.#assertLeading(cluster);
        await this.#deleteClaim(cluster, action.claim);
        await this.#event(
          cluster,
          'Normal',
          'ClaimDeleted',
          'DeleteClaim',
          `deleted claim ${action.claim} and its data: member ${action.member} is gone and no pod uses it`,
        );
        return;
      case 'compact':
        this.#assertLeading(cluster);
        try {
          await client.compact(leaderEndpoint(), String(action.revision));
        } catch (error) {
          if (!isAlreadyCompacted(error)) throw error;
        }
        await this.#event(
          cluster,
          'Normal',
          'Compacted',
          'Compact',
          `compacted the key space to revision ${action.revision}: the first step of clearing a NOSPACE alarm`,
        );
        return;
      case 'defragment': {
        this.#assertLeading(cluster);
        const endpoint = action.member.clientURLs[0];
        if (endpoint === undefined)
          throw new NotLeadingError(`member ${describeMember(action.member)} has no client URL`, { cluster: key });
        const startedAt = performance.now();
        await client.defragment(endpoint);
        await this.#event(
          cluster,
          'Normal',
          'Defragmented',
          'Defragment',
          `defragmented member ${describeMember(action.member)}${action.member.leader ? ' (the leader, last)' : ''} in ${Math.round(performance.now() - startedAt)} ms; was ${action.member.dbSize ?? '?'} bytes`,
        );
        return;
      }
      case 'disarm':
        this.#assertLeading(cluster);
        for (const alarm of action.alarms) {
          await client.disarm(leaderEndpoint(), { memberID: alarm.memberId, alarm: alarm.alarm });
        }
        await this.#event(
          cluster,
          'Normal',
          'AlarmCleared',
          'Disarm',
          `cleared the NOSPACE alarm of ${action.alarms.length === 1 ? 'member' : 'members'} ${action.alarms.map((alarm) => hexId(alarm.memberId)).join(', ')} after compaction and defragmentation`,
        );
        return;
      case 'promote':
        this.#assertLeading(cluster);
        await client.promote(leaderEndpoint(), action.member.id);
        await this.#event(
          cluster,
          'Normal',
          'MemberPromoted',
          'PromoteMember',
          `promoted learner ${describeMember(action.member)} to a voting member`,
        );
        return;
      case 'moveLeader':
        this.#assertLeading(cluster);
        await client.moveLeader(action.from.clientURLs[0] ?? leaderEndpoint(), action.to.id);
        await this.#event(
          cluster,
          'Normal',
          'LeaderMoved',
          'MoveLeader',
          `moved leadership from ${describeMember(action.from)} to ${describeMember(action.to)} before removing it`,
        );
        return;
      case 'removeMember': {
        this.#assertLeading(cluster);
        try {
          await client.remove(leaderEndpoint(), action.member.id);
        } catch (error) {
          // Already gone (an earlier pass that did not see its answer): that is what was wanted.
          if (!isMemberNotFound(error)) throw error;
        }
        const voters = observed.etcd.kind === 'answered' ? observed.etcd.members.filter((m) => !m.learner).length : 0;
        await this.#event(
          cluster,
          'Normal',
          action.reason === 'ScaleDown'
            ? 'MemberRemoved'
            : action.reason === 'Replace'
              ? 'DeadMemberRemoved'
              : action.reason === 'Upgrade'
                ? 'MemberRemovedForUpgrade'
                : action.reason === 'CertificateRenewal'
                  ? 'MemberRemovedForCertificateRenewal'
                  : 'LearnerRemoved',
          'RemoveMember',
          `removed member ${describeMember(action.member)} (${action.reason}); ${action.member.learner ? voters : voters - 1} voting members remain, quorum ${quorumOf(Math.max(1, action.member.learner ? voters : voters - 1))}`,
        );
        return;
      }
      case 'reformStart':
      case 'reformDeletePod':
      case 'reformForceStart':
      case 'reformForced':
      case 'reformRestart':
      case 'reformComplete':
        this.#assertLeading(cluster);
        await this.#reform(cluster, action);
        return;
      case 'deletePod':
        this.#assertLeading(cluster);
        await this.#deletePod(cluster, action.pod);
        this.#expected.set(key, { pod: action.pod, present: false });
        // The pod's data is its claim's: it goes too (the claim outlives the pod until the pod is gone).
        if (action.claim !== undefined) await this.#deleteClaim(cluster, action.claim);
        await this.#event(
          cluster,
          'Normal',
          'PodDeleted',
          'DeletePod',
          `deleted pod ${action.pod} and its data${action.claim === undefined ? '' : ` (claim ${action.claim})`}: ${action.reason === 'NoMember' ? 'it has no member' : 'it is not needed'}`,
        );
        return;
    }
  }

  /**
   * A new member's claim first (storage.pvc), then its pod, which mounts it. A restarted member's claim is its own
   * surviving one. A new member's claim never exists before: its name is new, and another cluster's kept claim of
   * that name is refused rather than mounted.
   */
  async #createMemberPod(
    cluster: EtcdCluster,
    name: string,
    join: MemberPodOptions['join'],
    version: string,
    seed?: SeedSource,
    forceNewCluster?: string,
  ): Promise<void> {
    const key = clusterKey(cluster.metadata.namespace ?? '', cluster.metadata.name);
    // What a member pod of automatic TLS needs (its service account, the CA it trusts) is there before it.
    if (cluster.spec.tls.auto !== undefined) await this.#tls.ensure(cluster);
    const pvc = cluster.spec.storage.pvc;
    if (pvc !== undefined && join.state !== 'restart') {
      const namespace = cluster.metadata.namespace ?? '';
      try {
        await this.#core.createNamespacedPersistentVolumeClaim({ namespace, body: memberClaim(cluster, pvc, name) });
      } catch (error) {
        throw kubernetesApiError(
          { verb: 'create', resource: 'persistentvolumeclaims', namespace, name: claimNameOf(name) },
          error,
        );
      }
    }
    await this.#createPod(
      memberPod({
        cluster,
        name,
        operatorImage: this.#options.operatorImage,
        join,
        version,
        ...(seed === undefined ? {} : { seed }),
        ...(forceNewCluster === undefined ? {} : { forceNewCluster }),
      }),
    );
    this.#expected.set(key, { pod: name, present: true });
  }

  /**
   * Rule 8 with `recovery: fromLatestBackup`: a quorum loss starts a recovery from the newest good backup (nothing is
   * destroyed unless one verified); a recovery under way is done once the new cluster answers under a new ID.
   */
  async #recover(
    key: string,
    cluster: EtcdCluster,
    observed: Observed,
    action: Action,
    underway: RecoveryPlan | undefined,
  ): Promise<void> {
    if (this.#recovery === undefined || !this.#options.mayWrite()) return;
    const etcd = observed.etcd;
    if (underway !== undefined) {
      if (etcd.kind !== 'answered' || etcd.leaderId === undefined) return;
      if (hexId(etcd.clusterId) === underway.previousClusterID) return;
      await this.#recovery.complete(cluster, underway, hexId(etcd.clusterId));
      await this.#event(
        cluster,
        'Normal',
        'Recovered',
        'Recover',
        `recovered from backup ${underway.snapshot} (EtcdBackup ${underway.backup}) as cluster ${hexId(etcd.clusterId)} (was ${underway.previousClusterID ?? 'unknown'}): revision ${underway.restoredRevision}, ${underway.revisionLost} revisions lost`,
      );
      return;
    }
    if (action.kind !== 'halt' || action.condition !== 'QuorumLost' || cluster.spec.recovery !== 'fromLatestBackup') {
      return;
    }
    const namespace = cluster.metadata.namespace ?? '';
    const pods = this.#pods
      .list(namespace)
      .filter((pod) => pod.metadata?.labels?.[CLUSTER_LABEL] === cluster.metadata.name)
      .map((pod) => pod.metadata?.name ?? '');
    try {
      await this.#recovery.start(
        cluster,
        { pods, claims: observed.claims.map((claim) => claim.name) },
        this.#recoveryEvent(cluster),
      );
      this.#queue.addAfter(key, this.#resync.afterChangeMs);
    } catch (error) {
      if (!(error instanceof NoRecoveryBackupError)) throw error;
      // Reported once per halt, as the halt itself is: the quorum loss stays as it is, nothing is destroyed.
      if (this.#lastHalt.get(key) === 'RecoveryImpossible') return;
      this.#lastHalt.set(key, 'RecoveryImpossible');
      await this.#event(cluster, 'Warning', 'RecoveryImpossible', 'Halt', error.message);
    }
  }

  /** Every member pod's metrics, and how long the same members have been without a leader and any peer. */
  async #leaderless(key: string, pods: readonly PodView[]): Promise<NonNullable<Observed['leaderless']>> {
    const answers = await readLeaderless(pods, this.#options.etcdTimeoutMs ?? 1000);
    const fingerprint = stuckFingerprint(answers);
    const before = this.#stuck.get(key);
    if (fingerprint === undefined) {
      this.#stuck.delete(key);
      return { answers, heldForMs: 0 };
    }
    if (before?.fingerprint === fingerprint) return { answers, heldForMs: Date.now() - before.since };
    this.#stuck.set(key, { fingerprint, since: Date.now() });
    return { answers, heldForMs: 0 };
  }

  /** A step of re-forming a cluster whose every member moved at once (../reform/reform-plan.ts, ADR 0054). */
  async #reform(cluster: EtcdCluster, action: Extract<Action, { kind: `reform${string}` }>): Promise<void> {
    const key = clusterKey(cluster.metadata.namespace ?? '', cluster.metadata.name);
    const recorded = recordedReform(cluster);
    const describeCandidate = (candidate: ReformPlan['members'][number]): string =>
      `${candidate.member} (${hexId(candidate.memberId)}: revision ${candidate.revision}, applied index ${candidate.appliedIndex})`;
    switch (action.kind) {
      case 'reformStart': {
        const plan: ReformPlan = {
          token: randomBytes(4).toString('hex'),
          member: action.chosen.member,
          memberId: action.chosen.memberId,
          clusterId: action.clusterId,
          stage: 'forcing',
          members: [...action.members],
          startedAt: new Date().toISOString(),
        };
        await recordReform(this.#customObjects, cluster, plan);
        await this.#event(
          cluster,
          'Warning',
          'ReformStarted',
          'Reform',
          `every member of cluster ${hexId(action.clusterId)} is back on its data, but none has had a leader or reached a peer for ${REFORM_CONFIRM_MS / 1000} s (each at an address no peer knows): re-forming it around ${describeCandidate(action.chosen)}, the most up-to-date of ${action.members.map(describeCandidate).join(', ')}; it is restarted once with --force-new-cluster (same data, same cluster ID), then the others' data is deleted and they rejoin as new members`,
        );
        return;
      }
      case 'reformDeletePod':
        await this.#deletePod(cluster, action.member);
        this.#expected.set(key, { pod: action.member, present: false });
        await this.#event(
          cluster,
          'Normal',
          'ReformPodDeleted',
          'Reform',
          action.forced
            ? `deleted the --force-new-cluster pod of ${action.member}: it is recreated without the flag on its claim before any member joins`
            : `deleted pod ${action.member} (its claim stays): it is recreated with --force-new-cluster`,
        );
        return;
      case 'reformForceStart':
        await this.#createMemberPod(
          cluster,
          action.member,
          { state: 'restart' },
          action.version,
          undefined,
          action.token,
        );
        await this.#event(
          cluster,
          'Normal',
          'ReformForceStarted',
          'Reform',
          `recreated pod ${action.member} on claim ${action.claim} with --force-new-cluster: it starts as a one-member cluster on its own data`,
        );
        return;
      case 'reformForced':
        if (recorded === undefined)
          throw new ReformNotRecordedError(`no re-forming recorded on ${key}`, { cluster: key });
        await recordReform(this.#customObjects, cluster, { ...recorded, stage: 'restarting' });
        await this.#event(
          cluster,
          'Normal',
          'ReformForced',
          'Reform',
          `member ${action.member} leads cluster ${hexId(recorded.clusterId)} alone, on its own data: its pod is recreated without --force-new-cluster`,
        );
        return;
      case 'reformRestart':
        await this.#createMemberPod(cluster, action.member, { state: 'restart' }, action.version);
        await this.#event(
          cluster,
          'Normal',
          'ReformMemberRestarted',
          'Reform',
          `recreated pod ${action.member} on claim ${action.claim} without --force-new-cluster`,
        );
        return;
      case 'reformComplete': {
        if (recorded === undefined)
          throw new ReformNotRecordedError(`no re-forming recorded on ${key}`, { cluster: key });
        const completedAt = new Date();
        await recordReform(this.#customObjects, cluster, { ...recorded, completedAt: completedAt.toISOString() });
        const seconds = (completedAt.getTime() - Date.parse(recorded.startedAt)) / 1000;
        await this.#event(
          cluster,
          'Normal',
          'Reformed',
          'Reform',
          `cluster ${hexId(recorded.clusterId)} re-formed around member ${action.member} in ${seconds.toFixed(1)} s, the same cluster ID and data; the other members' pods and claims go, and new members join as learners`,
        );
        return;
      }
    }
  }

  #recoveryEvent(cluster: EtcdCluster): RecoveryEvent {
    return (type, reason, note) => this.#event(cluster, type, reason, 'Recover', note);
  }

  /** One step of a rolling restart (upgrade, renewal): the pod goes, its claim stays; restartMember brings it back. */
  async #rollPod(cluster: EtcdCluster, name: string): Promise<void> {
    await this.#deletePod(cluster, name);
    this.#expected.set(clusterKey(cluster.metadata.namespace ?? '', cluster.metadata.name), {
      pod: name,
      present: false,
    });
  }

  async #deletePod(cluster: EtcdCluster, name: string): Promise<void> {
    const namespace = cluster.metadata.namespace ?? '';
    try {
      await this.#core.deleteNamespacedPod({ namespace, name });
    } catch (error) {
      if (!isNotFound(error)) throw kubernetesApiError({ verb: 'delete', resource: 'pods', namespace, name }, error);
    }
  }

  async #deleteClaim(cluster: EtcdCluster, name: string): Promise<void> {
    const namespace = cluster.metadata.namespace ?? '';
    try {
      await this.#core.deleteNamespacedPersistentVolumeClaim({ namespace, name });
    } catch (error) {
      if (!isNotFound(error))
        throw kubernetesApiError({ verb: 'delete', resource: 'persistentvolumeclaims', namespace, name }, error);
    }
  }

  async #createPod(pod: V1Pod): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    try {
      await this.#core.createNamespacedPod({ namespace, body: pod });
    } catch (error) {
      throw kubernetesApiError({ verb: 'create', resource: 'pods', namespace, name: pod.metadata?.name ?? '' }, error);
    }
  }

  async #applyDisruptionBudget(cluster: EtcdCluster): Promise<void> {
    if (!this.#options.mayWrite()) return;
    const minAvailable = quorumOf(cluster.spec.size);
    const namespace = cluster.metadata.namespace ?? '';
    try {
      await applyManifestObject(
        this.#options.kubeConfig,
        {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: {
            name: cluster.metadata.name,
            namespace,
            labels: memberLabels(cluster.metadata.name),
            ownerReferences: [
              {
                apiVersion: ETCD_CLUSTER.apiVersion,
                kind: ETCD_CLUSTER.kind,
                name: cluster.metadata.name,
                uid: cluster.metadata.uid ?? '',
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: { minAvailable, selector: { matchLabels: { [CLUSTER_LABEL]: cluster.metadata.name } } },
        } as KubernetesObject,
        FIELD_MANAGER,
      );
    } catch (error) {
      throw kubernetesApiError(
        { verb: 'apply', resource: 'poddisruptionbudgets', namespace, name: cluster.metadata.name },
        error,
      );
    }
  }

  /** etcd's alarms and the round of defragmentation under way, or one the schedule or a NOSPACE alarm starts. */
  async #maintenance(client: EtcdClient, key: string, cluster: EtcdCluster, etcd: EtcdView): Promise<MaintenanceView> {
    // Without a leader the member list is not the cluster's: a round under way is left as it is, not pruned.
    if (etcd.kind !== 'answered' || etcd.leaderId === undefined) return NO_MAINTENANCE;
    const leader = etcd.members.find((member) => member.id === etcd.leaderId);
    const endpoint = leader?.clientURLs[0];
    const alarms =
      endpoint === undefined
        ? []
        : (await client.alarms(endpoint)).map((alarm) => ({ memberId: alarm.memberID, alarm: alarm.alarm }));
    const schedule = cluster.spec.defragmentation?.schedule;
    const lastRun = new Date(
      cluster.status?.lastDefragmentation ?? cluster.metadata.creationTimestamp ?? new Date().toISOString(),
    );
    let due = false;
    if (schedule !== undefined) {
      try {
        due = defragmentationDue(schedule, lastRun, new Date());
      } catch (error) {
        // The CRD checks the schedule's shape only: one the parser refuses runs no round, and says so.
        this.#options.logger.warn({ err: error, cluster: key }, 'the defragmentation schedule cannot be read');
        await this.#event(
          cluster,
          'Warning',
          'ScheduleUnreadable',
          'Refuse',
          error instanceof Error ? error.message : String(error),
        );
      }
    }
    return this.#rounds.view(key, { alarms, members: etcd.members.map((member) => member.id), due });
  }

  async #writeStatus(cluster: EtcdCluster, observed: Observed, action: Action, defragmentedAt?: Date): Promise<void> {
    const status = statusOf({
      observed,
      action,
      ...(defragmentedAt === undefined ? {} : { defragmentedAt }),
      previous: cluster.status,
      generation: cluster.metadata.generation ?? 0,
      now: new Date(),
    });
    if (JSON.stringify(status) === JSON.stringify(cluster.status)) return;
    if (!this.#options.mayWrite()) return;
    const namespace = cluster.metadata.namespace ?? '';
    try {
      await this.#customObjects.patchNamespacedCustomObjectStatus(
        {
          group: ETCD_CLUSTER.group,
          version: ETCD_CLUSTER.version,
          plural: ETCD_CLUSTER.plural,
          namespace,
          name: cluster.metadata.name,
          body: { status: withClearedCompletion(status) },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      throw kubernetesApiError(
        { verb: 'patch', resource: 'etcdclusters/status', namespace, name: cluster.metadata.name },
        error,
      );
    }
  }

  #recordMetrics(key: string, observed: Observed): void {
    const { metrics } = this.#options;
    const members = observed.etcd.kind === 'answered' ? observed.etcd.members : [];
    metrics.members.set({ cluster: key }, members.length);
    metrics.healthy.set({ cluster: key }, members.filter((member) => member.healthy).length);
    metrics.learners.set({ cluster: key }, members.filter((member) => member.learner).length);
    const leader = observed.etcd.kind === 'answered' ? observed.etcd.leaderId : undefined;
    if (leader !== undefined) {
      const before = this.#leaders.get(key);
      if (before !== undefined && before !== leader) metrics.leaderChanges.inc({ cluster: key });
      this.#leaders.set(key, leader);
    }
  }

  async #event(
    cluster: EtcdCluster,
    type: 'Normal' | 'Warning',
    reason: string,
    action: string,
    note: string,
  ): Promise<void> {
    this.#options.logger.info({ cluster: cluster.metadata.name, reason }, note);
    try {
      await this.#events.record({
        regarding: {
          apiVersion: ETCD_CLUSTER.apiVersion,
          kind: ETCD_CLUSTER.kind,
          name: cluster.metadata.name,
          namespace: cluster.metadata.namespace ?? '',
          uid: cluster.metadata.uid ?? '',
        },
        type,
        reason,
        action,
        note,
      });
    } catch (error) {
      // An Event is a record for people; the step it records has been taken.
      this.#options.logger.warn({ err: error, reason, detail: describeApiError(error) }, 'could not record an Event');
    }
  }
}

/**
 * A merge patch keeps the fields it does not name: an upgrade recorded after a completed one must clear the
 * `completedAt` its predecessor left, or the new upgrade would read as completed before it began.
 */
function withClearedCompletion(status: EtcdClusterStatus): object {
  const upgrade = status.upgrade;
  return upgrade === undefined || upgrade.completedAt !== undefined
    ? status
    : { ...status, upgrade: { ...upgrade, completedAt: null } };
}

const describeMember = (member: MemberView): string => `${member.name || '(unstarted)'} (${hexId(member.id)})`;

/** A write was about to happen on a replica that does not lead, or without a leader to send it to. */
export class NotLeadingError extends StrataError {}

/** A step of a re-forming whose plan the EtcdCluster no longer records (a stale read): the pass is retried. */
export class ReformNotRecordedError extends StrataError {}
