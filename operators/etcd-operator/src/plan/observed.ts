// What the planner decides on: the cluster as etcd describes it, the member pods as the API server lists them, and
// the spec. Built by ../controller/observe.ts; plain data, so that the planner is a pure function of it.

export const PEER_PORT = 2380;
export const CLIENT_PORT = 2379;

/** Where etcd serves /readyz and /metrics in plain HTTP when its client port requires client certificates. */
export const METRICS_PORT = 2381;

/** https when the cluster has TLS (spec.tls), http otherwise. */
export const peerURLOf = (ip: string, tls = false): string => `${tls ? 'https' : 'http'}://${ip}:${PEER_PORT}`;
export const clientURLOf = (ip: string, tls = false): string => `${tls ? 'https' : 'http'}://${ip}:${CLIENT_PORT}`;

export interface PodView {
  readonly name: string;
  /** The pod's IP once it has one. */
  readonly ip: string | undefined;
  /** The pod has a deletionTimestamp: it is on its way out. */
  readonly deleting: boolean;
  /** etcd has run in this pod: its data directory has been written. */
  readonly etcdStarted: boolean;
  /** How the pod's etcd was told to start: founding a cluster, or joining one. */
  readonly initialState: 'new' | 'existing';
  /** The etcd release the pod runs (its image's tag), as the operator recorded it; undefined for older pods. */
  readonly version: string | undefined;
  /** Its etcd keeps failing: the kubelet backs off restarting it. */
  readonly crashLooping: boolean;
  /** The token of the re-forming this pod's etcd runs `--force-new-cluster` for (../reform/); absent otherwise. */
  readonly forceNewCluster?: string | undefined;
  /**
   * Automatic TLS: the certificate its etcd serves has less than a third of its lifetime left (read over a TLS
   * handshake by the controller); absent when not known.
   */
  readonly certificateRenewalDue?: boolean;
}

/** A member's PersistentVolumeClaim (storage.pvc): its data, which outlives the member's pod. */
export interface ClaimView {
  readonly name: string;
  /** The member whose data it holds (the pod of that name mounts it). */
  readonly member: string;
  /** The claim has a deletionTimestamp: its data is going. */
  readonly deleting: boolean;
}

export interface MemberView {
  /** The member ID, decimal (a uint64). */
  readonly id: string;
  /** Empty until a learner has started. */
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly learner: boolean;
  /** Its endpoint answered a status request with the cluster's ID. */
  readonly healthy: boolean;
  readonly leader: boolean;
  readonly revision: number | undefined;
  readonly raftIndex: number | undefined;
  readonly dbSize: number | undefined;
  readonly version: string | undefined;
}

/**
 * What a member's metrics say while it has no leader (etcd serves its client port only once it had one, its metrics
 * always): what a re-forming (../reform/) decides on.
 */
export interface LeaderlessAnswer {
  /** The pod whose metrics URL answered (its name is the member's). */
  readonly pod: string;
  /** The member ID, decimal. */
  readonly memberId: string;
  readonly hasLeader: boolean;
  /** The revision of its key space: what it applied of the log it knows committed. */
  readonly revision: number;
  readonly appliedIndex: number;
  /** The members it knows (itself included), decimal IDs. */
  readonly peers: readonly string[];
  /** How many of them it has a live connection with. */
  readonly activePeers: number;
}

export type EtcdView =
  /** No member pod's endpoint answered. */
  | { readonly kind: 'silent'; readonly errors: readonly string[] }
  /** Endpoints answered with more than one cluster ID. */
  | { readonly kind: 'split'; readonly clusterIds: readonly string[] }
  | {
      readonly kind: 'answered';
      readonly clusterId: string;
      /** The leader every answering member names, if they name one and the same. */
      readonly leaderId: string | undefined;
      readonly members: readonly MemberView[];
    };

export interface SpecView {
  readonly size: number;
  readonly version: string;
  readonly paused: boolean;
  readonly storage: 'emptyDir' | 'pvc';
  readonly tls: boolean;
  /** What a quorum loss leads to: a report only, or a restore of the newest backup that verifies. */
  readonly recovery: 'manual' | 'fromLatestBackup';
}

/** Maintenance under way or asked for: etcd's alarms, and the round of defragmentation the controller keeps. */
export interface MaintenanceView {
  /** Active alarms, each with the ID of the member that raised it. */
  readonly alarms: readonly { readonly memberId: string; readonly alarm: string }[];
  /** IDs of the members the round under way has still to defragment; empty when no round is under way. */
  readonly defragPending: readonly string[];
  /** The round clears a NOSPACE alarm and the key space has not been compacted for it yet. */
  readonly compactFirst: boolean;
}

export const NO_MAINTENANCE: MaintenanceView = { alarms: [], defragPending: [], compactFirst: false };

/**
 * The snapshot rule 9 takes before an upgrade touches its first member: a one-shot EtcdBackup (`backup`) the operator
 * creates with the destination of the EtcdBackup that targets this cluster. Observed only while an upgrade is asked.
 */
export type UpgradeSnapshotView =
  /** No upgrade is asked, so nothing was looked up. */
  | { readonly kind: 'notObserved' }
  /** No EtcdBackup of the namespace has this cluster as its source: the snapshot has nowhere to go. */
  | { readonly kind: 'noDestination'; readonly backup: string; readonly cluster: string }
  /** Not asked for yet; `destination` is the EtcdBackup whose destination it takes. */
  | { readonly kind: 'absent'; readonly backup: string; readonly destination: string }
  | { readonly kind: 'pending'; readonly backup: string }
  | { readonly kind: 'failed'; readonly backup: string; readonly reason: string; readonly message: string }
  | {
      readonly kind: 'taken';
      readonly backup: string;
      readonly snapshot: {
        readonly name: string;
        readonly location: string;
        readonly revision: number;
        readonly sha256: string;
        readonly takenAt: string;
      };
    };

export const UPGRADE_SNAPSHOT_NOT_OBSERVED: UpgradeSnapshotView = { kind: 'notObserved' };

export interface Observed {
  readonly spec: SpecView;
  /** The cluster ID the status recorded once the cluster had formed; undefined before. */
  readonly knownClusterId: string | undefined;
  /** The version the status last recorded (the leader's), for pods restarted while no member answers. */
  readonly knownVersion: string | undefined;
  readonly pods: readonly PodView[];
  /** The members' PersistentVolumeClaims; empty with emptyDir storage. */
  readonly claims: readonly ClaimView[];
  readonly etcd: EtcdView;
  readonly maintenance: MaintenanceView;
  readonly upgradeSnapshot: UpgradeSnapshotView;
  /** The upgrade the status records as begun (its snapshot taken) and not yet completed. */
  readonly upgradeUnderWay: { readonly from: string; readonly to: string } | undefined;
  /** A re-forming of the cluster around its most up-to-date member, recorded and not yet completed (../reform/). */
  readonly reform?: ReformView | undefined;
  /**
   * Every member pod's metrics, read only while no leader is known on claims; `heldForMs`: how long the same members
   * have been seen without a leader and without a connection to any peer.
   */
  readonly leaderless?: { readonly answers: readonly LeaderlessAnswer[]; readonly heldForMs: number } | undefined;
}

/** The recorded re-forming as the planner needs it (the plan itself is in ../reform/reform-plan.ts). */
export interface ReformView {
  readonly token: string;
  /** The member restarted with --force-new-cluster: its name (and pod's), and ID. */
  readonly member: string;
  readonly memberId: string;
  /** forcing: until it leads a one-member cluster; restarting: until it does so again without the flag. */
  readonly stage: 'forcing' | 'restarting';
}
