// Member TLS against real etcd processes on a local cluster installed as `strata up` installs the operator: automatic
// TLS (each member's key made in its pod, its certificate signed by the operator through a CSR) and the user's own
// secrets. Starts a local cluster on the fixed loopback addresses: run under `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { CertificatesV1Api, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { CertificateAuthority, toPemPair } from '@strata/assets';
import { resolveBinary } from '@strata/binaries';
import { waitFor } from '@strata/harness';
import { runCommand, SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import type { TestCluster } from '@strata/platform-local/testing';
import { Agent, fetch as undiciFetch } from 'undici';
import { EtcdRequestError } from '../etcd/errors.ts';
import { EtcdClient } from '../etcd/gateway-client.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import { endpointsOf, LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';
import { readClientTls } from './cluster-tls.ts';
import { clientSecretName, MEMBER_SIGNER, memberCommonName } from './names.ts';

const KEYS = 30;
const AUTO = 'secure';
const OWN = 'own-certs';
const PLAIN = 'plaintext';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let namespace: string;
let etcdctl: string;
let work: string;

before(async () => {
  ({ cluster, kubeConfig, core, namespace } = await startOperatorTestCluster('etcd-tls'));
  etcdctl = await resolveBinary('etcdctl');
  work = await mkdtemp(join(tmpdir(), 'etcd-tls-'));
});

after(async () => {
  await cluster?.destroy();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** The certificate a member presents on its client port, read over a TLS handshake with `tls`. */
function servingCertificate(ip: string, tls: EtcdClientTls): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port: 2379, ca: tls.ca, cert: tls.cert, key: tls.key, servername: '' }, () => {
      const raw = socket.getPeerX509Certificate();
      socket.end();
      if (raw === undefined) reject(new Error(`${ip} presented no certificate`));
      else resolve(raw);
    });
    socket.once('error', reject);
  });
}

const liveMembers = async (clusters: LocalEtcdClusters, name: string): Promise<V1Pod[]> =>
  (await clusters.pods(name)).filter((pod) => pod.metadata?.deletionTimestamp === undefined);

/** Writes `tls` as the files etcdctl reads (the key 0600) and returns etcdctl's TLS flags. */
async function etcdctlFlags(dir: string, tls: EtcdClientTls): Promise<string[]> {
  await writeFileAtomic(join(dir, 'ca.crt'), tls.ca);
  await writeFileAtomic(join(dir, 'tls.crt'), tls.cert);
  await writeFileAtomic(join(dir, 'tls.key'), tls.key, SECRET_FILE_MODE);
  return [`--cacert=${join(dir, 'ca.crt')}`, `--cert=${join(dir, 'tls.crt')}`, `--key=${join(dir, 'tls.key')}`];
}

