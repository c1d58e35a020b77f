import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plan, quorumOf, removalKeepsQuorum } from './plan.ts';
import {
  aClaim,
  aMember,
  aPod,
  answered,
  aTakenSnapshot,
  CLUSTER_ID,
  claimsOf,
  observed,
  podOf,
} from './test-fixtures.ts';
import type { UpgradeSnapshotView } from './observed.ts';

const three = () => [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c')];

describe('the planner', () => {
  it('does nothing for a cluster at its size with every member healthy', () => {
    assert.deepEqual(plan(observed(three())), { kind: 'none' });
  });

  it('changes nothing while paused, and says so', () => {
    const action = plan(observed(three(), { size: 5, paused: true }));
    assert.equal(action.kind, 'halt');
    assert.equal(action.kind === 'halt' && action.condition, 'Paused');
  });

  describe('rule 1: acts only when a quorum answers with one cluster ID and one leader', () => {
    it('halts with QuorumLost when no member of a formed cluster answers, and never bootstraps anew', () => {
      const action = plan(observed([], { pods: [], size: 3 }, { kind: 'silent', errors: [] }));
      assert.equal(action.kind, 'halt');
      assert.equal(action.kind === 'halt' && action.condition, 'QuorumLost');
    });

    it('halts with QuorumLost when fewer than a quorum of voters answer', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b', { healthy: false }), aMember('etcd-c', { healthy: false })];
      const action = plan(observed(members, { size: 3 }));
      assert.equal(action.kind === 'halt' && action.condition, 'QuorumLost');
    });

    it("says in the QuorumLost message what spec.recovery will do, not always 'manual'", () => {
      const lost = [aMember('etcd-a'), aMember('etcd-b', { healthy: false }), aMember('etcd-c', { healthy: false })];
      for (const [recovery, says, never] of [
        ['manual', /nothing is changed until a quorum answers again \(recovery: manual\)/, /fromLatestBackup/],
        ['fromLatestBackup', /recovering from the newest backup .*\(recovery: fromLatestBackup\)/, /recovery: manual/],
      ] as const) {
        const minority = plan(observed(lost, { size: 3, recovery }));
        const silent = plan(observed([], { pods: [], size: 3, recovery }, { kind: 'silent', errors: [] }));
        for (const action of [minority, silent]) {
          assert.equal(action.kind === 'halt' && action.condition, 'QuorumLost');
          assert.match(action.kind === 'halt' ? action.message : '', says);
          assert.doesNotMatch(action.kind === 'halt' ? action.message : '', never);
        }
      }
    });

    it('halts when members answer with two cluster IDs', () => {
      const action = plan(observed(three(), {}, { kind: 'split', clusterIds: ['1', '2'] }));
      assert.equal(action.kind === 'halt' && action.reason, 'MultipleClusterIDs');
    });

    it('halts when the members answer as another cluster than the one recorded', () => {
      const action = plan(observed(three(), { knownClusterId: '1234' }));
      assert.equal(action.kind === 'halt' && action.reason, 'ClusterIDChanged');
    });

    it('waits, changing nothing, while the members do not name one leader', () => {
      const members = three();
      const action = plan(
        observed(members, { size: 5 }, { kind: 'answered', clusterId: CLUSTER_ID, leaderId: undefined, members }),
      );
      assert.equal(action.kind, 'wait');
    });
  });

  describe('creating', () => {
    it('bootstraps the founding member when there is no cluster and no pod', () => {
      assert.deepEqual(
        plan(observed([], { pods: [], size: 3, knownClusterId: undefined }, { kind: 'silent', errors: [] })),
        {
          kind: 'bootstrap',
        },
      );
    });

    it('waits for the founding pod rather than creating a second', () => {
      const action = plan(
        observed(
          [],
          { pods: [aPod('etcd-a', { initialState: 'new' })], size: 3, knownClusterId: undefined },
          {
            kind: 'silent',
            errors: [],
          },
        ),
      );
      assert.equal(action.kind, 'wait');
    });
  });

  describe('rule 3: members join as learners, one at a time', () => {
    it('creates a joining pod, told of every member, when below size and all are healthy', () => {
      const members = [aMember('etcd-a')];
      const action = plan(observed(members, { size: 3 }));
      assert.equal(action.kind, 'createJoiningPod');
      assert.deepEqual(action.kind === 'createJoiningPod' && action.members.map((m) => m.name), ['etcd-a']);
    });

    it('adds a fresh pod as a learner once it has an IP', () => {
      const members = [aMember('etcd-a')];
      const joining = aPod('etcd-b');
      const action = plan(observed(members, { size: 3, pods: [...members.map((m) => podOf(m)), joining] }));
      assert.deepEqual(action, { kind: 'addLearner', pod: 'etcd-b', peerURL: `http://${joining.ip}:2380` });
    });

    it('never adds a second learner: a fresh pod beside a learner is deleted, and no pod is created', () => {
      const learner = aMember('etcd-b', { learner: true, raftIndex: 10 });
      const members = [aMember('etcd-a'), learner];
      const extra = aPod('etcd-c');
      const withExtra = plan(observed(members, { size: 3, pods: [...members.map((m) => podOf(m)), extra] }));
      assert.deepEqual(withExtra, { kind: 'deletePod', pod: 'etcd-c', claim: undefined, reason: 'NotNeeded' });
      const without = plan(observed(members, { size: 3 }));
      assert.equal(without.kind, 'wait', 'the learner catches up first');
    });

    it('promotes a learner that has caught up with the leader', () => {
      const learner = aMember('etcd-b', { learner: true });
      const action = plan(observed([aMember('etcd-a'), learner], { size: 3 }));
      assert.equal(action.kind === 'promote' && action.member.name, 'etcd-b');
    });

    it('does not promote a learner that does not answer', () => {
      const learner = aMember('etcd-b', { learner: true, healthy: false });
      assert.equal(plan(observed([aMember('etcd-a'), learner], { size: 3 })).kind, 'wait');
    });
  });

  describe('rule 4: a member whose pod (and data) is still there is restarted, not replaced', () => {
    it('waits for the kubelet to restart a member that does not answer while its pod is there', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c', { healthy: false })];
      const action = plan(observed(members));
      assert.equal(action.kind === 'wait' && action.reason, 'MemberUnhealthy');
    });
  });

  describe('rule 5: a dead member is replaced by removing it, then adding a new one', () => {
    it('removes a voter whose pod is gone and does not answer', () => {
      const dead = aMember('etcd-c', { healthy: false });
      const members = [aMember('etcd-a'), aMember('etcd-b'), dead];
      const action = plan(observed(members, { pods: members.slice(0, 2).map((m) => podOf(m)) }));
      assert.equal(action.kind === 'removeMember' && `${action.reason} ${action.member.name}`, 'Replace etcd-c');
    });

    it('then, one member short, creates the pod of the new member', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b')];
      assert.equal(plan(observed(members, { size: 3 })).kind, 'createJoiningPod');
    });

    it('waits while a member whose pod is terminating still answers', () => {
      const members = three();
      const pods = members.map((m, index) => podOf(m, { deleting: index === 2 }));
      assert.equal(plan(observed(members, { pods })).kind, 'wait');
    });
  });

  describe('rule 6: removing a member', () => {
    it('keeps quorum: a removal that would leave too few healthy voters is refused', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c', { healthy: false })];
      assert.equal(removalKeepsQuorum(members, members[0]!), false);
      assert.equal(removalKeepsQuorum(members, members[2]!), true);
      const only = aMember('etcd-a');
      assert.equal(removalKeepsQuorum([only], only), false, 'never the last voter');
      assert.deepEqual([1, 2, 3, 4, 5].map(quorumOf), [1, 2, 2, 3, 3]);
    });

    it('scales down by the member that does not answer before a healthy one', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c', { healthy: false })];
      const action = plan(observed(members, { size: 2 }));
      assert.equal(action.kind === 'removeMember' && action.member.name, 'etcd-c');
    });

    it('moves leadership away from a leader that is to be removed, first', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c')];
      const leader = members[2]!;
      const action = plan(observed(members, { size: 2 }, answered(members, leader.id)));
      assert.equal(action.kind, 'moveLeader');
      assert.equal(action.kind === 'moveLeader' && `${action.from.name}->${action.to.name}`, 'etcd-c->etcd-a');
    });

    it('removes the member while its pod still runs, and deletes the pod only once the member is gone', () => {
      const members = three();
      const first = plan(observed(members, { size: 2 }));
      assert.equal(first.kind === 'removeMember' && first.member.name, 'etcd-c');
      const after = plan(observed(members.slice(0, 2), { size: 2, pods: members.map((m) => podOf(m)) }));
      assert.deepEqual(after, { kind: 'deletePod', pod: 'etcd-c', claim: undefined, reason: 'NoMember' });
    });
  });

  describe('rule 7: crash safety', () => {
    it('removes a learner whose pod is gone', () => {
      const learner = aMember('etcd-b', { learner: true });
      const members = [aMember('etcd-a'), learner];
      const action = plan(observed(members, { size: 3, pods: [podOf(members[0]!)] }));
      assert.equal(action.kind === 'removeMember' && action.reason, 'LearnerWithoutPod');
    });

    it('deletes, with its data, a pod whose etcd ran but which has no member, before anything else', () => {
      const members = [aMember('etcd-a')];
      const orphan = aPod('etcd-old', { etcdStarted: true });
      const action = plan(observed(members, { size: 3, pods: [podOf(members[0]!), orphan] }));
      assert.deepEqual(action, { kind: 'deletePod', pod: 'etcd-old', claim: undefined, reason: 'NoMember' });
    });

    it('never matches a pod to a member by a reused data directory: a second founding pod is deleted', () => {
      const members = [aMember('etcd-a')];
      const founder = aPod('etcd-x', { initialState: 'new', etcdStarted: false });
      const action = plan(observed(members, { size: 1, pods: [podOf(members[0]!), founder] }));
      assert.deepEqual(action, { kind: 'deletePod', pod: 'etcd-x', claim: undefined, reason: 'NoMember' });
    });
  });

  describe('spec.tls: members speak https', () => {
    it('adds a joining pod as a learner at its https peer URL', () => {
      const members = [aMember('etcd-a', { peerURLs: ['https://127.0.64.200:2380'] })];
      const joining = aPod('etcd-b');
      const base = observed(members, { size: 2, pods: [podOf(members[0]!, { ip: '127.0.64.200' }), joining] });
      const action = plan({ ...base, spec: { ...base.spec, tls: true } });
      assert.deepEqual(action, { kind: 'addLearner', pod: 'etcd-b', peerURL: `https://${joining.ip}:2380` });
    });

    it('tells the cluster the https peer URL of a member restarted in a new pod', () => {
      const members = three().map((member) => ({
        ...member,
        peerURLs: member.peerURLs.map((url) => url.replace('http:', 'https:')),
      }));
      const moved = members[1]!;
      const base = observed(members, {
        pods: members.map((member) =>
          podOf(member, { ip: member === moved ? '127.0.66.7' : /\/\/([0-9.]+):/.exec(member.peerURLs[0] ?? '')?.[1] }),
        ),
      });
      const action = plan({ ...base, spec: { ...base.spec, tls: true } });
      assert.equal(action.kind === 'updatePeerURL' && action.peerURL, 'https://127.0.66.7:2380');
      // The members whose pods kept their IPs match by their https URLs: nothing else is planned for them.
      assert.equal(action.kind === 'updatePeerURL' && action.member.id, moved.id);
    });
  });

  describe('storage.pvc: a member lives on its claim', () => {
    it('runs a cluster on claims at its size as it runs one on emptyDir', () => {
      const members = three();
      assert.deepEqual(plan(observed(members, { claims: claimsOf(members) })), { kind: 'none' });
    });

    it('rule 4: restarts a voter whose pod is gone on its surviving claim, never removing it', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c', { healthy: false })];
      const pods = members.slice(0, 2).map((m) => podOf(m));
      const action = plan(observed(members, { pods, claims: claimsOf(members) }));
      assert.equal(action.kind, 'restartMember');
      assert.equal(action.kind === 'restartMember' && `${action.member} ${action.claim}`, 'etcd-c data-etcd-c');
    });

    it('rule 8: without a quorum, restarts members on their claims (no membership change), and only those', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b', { healthy: false }), aMember('etcd-c', { healthy: false })];
      const pods = [podOf(members[0]!)];
      const action = plan(observed(members, { pods, claims: claimsOf(members) }));
      assert.equal(action.kind === 'restartMember' && action.member, 'etcd-b');
      const silent = plan(observed(members, { pods: [], claims: claimsOf(members) }, { kind: 'silent', errors: [] }));
      assert.equal(silent.kind === 'restartMember' && silent.member, 'etcd-a');
      const noClaims = plan(observed(members, { pods }));
      assert.equal(noClaims.kind === 'halt' && noClaims.condition, 'QuorumLost', 'emptyDir: nothing to restart');
      const allPods = plan(observed(members, { claims: claimsOf(members) }));
      assert.equal(allPods.kind === 'halt' && allPods.condition, 'QuorumLost', 'every pod there: wait, change nothing');
    });

    it('bootstraps a cluster that has not formed rather than reviving a claim', () => {
      const action = plan(
        observed(
          [],
          { pods: [], size: 3, knownClusterId: undefined, claims: [aClaim('etcd-a')] },
          {
            kind: 'silent',
            errors: [],
          },
        ),
      );
      assert.equal(action.kind, 'bootstrap');
    });

    it('waits until the old pod of that name is gone before restarting the member', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c', { healthy: false })];
      const pods = members.map((m, index) => podOf(m, { deleting: index === 2 }));
      const action = plan(observed(members, { pods, claims: claimsOf(members) }));
      assert.equal(action.kind === 'wait' && action.reason, 'PodTerminating');
    });

    it('tells the cluster the new peer URL of a member restarted in a pod with another IP', () => {
      const members = three();
      const moved = podOf(members[2]!, { ip: '127.0.66.9' });
      const pods = [podOf(members[0]!), podOf(members[1]!), moved];
      const action = plan(observed(members, { pods, claims: claimsOf(members) }));
      assert.equal(action.kind, 'updatePeerURL');
      assert.equal(
        action.kind === 'updatePeerURL' && `${action.member.name} ${action.peerURL}`,
        'etcd-c http://127.0.66.9:2380',
      );
    });

    it('replaces a voter whose pod and claim are both gone (its data went with them)', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c', { healthy: false })];
      const pods = members.slice(0, 2).map((m) => podOf(m));
      const claims = [aClaim('etcd-a'), aClaim('etcd-b'), aClaim('etcd-c', { deleting: true })];
      const action = plan(observed(members, { pods, claims }));
      assert.equal(action.kind === 'removeMember' && `${action.reason} ${action.member.name}`, 'Replace etcd-c');
    });

    it('rule 7: deletes a pod without a member together with its claim, so its data never serves another', () => {
      const members = [aMember('etcd-a')];
      const orphan = aPod('etcd-old', { etcdStarted: true });
      const action = plan(
        observed(members, {
          size: 3,
          pods: [podOf(members[0]!), orphan],
          claims: [aClaim('etcd-a'), aClaim('etcd-old')],
        }),
      );
      assert.deepEqual(action, { kind: 'deletePod', pod: 'etcd-old', claim: 'data-etcd-old', reason: 'NoMember' });
    });

    it('rule 6: after a scale-down removal, deletes the pod and its claim only once the member is gone', () => {
      const members = three();
      const first = plan(observed(members, { size: 2, claims: claimsOf(members) }));
      assert.equal(first.kind === 'removeMember' && first.member.name, 'etcd-c');
      const after = plan(
        observed(members.slice(0, 2), { size: 2, pods: members.map((m) => podOf(m)), claims: claimsOf(members) }),
      );
      assert.deepEqual(after, { kind: 'deletePod', pod: 'etcd-c', claim: 'data-etcd-c', reason: 'NoMember' });
    });

    it('deletes a claim that neither a member nor a pod has, and keeps one whose pod is still joining', () => {
      const members = [aMember('etcd-a')];
      const joining = aPod('etcd-new');
      const claims = [aClaim('etcd-a'), aClaim('etcd-new'), aClaim('etcd-gone')];
      const action = plan(observed(members, { size: 2, pods: [podOf(members[0]!), joining], claims }));
      assert.deepEqual(action, { kind: 'deleteClaim', claim: 'data-etcd-gone', member: 'etcd-gone' });
      const next = plan(
        observed(members, { size: 2, pods: [podOf(members[0]!), joining], claims: claims.slice(0, 2) }),
      );
      assert.equal(next.kind === 'addLearner' && next.pod, 'etcd-new');
    });

    it('still removes a learner whose pod is gone rather than restarting it (it never held the data of a voter)', () => {
      const learner = aMember('etcd-b', { learner: true });
      const members = [aMember('etcd-a'), learner];
      const action = plan(observed(members, { size: 3, pods: [podOf(members[0]!)], claims: claimsOf(members) }));
      assert.equal(action.kind === 'removeMember' && action.reason, 'LearnerWithoutPod');
    });
  });

  describe('rule 9: upgrades', () => {
    const at = (version: string) => [
      aMember('etcd-a', { version }),
      aMember('etcd-b', { version }),
      aMember('etcd-c', { version }),
    ];

    it('upgrades one member on its claim at a time, followers first, moving leadership off the leader last', () => {
      const members = at('3.6.15');
      const seen = (list: typeof members, leader = list[0]!.id) =>
        observed(list, { version: '3.6.16', claims: claimsOf(list) }, answered(list, leader));
      const first = plan(seen(members));
      assert.equal(
        first.kind === 'upgradeMember' && `${first.member.name} ${first.from}→${first.to}`,
        'etcd-b 3.6.15→3.6.16',
      );
      const second = plan(seen([members[0]!, { ...members[1]!, version: '3.6.16' }, members[2]!]));
      assert.equal(second.kind === 'upgradeMember' && second.member.name, 'etcd-c');
      const last = [members[0]!, { ...members[1]!, version: '3.6.16' }, { ...members[2]!, version: '3.6.16' }];
      const move = plan(seen(last));
      assert.equal(move.kind === 'moveLeader' && `${move.from.name}->${move.to.name}`, 'etcd-a->etcd-b');
      const done = last.map((member) => ({ ...member, version: '3.6.16' }));
      assert.deepEqual(plan(seen(done)), { kind: 'none' });
    });

    it('restarts the upgraded member on its claim at the new version, and waits until it answers on it', () => {
      const members = at('3.6.15');
      const down = { ...members[1]!, healthy: false, version: undefined };
      const pods = [podOf(members[0]!), podOf(members[2]!)];
      const restart = plan(
        observed([members[0]!, down, members[2]!], { version: '3.6.16', pods, claims: claimsOf(members) }),
      );
      assert.equal(restart.kind === 'restartMember' && `${restart.member} ${restart.version}`, 'etcd-b 3.6.16');
      // Its new pod runs 3.6.16 but the member still answers as 3.6.15 (not yet restarted): the next waits.
      const restarted = [members[0]!, members[1]!, members[2]!];
      const newPods = [podOf(members[0]!), podOf(members[1]!, { version: '3.6.16' }), podOf(members[2]!)];
      const waiting = plan(observed(restarted, { version: '3.6.16', pods: newPods, claims: claimsOf(members) }));
      assert.equal(waiting.kind === 'wait' && waiting.reason, 'MemberUpgrading');
    });

    it('starts only when every member is healthy', () => {
      const members = [
        aMember('etcd-a', { version: '3.6.15' }),
        aMember('etcd-b', { version: '3.6.15' }),
        aMember('etcd-c', { healthy: false, version: undefined }),
      ];
      const pods = members.map((member) => podOf(member, { version: '3.6.15' }));
      const action = plan(observed(members, { version: '3.6.16', pods, claims: claimsOf(members) }));
      assert.equal(action.kind === 'wait' && action.reason, 'MemberUnhealthy');
    });

    it('never upgrades during a scale: the scale comes first, its new member at the new version', () => {
      const members = at('3.6.15');
      const action = plan(observed(members, { size: 5, version: '3.6.16', claims: claimsOf(members) }));
      assert.equal(action.kind === 'createJoiningPod' && action.version, '3.6.16');
      const down = plan(observed(members, { size: 1, version: '3.6.16', claims: claimsOf(members) }));
      assert.equal(down.kind === 'removeMember' && down.reason, 'ScaleDown');
    });

    it('stops with a condition when the upgraded member keeps failing on the new version', () => {
      const members = [
        aMember('etcd-a', { version: '3.6.15' }),
        aMember('etcd-b', { version: '3.6.15' }),
        aMember('etcd-c', { healthy: false, version: undefined }),
      ];
      const pods = [
        podOf(members[0]!),
        podOf(members[1]!),
        podOf(members[2]!, { version: '3.6.16', crashLooping: true }),
      ];
      const action = plan(observed(members, { version: '3.6.16', pods, claims: claimsOf(members) }));
      assert.equal(action.kind === 'halt' && `${action.condition} ${action.reason}`, 'Degraded UpgradeFailed');
    });

    it('reports UpgradeFailed when the last member of an upgrade keeps failing, its peers already upgraded', () => {
      const members = [
        aMember('etcd-a', { version: '3.6.16' }),
        aMember('etcd-b', { version: '3.6.16' }),
        aMember('etcd-c', { healthy: false, version: undefined }),
      ];
      const pods = [
        podOf(members[0]!),
        podOf(members[1]!),
        podOf(members[2]!, { version: '3.6.16', crashLooping: true }),
      ];
      const seen = (upgradeUnderWay?: { from: string; to: string }) =>
        plan(
          observed(members, {
            version: '3.6.16',
            pods,
            claims: claimsOf(members),
            ...(upgradeUnderWay === undefined ? {} : { upgradeUnderWay }),
          }),
        );
      const failed = seen({ from: '3.6.15', to: '3.6.16' });
      assert.equal(failed.kind === 'halt' && `${failed.condition} ${failed.reason}`, 'Degraded UpgradeFailed');
      assert.match(
        failed.kind === 'halt' ? failed.message : '',
        /etcd-c keeps failing on 3\.6\.16.*3\.6\.15 → 3\.6\.16/,
      );
      // The same crash loop with no upgrade under way (the last one completed) is an unhealthy member, restarted.
      const unhealthy = seen();
      assert.equal(unhealthy.kind === 'wait' && unhealthy.reason, 'MemberUnhealthy');
      assert.equal(
        (({ kind }) => kind)(seen({ from: '3.6.15', to: '3.6.17' })),
        'wait',
        'an upgrade to another version',
      );
    });

    describe('takes a snapshot first', () => {
      const members = at('3.6.15');
      const seen = (upgradeSnapshot: UpgradeSnapshotView, list = members) =>
        plan(
          observed(list, { version: '3.6.16', claims: claimsOf(list), upgradeSnapshot }, answered(list, list[0]!.id)),
        );

      it("asks for the one-shot EtcdBackup with the destination of the cluster's EtcdBackup before any member", () => {
        assert.deepEqual(seen({ kind: 'absent', backup: 'etcd-pre-upgrade-g2', destination: 'nightly' }), {
          kind: 'snapshotBeforeUpgrade',
          backup: 'etcd-pre-upgrade-g2',
          destination: 'nightly',
          from: '3.6.15',
          to: '3.6.16',
        });
        const pending = seen({ kind: 'pending', backup: 'etcd-pre-upgrade-g2' });
        assert.equal(pending.kind === 'wait' && pending.reason, 'UpgradeSnapshot');
        assert.equal(seen({ kind: 'notObserved' }).kind, 'wait', 'nothing is upgraded on a snapshot not looked at');
        const taken = seen(aTakenSnapshot());
        assert.equal(taken.kind === 'upgradeMember' && taken.member.name, 'etcd-b');
      });

      it('holds the upgrade with a condition naming the fix when no EtcdBackup targets the cluster', () => {
        const action = seen({ kind: 'noDestination', backup: 'main-pre-upgrade-g2', cluster: 'main' });
        assert.equal(action.kind === 'halt' && `${action.condition} ${action.reason}`, 'Degraded UpgradeNeedsBackup');
        assert.match(action.kind === 'halt' ? action.message : '', /spec\.source\.clusterRef\.name: main/);
      });

      it('stops the upgrade with a condition quoting the failure when the snapshot fails', () => {
        const action = seen({
          kind: 'failed',
          backup: 'main-pre-upgrade-g2',
          reason: 'StoreFailed',
          message: 'S3 refused: connect ECONNREFUSED 127.0.0.1:9',
        });
        assert.equal(
          action.kind === 'halt' && `${action.condition} ${action.reason}`,
          'Degraded UpgradeSnapshotFailed',
        );
        assert.match(action.kind === 'halt' ? action.message : '', /StoreFailed: S3 refused: connect ECONNREFUSED/);
      });

      it('asks nothing more once a member runs the new version, nor when no upgrade is asked', () => {
        const midway = [members[0]!, { ...members[1]!, version: '3.6.16' }, members[2]!];
        const next = seen({ kind: 'notObserved' }, midway);
        assert.equal(next.kind === 'upgradeMember' && next.member.name, 'etcd-c');
        const steady = at('3.6.16');
        assert.deepEqual(
          plan(observed(steady, { claims: claimsOf(steady), upgradeSnapshot: { kind: 'notObserved' } })),
          {
            kind: 'none',
          },
        );
      });
    });

    it('refuses a path that skips a minor version, or goes down: nothing changes, members keep their version', () => {
      for (const version of ['3.8.0', '3.5.36']) {
        const members = at('3.6.16');
        assert.deepEqual(plan(observed(members, { version, claims: claimsOf(members) })), { kind: 'none' });
        const grown = plan(observed(members, { size: 4, version, claims: claimsOf(members) }));
        assert.equal(
          grown.kind === 'createJoiningPod' && grown.version,
          '3.6.16',
          'new members join at the running version',
        );
      }
    });

    it('upgrades members on emptyDir by replacing them one at a time, never the only member', () => {
      const members = at('3.5.36');
      const action = plan(observed(members, { version: '3.6.15' }, answered(members, members[0]!.id)));
      assert.equal(action.kind === 'removeMember' && `${action.reason} ${action.member.name}`, 'Upgrade etcd-b');
      const refill = plan(observed([members[0]!, members[2]!], { size: 3, version: '3.6.15' }));
      assert.equal(refill.kind === 'createJoiningPod' && refill.version, '3.6.15');
      const alone = plan(observed([aMember('etcd-a', { version: '3.5.36' })], { version: '3.6.15' }));
      assert.equal(alone.kind === 'halt' && alone.reason, 'UpgradeNeedsStorage');
    });
  });

  describe("certificate renewal (automatic TLS): the upgrade's rolling path", () => {
    const three = () => [aMember('etcd-a'), aMember('etcd-b'), aMember('etcd-c')];
    const due = (members: readonly ReturnType<typeof aMember>[], names: readonly string[]) =>
      members.map((member) => podOf(member, { certificateRenewalDue: names.includes(member.name) }));

    it('renews one member on its claim at a time, followers first, moving leadership off the leader last', () => {
      const members = three();
      const seen = (names: readonly string[]) =>
        observed(members, { pods: due(members, names), claims: claimsOf(members) }, answered(members, members[0]!.id));
      const first = plan(seen(['etcd-a', 'etcd-b', 'etcd-c']));
      assert.equal(first.kind === 'renewMember' && first.member.name, 'etcd-b');
      const second = plan(seen(['etcd-a', 'etcd-c']));
      assert.equal(second.kind === 'renewMember' && second.member.name, 'etcd-c');
      const move = plan(seen(['etcd-a']));
      assert.equal(move.kind === 'moveLeader' && `${move.from.name}->${move.to.name}`, 'etcd-a->etcd-b');
      assert.deepEqual(plan(seen([])), { kind: 'none' });
    });

    it('renews the next member only once the last one is back and healthy', () => {
      const members = three();
      const back = { ...members[1]!, healthy: false };
      const pods = due(members, ['etcd-c']);
      const action = plan(observed([members[0]!, back, members[2]!], { pods, claims: claimsOf(members) }));
      assert.equal(action.kind === 'wait' && action.reason, 'MemberUnhealthy');
    });

    it('replaces a member on emptyDir (removed, then a new member joins), and refuses a single one', () => {
      const members = three();
      const action = plan(observed(members, { pods: due(members, ['etcd-b']) }));
      assert.equal(
        action.kind === 'removeMember' && `${action.member.name} ${action.reason}`,
        'etcd-b CertificateRenewal',
      );
      const only = [aMember('etcd-a')];
      const single = plan(observed(only, { pods: due(only, ['etcd-a']) }));
      assert.equal(
        single.kind === 'halt' && `${single.condition} ${single.reason}`,
        'Degraded CertificateRenewalNeedsStorage',
      );
    });

    it("waits for an upgrade asked for: a renewed member's new pod would run the new version before its snapshot", () => {
      const members = [aMember('etcd-a', { version: '3.6.15' }), aMember('etcd-b', { version: '3.6.15' })];
      const pods = members.map((member) => podOf(member, { version: '3.6.15', certificateRenewalDue: true }));
      const action = plan(
        observed(members, {
          version: '3.6.16',
          pods,
          claims: claimsOf(members),
          upgradeSnapshot: { kind: 'noDestination', backup: 'etcd-pre-upgrade-g2', cluster: 'etcd' },
        }),
      );
      assert.notEqual(action.kind, 'renewMember');
      assert.equal(action.kind === 'halt' && action.reason, 'UpgradeNeedsBackup');
    });

    it('renews nothing during a scale or while a learner catches up', () => {
      const members = three();
      const pods = due(members, ['etcd-b']);
      const action = plan(observed(members, { size: 5, pods, claims: claimsOf(members) }));
      assert.equal(action.kind, 'createJoiningPod');
    });
  });

  describe('rule 10: defragmentation', () => {
    it('defragments the members of a round one per pass, followers before the leader', () => {
      const members = three();
      const leader = members[0]!;
      const maintenance = { defragPending: members.map((member) => member.id) };
      const first = plan(observed(members, { maintenance }, answered(members, leader.id)));
      assert.equal(first.kind === 'defragment' && first.member.name, 'etcd-b');
      const last = plan(
        observed(members, { maintenance: { defragPending: [leader.id] } }, answered(members, leader.id)),
      );
      assert.equal(last.kind === 'defragment' && last.member.name, 'etcd-a');
    });

    it('checks health in between: a member that does not answer holds the round back', () => {
      const members = [aMember('etcd-a'), aMember('etcd-b', { healthy: false }), aMember('etcd-c')];
      const action = plan(observed(members, { maintenance: { defragPending: [members[2]!.id] } }));
      assert.equal(action.kind === 'wait' && action.reason, 'MemberUnhealthy');
    });

    it('clears a NOSPACE alarm by compacting, then defragmenting, then disarming', () => {
      const members = three().map((member, index) => ({ ...member, revision: 40 + index }));
      const alarms = [{ memberId: members[1]!.id, alarm: 'NOSPACE' }];
      const compact = plan(
        observed(members, { maintenance: { alarms, compactFirst: true, defragPending: [members[1]!.id] } }),
      );
      assert.deepEqual(compact, { kind: 'compact', revision: 42 });
      const defrag = plan(observed(members, { maintenance: { alarms, defragPending: [members[1]!.id] } }));
      assert.equal(defrag.kind === 'defragment' && defrag.member.name, 'etcd-b');
      const disarm = plan(observed(members, { maintenance: { alarms } }));
      assert.deepEqual(disarm, { kind: 'disarm', alarms: [{ memberId: members[1]!.id, alarm: 'NOSPACE' }] });
    });

    it('disarms the NOSPACE alarm of every member that raised one, in one step, and no other alarm', () => {
      const members = three();
      const alarms = [
        { memberId: members[0]!.id, alarm: 'NOSPACE' },
        { memberId: members[1]!.id, alarm: 'CORRUPT' },
        { memberId: members[2]!.id, alarm: 'NOSPACE' },
      ];
      assert.deepEqual(plan(observed(members, { maintenance: { alarms } })), {
        kind: 'disarm',
        alarms: [
          { memberId: members[0]!.id, alarm: 'NOSPACE' },
          { memberId: members[2]!.id, alarm: 'NOSPACE' },
        ],
      });
    });

    it('never defragments during a scale', () => {
      const members = three();
      const action = plan(observed(members, { size: 5, maintenance: { defragPending: [members[1]!.id] } }));
      assert.equal(action.kind, 'createJoiningPod');
    });
  });
});
