// Typed builders for the planner's tests: each test states only the members and pods it is about.
import {
  peerURLOf,
  clientURLOf,
  NO_MAINTENANCE,
  type ClaimView,
  type EtcdView,
  type MaintenanceView,
  type MemberView,
  type Observed,
  type PodView,
  type UpgradeSnapshotView,
} from './observed.ts';

let nextIp = 10;

/** A member of a running cluster (healthy voter, caught up) and its pod. */
export function aMember(name: string, overrides: Partial<MemberView> = {}): MemberView {
  const ip = `127.0.64.${nextIp++}`;
  return {
    id: String(1000 + nextIp),
    name,
    peerURLs: [peerURLOf(ip)],
    clientURLs: [clientURLOf(ip)],
    learner: false,
    healthy: true,
    leader: false,
    revision: 40,
    raftIndex: 100,
    dbSize: 20480,
    version: '3.6.16',
    ...overrides,
  };
}

/** The pod of `member`, running etcd. */
export function podOf(member: MemberView, overrides: Partial<PodView> = {}): PodView {
  const ip = /^http:\/\/([0-9.]+):/.exec(member.peerURLs[0] ?? '')?.[1];
  return {
    name: member.name,
    ip,
    deleting: false,
    etcdStarted: true,
    initialState: 'existing',
    version: member.version,
    crashLooping: false,
    ...overrides,
  };
}

export function aPod(name: string, overrides: Partial<PodView> = {}): PodView {
  return {
    name,
    ip: `127.0.65.${nextIp++}`,
    deleting: false,
    etcdStarted: false,
    initialState: 'existing',
    version: '3.6.16',
    crashLooping: false,
    ...overrides,
  };
}

export const CLUSTER_ID = '7777';

/** An answering cluster of `members` whose leader is the first voter (unless one is marked leader). */
export function answered(members: readonly MemberView[], leaderId?: string): EtcdView {
  const leader = leaderId ?? members.find((member) => member.leader)?.id ?? members.find((m) => !m.learner)?.id;
  return {
    kind: 'answered',
    clusterId: CLUSTER_ID,
    leaderId: leader,
    members: members.map((member) => ({ ...member, leader: member.id === leader })),
  };
}

export interface ObservedOverrides {
  readonly size?: number;
  /** spec.version; 3.6.16, the members' own, by default. */
  readonly version?: string;
  readonly paused?: boolean;
  readonly recovery?: 'manual' | 'fromLatestBackup';
  readonly pods?: readonly PodView[];
  readonly knownClusterId?: string | undefined;
  /** storage.pvc with these claims; emptyDir when absent. */
  readonly claims?: readonly ClaimView[];
  readonly maintenance?: Partial<MaintenanceView>;
  /** The pre-upgrade snapshot; taken (the upgrade may go on) by default. */
  readonly upgradeSnapshot?: UpgradeSnapshotView;
  readonly upgradeUnderWay?: { readonly from: string; readonly to: string };
}

/** A pre-upgrade snapshot the backup controller stored. */
export const aTakenSnapshot = (backup = 'etcd-pre-upgrade-g2'): UpgradeSnapshotView => ({
  kind: 'taken',
  backup,
  snapshot: {
    name: `${backup}-20261205T020000Z-r40.db`,
    location: `s3://etcd-backups/${backup}-20261205T020000Z-r40.db`,
    revision: 40,
    sha256: 'a'.repeat(64),
    takenAt: '2026-12-05T02:00:00Z',
  },
});

/** The claim of member (or pod) `member`, as the operator names it. */
export function aClaim(member: string, overrides: Partial<ClaimView> = {}): ClaimView {
  return { name: `data-${member}`, member, deleting: false, ...overrides };
}

/** Every member's claim: a storage.pvc cluster whose volumes are all there. */
export const claimsOf = (members: readonly MemberView[]): ClaimView[] =>
  members.filter((member) => member.name !== '').map((member) => aClaim(member.name));

/** A cluster of `members`, each with its running pod unless `pods` is given, at `size` (their number by default). */
export function observed(members: readonly MemberView[], overrides: ObservedOverrides = {}, etcd?: EtcdView): Observed {
  return {
    spec: {
      size: overrides.size ?? members.filter((member) => !member.learner).length,
      version: overrides.version ?? '3.6.16',
      paused: overrides.paused ?? false,
      storage: overrides.claims === undefined ? 'emptyDir' : 'pvc',
      tls: false,
      recovery: overrides.recovery ?? 'manual',
    },
    knownClusterId: 'knownClusterId' in overrides ? overrides.knownClusterId : CLUSTER_ID,
    knownVersion: '3.6.16',
    pods: overrides.pods ?? members.map((member) => podOf(member)),
    claims: overrides.claims ?? [],
    maintenance: { ...NO_MAINTENANCE, ...overrides.maintenance },
    upgradeSnapshot: overrides.upgradeSnapshot ?? aTakenSnapshot(),
    upgradeUnderWay: overrides.upgradeUnderWay,
    etcd: etcd ?? answered(members),
  };
}