describe('member TLS on the local platform', () => {
  let client: EtcdClientTls;
  let secure: LocalEtcdClusters;

  it('runs 3 members with automatic TLS: Available, https only, client certificates required', async (t) => {
    const plainClusters = new LocalEtcdClusters(kubeConfig, namespace);
    const startedAt = performance.now();
    await plainClusters.create(AUTO, { size: 3, version: '3.6.16', storage: { emptyDir: {} }, tls: { auto: {} } });
    client = await waitFor(
      `the client Secret of ${AUTO}`,
      () => readClientTls(core, namespace, clientSecretName(AUTO)),
      { timeoutMs: 60_000, intervalMs: 250, retryErrors: true },
    );
    secure = new LocalEtcdClusters(kubeConfig, namespace, client);
    const current = await secure.settled(AUTO, 3, 120_000);
    t.diagnostic(`3 members with automatic TLS Available in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    const endpoints = endpointsOf(current);
    assert.equal(endpoints.length, 3);
    for (const endpoint of endpoints) assert.match(endpoint, /^https:\/\/127\.[0-9.]+:2379$/);
    await secure.putKeys(current, '/tls/', KEYS);
    await secure.assertKeys(current, '/tls/', KEYS);
    const hashes = await secure.hashes(current);
    assert.equal(new Set(hashes).size, 1, `hashkv equal on all members: ${hashes.join(', ')}`);

    // Each member serves a certificate from the cluster's CA that names exactly its pod's IP and name.
    const ca = new X509Certificate(client.ca);
    for (const pod of await liveMembers(secure, AUTO)) {
      const ip = pod.status?.podIP ?? '';
      const served = await servingCertificate(ip, client);
      assert.ok(served.verify(ca.publicKey), `${ip}'s certificate is signed by the cluster's CA`);
      assert.equal(served.subjectAltName, `DNS:${pod.metadata?.name ?? ''}, IP Address:${ip}`);
      assert.equal(served.subject.trim(), `CN=${memberCommonName(AUTO)}`);
    }

    // etcdctl with the client Secret's certificate works; without a client certificate it is refused.
    const flags = await etcdctlFlags(work, client);
    const keyMode = (await stat(join(work, 'tls.key'))).mode & 0o777;
    assert.equal(keyMode, SECRET_FILE_MODE);
    const read = await runCommand(etcdctl, [
      `--endpoints=${endpoints.join(',')}`,
      ...flags,
      'get',
      '/tls/7',
      '--print-value-only',
    ]);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout.trim(), 'value-7');
    const anonymous = await runCommand(etcdctl, [
      `--endpoints=${endpoints[0] ?? ''}`,
      flags[0] ?? '',
      '--dial-timeout=2s',
      '--command-timeout=4s',
      'get',
      '/tls/7',
    ]);
    assert.notEqual(anonymous.code, 0, 'etcdctl without a client certificate is refused');

    // A plain-HTTP client gets nothing from the client port, and neither does https without a client certificate.
    const ip = new URL(endpoints[0] ?? '').hostname;
    await assert.rejects(new EtcdClient({ timeoutMs: 3000 }).status(`http://${ip}:2379`), EtcdRequestError);
    const noCertificate = new Agent({ connect: { ca: client.ca } });
    await assert.rejects(
      undiciFetch(`https://${ip}:2379/v3/maintenance/status`, {
        method: 'POST',
        body: '{}',
        dispatcher: noCertificate,
      }),
    );
    await noCertificate.close();

    // Every member's certificate came through a CSR of the operator's signer, approved and issued.
    const csrs = (
      await kubeConfig.makeApiClient(CertificatesV1Api).listCertificateSigningRequest({
        fieldSelector: `spec.signerName=${MEMBER_SIGNER}`,
      })
    ).items.filter((csr) => csr.metadata?.name?.startsWith(`etcd-member.${namespace}.${AUTO}-`) === true);
    assert.ok(csrs.length >= 3, `${csrs.length} member CSRs`);
    for (const pod of await liveMembers(secure, AUTO)) {
      const mine = csrs.filter(
        (csr) => csr.spec.extra?.['authentication.kubernetes.io/pod-uid']?.[0] === pod.metadata?.uid,
      );
      assert.equal(mine.length, 1, `one CSR made with pod ${pod.metadata?.name ?? ''}'s bound token`);
      assert.ok(mine[0]?.status?.conditions?.some((condition) => condition.type === 'Approved'));
      assert.notEqual(mine[0]?.status?.certificate ?? '', '');
    }
  });

  it("gives a deleted member pod's replacement a fresh certificate for its own address", async (t) => {
    const before = await liveMembers(secure, AUTO);
    const victim = before[1];
    assert.ok(victim);
    const victimName = victim.metadata?.name ?? '';
    const oldSerial = (await servingCertificate(victim.status?.podIP ?? '', client)).serialNumber;
    const deletedAt = performance.now();
    await core.deleteNamespacedPod({ namespace, name: victimName });
    const current = await waitFor(
      `member ${victimName} to be replaced`,
      async () => {
        const replaced = await secure.settled(AUTO, 3, 120_000);
        return (replaced.status?.members ?? []).some((member) => member.name === victimName) ? undefined : replaced;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    t.diagnostic(
      `a deleted member replaced, with its new certificate, in ${((performance.now() - deletedAt) / 1000).toFixed(1)} s`,
    );
    const newcomer = (await liveMembers(secure, AUTO)).find(
      (pod) => !before.some((old) => old.metadata?.name === pod.metadata?.name),
    );
    assert.ok(newcomer, 'a new member pod');
    const ip = newcomer.status?.podIP ?? '';
    const served = await servingCertificate(ip, client);
    assert.notEqual(served.serialNumber, oldSerial);
    assert.equal(served.subjectAltName, `DNS:${newcomer.metadata?.name ?? ''}, IP Address:${ip}`);
    await secure.assertKeys(current, '/tls/', KEYS);
    const hashes = await secure.hashes(current);
    assert.equal(new Set(hashes).size, 1, `hashkv equal on all members: ${hashes.join(', ')}`);
  });

  it("uses the user's own peer, server and client secrets as given", async (t) => {
    // A user's certificate must name the members' addresses, which nobody knows before the pods run; on the local
    // platform the pod address pool is known, so these name its first 510 addresses.
    const ips = [64, 65].flatMap((third) => Array.from({ length: 255 }, (_, index) => `127.0.${third}.${index + 1}`));
    const ca = await CertificateAuthority.create({ commonName: 'user etcd CA', validityDays: 2 });
    const caPem = ca.certificate.toString('pem') + '\n';
    const secret = async (name: string, profile: 'peer' | 'server' | 'client'): Promise<EtcdClientTls> => {
      const pem = await toPemPair(
        await ca.issue({
          commonName: `user-${profile}`,
          profile,
          validityDays: 2,
          ...(profile === 'client' ? {} : { ipAddresses: ips }),
        }),
      );
      await core.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name },
          type: 'kubernetes.io/tls',
          stringData: { 'ca.crt': caPem, 'tls.crt': pem.certificatePem, 'tls.key': pem.privateKeyPem },
        },
      });
      return { ca: caPem, cert: pem.certificatePem, key: pem.privateKeyPem };
    };
    await secret('own-peer', 'peer');
    // Both usages: etcd's own JSON gateway dials its client port with the server certificate as a client's.
    await secret('own-server', 'peer');
    const userClient = await secret('own-client', 'client');
    const own = new LocalEtcdClusters(kubeConfig, namespace, userClient);
    const startedAt = performance.now();
    await own.create(OWN, {
      size: 3,
      version: '3.6.16',
      storage: { emptyDir: {} },
      tls: { secrets: { peerSecret: 'own-peer', serverSecret: 'own-server', clientSecret: 'own-client' } },
    });
    const current = await own.settled(OWN, 3, 120_000);
    t.diagnostic(
      `3 members on the user's certificates Available in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
    );
    for (const endpoint of endpointsOf(current)) assert.match(endpoint, /^https:/);
    await own.putKeys(current, '/own/', KEYS);
    await own.assertKeys(current, '/own/', KEYS);
    // The members serve the user's server certificate, unchanged; no CA or client Secret of the operator's exists.
    const userServer = new X509Certificate((await readClientTls(core, namespace, 'own-server')).cert);
    const served = await servingCertificate(new URL(endpointsOf(current)[0] ?? '').hostname, userClient);
    assert.equal(served.fingerprint256, userServer.fingerprint256);
    await assert.rejects(core.readNamespacedSecret({ namespace, name: clientSecretName(OWN) }), (error: unknown) => {
      assert.equal((error as { code?: number }).code, 404);
      return true;
    });
  });

  it('runs plaintext only when asked: tls.disabled gives http members and no TLS material', async () => {
    const plain = new LocalEtcdClusters(kubeConfig, namespace);
    await plain.create(PLAIN, { size: 1, version: '3.6.16', storage: { emptyDir: {} }, tls: { disabled: {} } });
    const current = await plain.settled(PLAIN, 1, 90_000);
    assert.deepEqual(current.spec.tls, { disabled: {} });
    for (const endpoint of endpointsOf(current)) assert.match(endpoint, /^http:/);
    // Read and written without any certificate.
    await new EtcdClient({ timeoutMs: 3000 }).put(endpointsOf(current)[0] ?? '', '/plain/0', 'value-0');
    await plain.assertKeys(current, '/plain/', 1);
    for (const name of [clientSecretName(PLAIN), `${PLAIN}-etcd-ca`]) {
      await assert.rejects(core.readNamespacedSecret({ namespace, name }), (error: unknown) => {
        assert.equal((error as { code?: number }).code, 404, name);
        return true;
      });
    }
  });
});
