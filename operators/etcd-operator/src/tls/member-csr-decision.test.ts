import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideMemberCsr } from './member-csr-decision.ts';
import { aMemberCsr, aMemberPod, aRequest, aTlsCluster, NAMESPACE } from './test-fixtures.ts';
import { memberCommonName, memberServiceAccount, POD_NAME_EXTRA, POD_UID_EXTRA } from './names.ts';

const cluster = aTlsCluster('main');
const POD = 'main-a1b2c3';
const IP = '127.0.64.7';
const pod = aMemberPod(cluster, POD, IP);
const CN = memberCommonName('main');
const exact = [
  { type: 'ip', value: IP },
  { type: 'dns', value: POD },
] as const;

describe('decideMemberCsr: the signer of etcd.strata.dev/member', () => {
  it("signs a live member pod's request for exactly its IP and name", async () => {
    const decision = decideMemberCsr(aMemberCsr('main', POD), await aRequest(CN, exact), { pod, cluster });
    assert.equal(decision.kind, 'sign');
    assert.deepEqual(decision.kind === 'sign' && [decision.ipAddresses, decision.dnsNames], [[IP], [POD]]);
  });

  it("refuses a request for another pod's IP, naming what may be asked", async () => {
    const other = [{ type: 'ip', value: '127.0.64.8' }, exact[1]] as const;
    const decision = decideMemberCsr(aMemberCsr('main', POD), await aRequest(CN, other), { pod, cluster });
    assert.equal(decision.kind === 'deny' && decision.reason, 'SubjectAltNamesMismatch');
    assert.match(decision.kind === 'deny' ? decision.message : '', /ip:127\.0\.64\.7.*asked ip:127\.0\.64\.8/);
  });

  it('refuses a name or an address more than the pod has, and a subject other than the member CN', async () => {
    const extra = [...exact, { type: 'dns', value: 'etcd.example' }] as const;
    const more = decideMemberCsr(aMemberCsr('main', POD), await aRequest(CN, extra), { pod, cluster });
    assert.equal(more.kind === 'deny' && more.reason, 'SubjectAltNamesMismatch');
    const subject = decideMemberCsr(aMemberCsr('main', POD), await aRequest(POD, exact), { pod, cluster });
    assert.equal(subject.kind === 'deny' && subject.reason, 'SubjectMismatch');
  });

  it('refuses a request from another service account, even with a token bound to a member pod', async () => {
    const request = await aRequest(CN, exact);
    for (const username of [
      `system:serviceaccount:${NAMESPACE}:default`,
      `system:serviceaccount:${NAMESPACE}:${memberServiceAccount('other')}`,
      'system:admin',
    ]) {
      const decision = decideMemberCsr(aMemberCsr('main', POD, { username }), request, {
        pod,
        cluster: username.includes('other') ? aTlsCluster('other') : cluster,
      });
      assert.equal(
        decision.kind === 'deny' && decision.reason,
        username.includes('other') ? 'NotAMemberPod' : 'NotAMemberAccount',
        username,
      );
    }
  });

  it('refuses a token that is not bound to a pod', async () => {
    const decision = decideMemberCsr(aMemberCsr('main', POD, { extra: {} }), await aRequest(CN, exact), {
      pod,
      cluster,
    });
    assert.equal(decision.kind === 'deny' && decision.reason, 'NotBoundToPod');
  });

  it('refuses a deleted pod: gone (404), replaced by a new pod of the same name, or being deleted', async () => {
    const request = await aRequest(CN, exact);
    const gone = decideMemberCsr(aMemberCsr('main', POD), request, { pod: undefined, cluster });
    assert.equal(gone.kind === 'deny' && gone.reason, 'PodGone');
    assert.match(gone.kind === 'deny' ? gone.message : '', /gone \(404\)/);
    const replaced = { ...pod, metadata: { ...pod.metadata, uid: 'uid-of-a-later-pod' } };
    const stale = decideMemberCsr(aMemberCsr('main', POD), request, { pod: replaced, cluster });
    assert.equal(stale.kind === 'deny' && stale.reason, 'PodGone');
    const deleting = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date() } };
    const leaving = decideMemberCsr(aMemberCsr('main', POD), request, { pod: deleting, cluster });
    assert.equal(leaving.kind === 'deny' && leaving.reason, 'PodGone');
  });

  it("refuses a pod that is not the cluster's member pod, a cluster that is gone or has no automatic TLS", async () => {
    const request = await aRequest(CN, exact);
    const impostor = { ...pod, spec: { ...pod.spec!, serviceAccountName: 'default' } };
    const notMember = decideMemberCsr(aMemberCsr('main', POD), request, { pod: impostor, cluster });
    assert.equal(notMember.kind === 'deny' && notMember.reason, 'NotAMemberPod');
    const noCluster = decideMemberCsr(aMemberCsr('main', POD), request, { pod, cluster: undefined });
    assert.equal(noCluster.kind === 'deny' && noCluster.reason, 'NoSuchCluster');
    const plain = aTlsCluster('main', { tls: { disabled: {} } });
    const notAuto = decideMemberCsr(aMemberCsr('main', POD), request, { pod, cluster: plain });
    assert.equal(notAuto.kind === 'deny' && notAuto.reason, 'NotAutomaticTls');
  });

  it('refuses usages beyond serving and dialling, and an unreadable request', async () => {
    const request = await aRequest(CN, exact);
    const signing = decideMemberCsr(aMemberCsr('main', POD, { usages: ['cert sign'] }), request, { pod, cluster });
    assert.equal(signing.kind === 'deny' && signing.reason, 'UsagesRefused');
    const garbled = decideMemberCsr(aMemberCsr('main', POD), { unreadable: 'not PEM' }, { pod, cluster });
    assert.equal(garbled.kind === 'deny' && garbled.reason, 'UnreadableRequest');
  });

  it('waits for a pod without an IP yet, and ignores other signers', async () => {
    const request = await aRequest(CN, exact);
    const starting = { ...pod, status: { phase: 'Pending' } };
    assert.equal(decideMemberCsr(aMemberCsr('main', POD), request, { pod: starting, cluster }).kind, 'wait');
    const kubelet = aMemberCsr('main', POD, { signerName: 'kubernetes.io/kubelet-serving' });
    assert.equal(decideMemberCsr(kubelet, request, { pod, cluster }).kind, 'ignore');
  });

  it('reads the pod from the extra fields of the bound token, not from the request', async () => {
    const extra = { [POD_NAME_EXTRA]: ['main-zzz'], [POD_UID_EXTRA]: ['uid-of-main-zzz'] };
    // The pod read for main-zzz is a different pod (this one): its uid does not match the token's.
    const decision = decideMemberCsr(aMemberCsr('main', POD, { extra }), await aRequest(CN, exact), { pod, cluster });
    assert.equal(decision.kind === 'deny' && decision.reason, 'PodGone');
  });
});
