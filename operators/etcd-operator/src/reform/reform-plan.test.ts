import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../plan/plan.ts';
import { aClaim, aMember, answered, claimsOf, observed, podOf } from '../plan/test-fixtures.ts';
import type { Observed } from '../plan/observed.ts';
import {
  chooseMember,
  planReform,
  planReformUnderway,
  recordedReform,
  reformUnderway,
  type ReformPlan,
} from './reform-plan.ts';
import { aClusterWithReform, aReform, movedCluster } from './test-fixtures.ts';

const positions = [
  { raftTerm: 4, raftIndex: 120 },
  { raftTerm: 4, raftIndex: 131 },
  { raftTerm: 4, raftIndex: 129 },
];

describe('re-forming a cluster whose every member moved at once', () => {
  describe('the decision', () => {
    it('re-forms around the member that knows the highest committed index, recording every voter', () => {
      const { members, observed: moved } = movedCluster(positions);
      const action = plan(moved);
      assert.equal(action.kind, 'reformStart');
      assert.ok(action.kind === 'reformStart');
      assert.equal(action.chosen.member, members[1]?.name);
      assert.equal(action.chosen.memberId, members[1]?.id);
      assert.equal(action.clusterId, moved.etcd.kind === 'answered' ? moved.etcd.clusterId : '');
      assert.deepEqual(
        action.voters.map((voter) => [voter.member, voter.raftIndex]),
        members.map((member, index) => [member.name, positions[index]?.raftIndex]),
      );
    });

    it('prefers the committed index to the term (a higher term alone holds no more committed entries)', () => {
      const candidates = [
        { member: 'a', memberId: '1', raftTerm: 9, raftIndex: 100, raftAppliedIndex: 100 },
        { member: 'b', memberId: '2', raftTerm: 4, raftIndex: 140, raftAppliedIndex: 140 },
        { member: 'c', memberId: '3', raftTerm: 5, raftIndex: 140, raftAppliedIndex: 139 },
      ];
      assert.equal(chooseMember(candidates)?.member, 'c', 'the same index: the higher term');
      assert.equal(chooseMember(candidates.slice(0, 2))?.member, 'b');
      assert.equal(chooseMember([])?.member, undefined);
    });

    it('refuses when a voter has no claim: a real quorum loss, reported, nothing restarted (rule 8)', () => {
      const { members, observed: moved } = movedCluster(positions, { answering: ['etcd-a', 'etcd-b'] });
      const lost = members[2]?.name ?? '';
      const withoutC: Observed = {
        ...moved,
        pods: moved.pods.filter((pod) => pod.name !== lost),
        claims: moved.claims.filter((claim) => claim.member !== lost),
      };
      const action = plan(withoutC);
      assert.equal(action.kind, 'halt');
      assert.ok(action.kind === 'halt');
      assert.equal(action.condition, 'QuorumLost');
      assert.equal(action.reason, 'ReformNeedsEveryVoter');
      assert.match(action.message, new RegExp(`${lost} has no claim`));
    });

    it('refuses when a voter keeps failing on its data', () => {
      const { members, observed: moved } = movedCluster(positions, { answering: ['etcd-a', 'etcd-b'] });
      const failing = members[2]?.name;
      const action = plan({
        ...moved,
        pods: moved.pods.map((pod) => (pod.name === failing ? { ...pod, crashLooping: true } : pod)),
      });
      assert.ok(action.kind === 'halt');
      assert.equal(action.reason, 'ReformNeedsEveryVoter');
    });

    it('waits for a voter whose pod is starting, changing nothing', () => {
      const { observed: moved } = movedCluster(positions, { answering: ['etcd-a', 'etcd-c'] });
      const action = plan(moved);
      assert.equal(action.kind, 'wait');
      assert.ok(action.kind === 'wait');
      assert.equal(action.reason, 'ReformAwaitsVoters');
      assert.match(action.message, /etcd-b/);
    });

    it('leaves a cluster with a voter still at its address to rejoin through it', () => {
      const { members, observed: moved } = movedCluster(positions);
      const kept = members[0];
      assert.ok(kept !== undefined);
      const action = plan({
        ...moved,
        pods: moved.pods.map((pod) => (pod.name === kept.name ? podOf(kept) : pod)),
      });
      assert.ok(action.kind === 'halt');
      assert.equal(action.reason, 'QuorumLost', 'reported as before: the restarted members reach the kept one');
    });

    it('refuses when the members disagree about the membership', () => {
      const { observed: moved } = movedCluster(positions);
      assert.ok(moved.etcd.kind === 'answered' && moved.etcd.leaderless !== undefined);
      const [first, ...rest] = moved.etcd.leaderless;
      assert.ok(first !== undefined);
      const action = plan({
        ...moved,
        etcd: { ...moved.etcd, leaderless: [{ ...first, members: first.members.slice(0, 2) }, ...rest] },
      });
      assert.ok(action.kind === 'halt');
      assert.equal(action.reason, 'ReformMembershipsDisagree');
    });

    it('never re-forms on emptyDir, another cluster ID, or a cluster with a leader', () => {
      const { observed: moved } = movedCluster(positions);
      assert.equal(planReform({ ...moved, spec: { ...moved.spec, storage: 'emptyDir' } }), undefined);
      assert.equal(planReform({ ...moved, knownClusterId: '1' }), undefined);
      assert.ok(moved.etcd.kind === 'answered');
      assert.equal(planReform({ ...moved, etcd: { ...moved.etcd, leaderId: moved.etcd.members[0]?.id } }), undefined);
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
      voters: [{ member: 'main-0a1b2c', memberId: '1234', raftTerm: 4, raftIndex: 131, raftAppliedIndex: 131 }],
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
