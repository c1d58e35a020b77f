import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../plan/plan.ts';
import { aClaim, aMember, answered, CLUSTER_ID, claimsOf, observed, podOf } from '../plan/test-fixtures.ts';
import { EtcdRequestError } from '../etcd/errors.ts';
import { parseMemberMetrics } from './member-metrics.ts';
import type { Observed } from '../plan/observed.ts';
import {
  chooseMember,
  planReform,
  planReformUnderway,
  recordedReform,
  REFORM_CONFIRM_MS,
  reformUnderway,
  type ReformPlan,
} from './reform-plan.ts';
import { aClusterWithReform, aReform, movedCluster } from './test-fixtures.ts';

const positions = [
  { revision: 40, appliedIndex: 120 },
  { revision: 41, appliedIndex: 121 },
  { revision: 41, appliedIndex: 120 },
];

describe('re-forming a cluster whose every member moved at once', () => {
  describe('the decision', () => {
    it('re-forms around the member that applied the most, recording every member', () => {
      const { members, observed: moved } = movedCluster(positions);
      const action = plan(moved);
      assert.equal(action.kind, 'reformStart');
      assert.ok(action.kind === 'reformStart');
      assert.equal(action.chosen.member, members[1]?.name);
      assert.equal(action.chosen.memberId, members[1]?.id);
      assert.equal(action.clusterId, CLUSTER_ID);
      assert.deepEqual(
        action.members.map((member) => [member.member, member.revision]),
        members.map((member, index) => [member.name, positions[index]?.revision]),
      );
    });

    it('ranks by revision, then applied index, then name', () => {
      const candidates = [
        { member: 'a', memberId: '1', revision: 30, appliedIndex: 200 },
        { member: 'b', memberId: '2', revision: 41, appliedIndex: 120 },
        { member: 'c', memberId: '3', revision: 41, appliedIndex: 121 },
        { member: 'd', memberId: '4', revision: 41, appliedIndex: 121 },
      ];
      assert.equal(chooseMember(candidates)?.member, 'c');
      assert.equal(chooseMember(candidates.slice(0, 2))?.member, 'b', 'a higher applied index alone is not more data');
      assert.equal(chooseMember([]), undefined);
    });

    it('waits until no leader and no peer connection has held long enough, changing nothing', () => {
      const action = plan(movedCluster(positions, { heldForMs: REFORM_CONFIRM_MS - 1 }).observed);
      assert.ok(action.kind === 'wait');
      assert.equal(action.reason, 'ReformConfirming');
    });

    it('refuses when a member has no pod and no claim: a real quorum loss, reported, nothing restarted (rule 8)', () => {
      const { members, observed: moved } = movedCluster(positions, { answering: ['etcd-a', 'etcd-b'] });
      const lost = members[2];
      assert.ok(lost !== undefined);
      const action = plan({
        ...moved,
        pods: moved.pods.filter((pod) => pod.name !== lost.name),
        claims: moved.claims.filter((claim) => claim.member !== lost.name),
      });
      assert.ok(action.kind === 'halt');
      assert.equal(action.condition, 'QuorumLost');
      assert.equal(action.reason, 'ReformNeedsEveryMember');
      assert.match(action.message, new RegExp(BigInt(lost.id).toString(16)));
    });

    it("refuses when a member's pod answers but its claim is gone", () => {
      const { members, observed: moved } = movedCluster(positions);
      const action = plan({ ...moved, claims: moved.claims.filter((claim) => claim.member !== members[0]?.name) });
      assert.ok(action.kind === 'halt');
      assert.equal(action.reason, 'ReformNeedsEveryMember');
    });

    it('reports a member whose etcd ran but does not answer (frozen) as the quorum loss it is', () => {
      const action = plan(movedCluster(positions, { answering: ['etcd-a', 'etcd-c'] }).observed);
      assert.ok(action.kind === 'halt');
      assert.equal(action.condition, 'QuorumLost');
      assert.equal(action.reason, 'ReformNeedsEveryMember');
    });

    it('refuses when the one pod that could hold a missing member keeps failing on its data', () => {
      const { members, observed: moved } = movedCluster(positions, { answering: ['etcd-a', 'etcd-b'] });
      const failing = members[2]?.name;
      const action = plan({
        ...moved,
        pods: moved.pods.map((pod) => (pod.name === failing ? { ...pod, crashLooping: true } : pod)),
      });
      assert.ok(action.kind === 'halt');
      assert.equal(action.reason, 'ReformNeedsEveryMember');
      assert.match(action.message, /not answering: etcd-c/);
    });

    it('waits for a member whose pod has not started its etcd yet', () => {
      const { observed: moved } = movedCluster(positions, { answering: ['etcd-a', 'etcd-c'] });
      const action = plan({
        ...moved,
        pods: moved.pods.map((pod) => (pod.name === 'etcd-b' ? { ...pod, etcdStarted: false } : pod)),
      });
      assert.ok(action.kind === 'wait');
      assert.equal(action.reason, 'ReformAwaitsMembers');
      assert.match(action.message, /etcd-b/);
    });

    it('leaves members that reach a peer or have a leader to rejoin on their own (one kept its address)', () => {
      const { observed: moved } = movedCluster(positions);
      const answers = moved.leaderless?.answers ?? [];
      const connected = answers.map((answer, index) => (index === 0 ? { ...answer, activePeers: 1 } : answer));
      const led = answers.map((answer, index) => (index === 2 ? { ...answer, hasLeader: true } : answer));
      for (const variant of [connected, led]) {
        const action = plan({ ...moved, leaderless: { answers: variant, heldForMs: 60_000 } });
        assert.ok(action.kind === 'halt');
        assert.equal(action.reason, 'NoMemberAnswers', 'reported as before: nothing re-formed');
      }
    });

    it('refuses when the members know different memberships', () => {
      const { observed: moved } = movedCluster(positions);
      const [first, ...rest] = moved.leaderless?.answers ?? [];
      assert.ok(first !== undefined);
      const action = plan({
        ...moved,
        leaderless: { answers: [{ ...first, peers: first.peers.slice(0, 2) }, ...rest], heldForMs: 60_000 },
      });
      assert.ok(action.kind === 'halt');
      assert.equal(action.reason, 'ReformMembershipsDisagree');
    });

    it('never re-forms on emptyDir or a cluster that never formed', () => {
      const { observed: moved } = movedCluster(positions);
      assert.equal(planReform({ ...moved, spec: { ...moved.spec, storage: 'emptyDir' } }), undefined);
      assert.equal(planReform({ ...moved, knownClusterId: undefined }), undefined);
    });
  });

  describe("what a member's metrics say", () => {
    // Lines of etcd 3.6.16's own /metrics, from a member restarted at a new address with its two peers unreachable.
    const metrics = [
      '# TYPE etcd_server_id gauge',
      'etcd_server_id{server_id="52d09fd35469edf9"} 1',
      'etcd_server_has_leader 0',
      'etcd_debugging_mvcc_current_revision 21',
      'etcd_server_proposals_applied_total 27',
      'etcd_network_known_peers{Local="52d09fd35469edf9",Remote="52d09fd35469edf9"} 1',
      'etcd_network_known_peers{Local="52d09fd35469edf9",Remote="a9b165f721be9e1d"} 1',
      'etcd_network_known_peers{Local="52d09fd35469edf9",Remote="b08ae3fc3dcbf5a5"} 1',
      'etcd_network_peer_sent_failures_total{To="b08ae3fc3dcbf5a5"} 24',
    ];

    it('are read into the member, its leader, revision, applied index and peers (decimal IDs)', () => {
      assert.deepEqual(parseMemberMetrics('etcd-b', metrics.join('\n')), {
        pod: 'etcd-b',
        memberId: BigInt('0x52d09fd35469edf9').toString(),
        hasLeader: false,
        revision: 21,
        appliedIndex: 27,
        peers: ['52d09fd35469edf9', 'a9b165f721be9e1d', 'b08ae3fc3dcbf5a5']
          .map((id) => BigInt(`0x${id}`).toString())
          .sort(),
        activePeers: 0,
      });
    });

    it('count a live connection to a peer', () => {
      const connected = [...metrics, 'etcd_network_active_peers{Local="52d09fd35469edf9",Remote="a9b165f721be9e1d"} 1'];
      assert.equal(parseMemberMetrics('etcd-b', connected.join('\n')).activePeers, 1);
    });

    it('without the member ID are an error, not a guess', () => {
      assert.throws(() => parseMemberMetrics('etcd-b', metrics.slice(2).join('\n')), EtcdRequestError);
    });
  });

  describe('the steps under way', () => {
    const [chosen, other] = [aMember('etcd-a'), aMember('etcd-b')];
    assert.ok(chosen !== undefined && other !== undefined);
    const claims = claimsOf([chosen, other]);
    // The chosen member alone (forced or plain), and the other member's pod still running on its old data.
    const leadingAlone = (forceNewCluster: string | undefined): Observed =>
      observed(
        [chosen],
        { size: 3, claims, pods: [podOf(chosen, { forceNewCluster }), podOf(other)] },
        answered([{ ...chosen, leader: true }]),
      );

    it('forcing: deletes the plain pod, creates the forced one, and records the stage once it leads alone', () => {
      const reform = aReform(chosen);
      const notAnswering = { kind: 'silent', errors: [] } as const;
      assert.deepEqual(
        planReformUnderway(observed([chosen], { claims, pods: [podOf(chosen)] }, notAnswering), reform),
        {
          kind: 'reformDeletePod',
          member: chosen.name,
          forced: false,
        },
      );
      assert.equal(
        planReformUnderway(
          observed([chosen], { claims, pods: [podOf(chosen, { deleting: true })] }, notAnswering),
          reform,
        ).kind,
        'wait',
      );
      assert.deepEqual(planReformUnderway(observed([chosen], { claims, pods: [] }, notAnswering), reform), {
        kind: 'reformForceStart',
        member: chosen.name,
        claim: aClaim(chosen.name).name,
        version: '3.6.16',
        token: reform.token,
      });
      const starting = planReformUnderway(
        observed([chosen], { claims, pods: [podOf(chosen, { forceNewCluster: reform.token })] }, notAnswering),
        reform,
      );
      assert.ok(starting.kind === 'wait');
      assert.equal(starting.reason, 'ReformForcing');
      assert.deepEqual(planReformUnderway(leadingAlone(reform.token), reform), {
        kind: 'reformForced',
        member: chosen.name,
      });
    });

    it('restarting: deletes the forced pod, recreates it plainly, and completes once it leads alone again', () => {
      const reform = aReform(chosen, { stage: 'restarting' });
      assert.deepEqual(planReformUnderway(leadingAlone(reform.token), reform), {
        kind: 'reformDeletePod',
        member: chosen.name,
        forced: true,
      });
      assert.deepEqual(
        planReformUnderway(observed([chosen], { claims, pods: [] }, { kind: 'silent', errors: [] }), reform),
        {
          kind: 'reformRestart',
          member: chosen.name,
          claim: aClaim(chosen.name).name,
          version: '3.6.16',
        },
      );
      assert.deepEqual(planReformUnderway(leadingAlone(undefined), reform), {
        kind: 'reformComplete',
        member: chosen.name,
      });
    });

    it('does nothing else meanwhile: the old members are left alone until the re-forming is done', () => {
      const forcing = { ...leadingAlone(aReform(chosen).token), reform: aReform(chosen) };
      assert.equal(plan(forcing).kind, 'reformForced');
      // Once done, the ordinary planner deletes the other member's pod and its data: it has no member any more.
      const done = leadingAlone(undefined);
      assert.deepEqual(plan(done), {
        kind: 'deletePod',
        pod: other.name,
        claim: aClaim(other.name).name,
        reason: 'NoMember',
      });
    });

    it("stops when the chosen member's claim is gone", () => {
      const action = planReformUnderway(observed([chosen], { claims: [], pods: [] }), aReform(chosen));
      assert.ok(action.kind === 'halt');
      assert.equal(action.reason, 'ReformClaimGone');
    });
  });

  describe('the record on the EtcdCluster', () => {
    const recorded: ReformPlan = {
      token: 'f00d',
      member: 'main-0a1b2c',
      memberId: '1234',
      clusterId: '7777',
      stage: 'forcing',
      members: [{ member: 'main-0a1b2c', memberId: '1234', revision: 41, appliedIndex: 131 }],
      startedAt: '2026-12-05T06:00:00Z',
    };

    it('is under way until completed', () => {
      assert.deepEqual(reformUnderway(aClusterWithReform(recorded)), {
        token: 'f00d',
        member: 'main-0a1b2c',
        memberId: '1234',
        stage: 'forcing',
      });
      assert.equal(reformUnderway(aClusterWithReform({ ...recorded, completedAt: '2026-12-05T06:01:00Z' })), undefined);
    });

    it('an unreadable record is none, and so starts nothing', () => {
      assert.equal(recordedReform(aClusterWithReform('{not json')), undefined);
      assert.equal(recordedReform(aClusterWithReform(JSON.stringify({ ...recorded, stage: 'other' }))), undefined);
    });
  });
});
