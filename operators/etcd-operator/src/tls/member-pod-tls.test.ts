import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { memberPod } from '../pods/member-pod.ts';
import type { MemberView } from '../plan/observed.ts';
import { aTlsCluster } from './test-fixtures.ts';

const joining: MemberView = {
  id: '1',
  name: 'main-aaaaaa',
  peerURLs: ['https://127.0.64.5:2380'],
  clientURLs: ['https://127.0.64.5:2379'],
  learner: false,
  healthy: true,
  leader: true,
  revision: 1,
  raftIndex: 1,
  dbSize: 1,
  version: '3.6.16',
};

const podOf = (spec: Parameters<typeof aTlsCluster>[1], version = '3.6.16'): V1Pod =>
  memberPod({
    cluster: aTlsCluster('main', spec),
    name: 'main-bbbbbb',
    join: { state: 'existing', members: [joining] },
    operatorImage: 'strata/etcd-operator:dev',
    version,
  });

const etcdArgs = (pod: V1Pod): string[] => pod.spec?.containers[0]?.command ?? [];

describe('member pods with TLS', () => {
  it('automatic: https URLs, both certificate authentications, the member CN, its key made by member-cert first', () => {
    const pod = podOf({});
    const args = etcdArgs(pod);
    for (const flag of [
      '--listen-client-urls=https://$(POD_IP):2379',
      '--listen-peer-urls=https://$(POD_IP):2380',
      '--client-cert-auth',
      '--peer-client-cert-auth',
      '--peer-cert-allowed-cn=main.etcd-member',
      '--peer-skip-client-san-verification',
      '--trusted-ca-file=/etc/etcd/ca/ca.crt',
      '--listen-metrics-urls=http://$(POD_IP):2381',
    ]) {
      assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
    }
    assert.ok(
      args.includes('--initial-cluster=main-aaaaaa=https://127.0.64.5:2380,$(POD_NAME)=https://$(POD_IP):2380'),
    );
    assert.deepEqual(
      pod.spec?.initContainers?.map((container) => container.name),
      ['member-cert', 'await-member'],
    );
    assert.equal(pod.spec?.serviceAccountName, 'main-etcd-member');
    assert.equal(pod.spec?.automountServiceAccountToken, false);
    // The token is mounted into member-cert alone, never into etcd.
    const tokenMounts = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].filter((container) =>
      container.volumeMounts?.some((mount) => mount.name === 'kube-api-access'),
    );
    assert.deepEqual(
      tokenMounts.map((container) => container.name),
      ['member-cert'],
    );
    assert.ok(pod.spec?.initContainers?.[1]?.args?.includes('--cert=/etc/etcd/tls/tls.crt'));
    assert.equal(pod.spec?.containers[0]?.readinessProbe?.httpGet?.port, 2381);
  });

  it("etcd 3.5 is given the experimental name of the peer address check's flag", () => {
    const args = etcdArgs(podOf({}, '3.5.36'));
    assert.ok(args.includes('--experimental-peer-skip-client-san-verification'));
    assert.ok(!args.includes('--peer-skip-client-san-verification'));
  });

  it("the user's secrets: mounted as given, no member-cert, no service account of the operator's", () => {
    const pod = podOf({ tls: { secrets: { peerSecret: 'p', serverSecret: 's', clientSecret: 'c' } } });
    const args = etcdArgs(pod);
    assert.ok(args.includes('--cert-file=/etc/etcd/server/tls.crt'));
    assert.ok(args.includes('--peer-cert-file=/etc/etcd/peer/tls.crt'));
    assert.ok(!args.some((arg) => arg.startsWith('--peer-cert-allowed-cn')));
    assert.deepEqual(
      pod.spec?.volumes?.filter((volume) => volume.secret !== undefined).map((volume) => volume.secret?.secretName),
      ['s', 'p', 'c'],
    );
    assert.deepEqual(
      pod.spec?.initContainers?.map((container) => container.name),
      ['await-member'],
    );
    assert.equal(pod.spec?.serviceAccountName, undefined);
  });

  it('without tls: plain http, as before', () => {
    const args = etcdArgs(podOf({ tls: { disabled: {} } }));
    assert.ok(args.includes('--listen-client-urls=http://$(POD_IP):2379'));
    assert.ok(!args.includes('--client-cert-auth'));
  });
});
