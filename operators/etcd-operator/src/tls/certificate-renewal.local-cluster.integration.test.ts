// Certificate renewal end to end (ADR 0052): the operator runs with --certificate-validity-seconds (through its
// image's environment) so that automatic TLS's certificates live minutes, and a cluster of 3 on claims, created
// without spec.tls (automatic TLS, the default), is watched until every member serves a new certificate and the
// client Secret holds a new one, while the cluster stays Available and keeps its members and keys.
// Run under `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { EventsV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '@strata/harness';
import type { TestCluster } from '@strata/platform-local/testing';
import { EtcdClient } from '../etcd/gateway-client.ts';
import { endpointsOf, type LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';
import { readClientTls } from './cluster-tls.ts';
import { clientSecretName } from './names.ts';
import { readServingCertificate } from './renewal.ts';

const NAME = 'renewed';
const KEYS = 40;
// Renewal at two thirds: 120 s after issue, 60 s before expiry, which a roll of 3 members on claims fits well within.
const VALIDITY_SECONDS = 180;

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let namespace: string;
let clusters: LocalEtcdClusters;

before(async () => {
  ({ cluster, kubeConfig, core, namespace, clusters } = await startOperatorTestCluster('etcd-renew', {
    operatorEnv: { ETCD_OPERATOR_CERTIFICATE_VALIDITY_SECONDS: String(VALIDITY_SECONDS) },
  }));
});

after(async () => {
  await cluster?.destroy();
});

interface Served {
  readonly serial: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

const servedOf = (certificate: X509Certificate): Served => ({
  serial: certificate.serialNumber,
  validFrom: certificate.validFromDate,
  validTo: certificate.validToDate,
});

describe('certificate renewal', () => {
  it(
    'renews every member certificate and the client Secret before they expire, Available throughout',
    { timeout: 480_000 },
    async (t) => {
      await clusters.create(NAME, { size: 3, version: '3.6.16', storage: { pvc: { size: '64Mi' } } });
      const created = await clusters.settled(NAME, 3, 120_000);
      assert.deepEqual(created.spec.tls, { auto: { certificateValidityHours: 8760 } }, 'automatic TLS by default');
      const endpoints = endpointsOf(created);
      assert.ok(
        endpoints.every((endpoint) => endpoint.startsWith('https://')),
        endpoints.join(', '),
      );
      const memberIds = new Map((created.status?.members ?? []).map((member) => [member.name, member.id]));
      await clusters.putKeys(created, '/renewal/', KEYS);

      const clientTls = await readClientTls(core, namespace, clientSecretName(NAME));
      const firstClient = servedOf(new X509Certificate(clientTls.cert));
      const lifetime = (firstClient.validTo.getTime() - Date.now()) / 1000;
      assert.ok(lifetime <= VALIDITY_SECONDS && lifetime > 0, `the client certificate lives ${lifetime} s`);
      const first = new Map<string, Served>();
      for (const member of created.status?.members ?? []) {
        const served = await readServingCertificate(member.clientURL ?? '', clientTls, 3000);
        first.set(member.name, servedOf(served));
      }
      t.diagnostic(
        `members' certificates expire ${[...first.values()].map((s) => s.validTo.toISOString()).join(', ')}; client ${firstClient.validTo.toISOString()}`,
      );

      // Sampled throughout: the status must say Available with at least 2 of 3 members healthy every time.
      const samples: { readonly available: boolean; readonly healthy: number }[] = [];
      const sampling = setInterval(() => {
        void clusters.read(NAME).then(
          (current) =>
            samples.push({
              available: current.status?.conditions?.find((c) => c.type === 'Available')?.status === 'True',
              healthy: (current.status?.members ?? []).filter((member) => member.healthy).length,
            }),
          () => undefined,
        );
      }, 250);

      const renewedAt = new Map<string, number>();
      let clientRenewedAt: number | undefined;
      try {
        await waitFor(
          'every member and the client Secret to have a new certificate',
          async () => {
            const current = await clusters.read(NAME);
            const tls = await readClientTls(core, namespace, clientSecretName(NAME));
            if (
              clientRenewedAt === undefined &&
              servedOf(new X509Certificate(tls.cert)).serial !== firstClient.serial
            ) {
              clientRenewedAt = Date.now();
            }
            for (const member of current.status?.members ?? []) {
              if (renewedAt.has(member.name) || member.clientURL === undefined || !member.healthy) continue;
              const served = await readServingCertificate(member.clientURL, tls, 3000).catch(() => undefined);
              if (served !== undefined && served.serialNumber !== first.get(member.name)?.serial) {
                renewedAt.set(member.name, Date.now());
              }
            }
            return renewedAt.size === 3 && clientRenewedAt !== undefined ? true : undefined;
          },
          { timeoutMs: 300_000, intervalMs: 500, retryErrors: true },
        );
      } finally {
        clearInterval(sampling);
      }

      // Each renewal came before the certificate it replaced expired.
      for (const [member, at] of renewedAt) {
        const old = first.get(member);
        assert.ok(
          old !== undefined && at < old.validTo.getTime(),
          `${member} renewed before ${old?.validTo.toISOString()}`,
        );
      }
      assert.ok(clientRenewedAt !== undefined && clientRenewedAt < firstClient.validTo.getTime());
      t.diagnostic(
        `renewed: ${[...renewedAt].map(([member, at]) => `${member} ${((first.get(member)!.validTo.getTime() - at) / 1000).toFixed(0)} s before expiry`).join(', ')}; client ${((firstClient.validTo.getTime() - clientRenewedAt) / 1000).toFixed(0)} s before expiry`,
      );
      assert.ok(samples.length > 100, `${samples.length} status samples`);
      const unavailable = samples.filter((sample) => !sample.available).length;
      const belowQuorum = samples.filter((sample) => sample.healthy < 2).length;
      t.diagnostic(`${samples.length} status samples: ${unavailable} not Available, ${belowQuorum} under a quorum`);
      assert.equal(belowQuorum, 0, 'never fewer than 2 of 3 members healthy');
      assert.equal(unavailable, 0, 'Available in every sample');

      // The same members (restarted on their claims, not replaced), every key, equal hashes, with the new client
      // certificate.
      const current = await clusters.settled(NAME, 3, 60_000);
      assert.deepEqual(new Map((current.status?.members ?? []).map((member) => [member.name, member.id])), memberIds);
      const renewedClient = new EtcdClient({
        timeoutMs: 3000,
        tls: await readClientTls(core, namespace, clientSecretName(NAME)),
      });
      for (const endpoint of endpointsOf(current)) {
        const found = await renewedClient.getPrefix(endpoint, '/renewal/');
        assert.equal(found.size, KEYS, `${endpoint} holds every key`);
      }
      const hashes = await clusters.hashes(current);
      assert.equal(new Set(hashes).size, 1, `hashkv equal: ${hashes.join(', ')}`);

      const events = (await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace })).items.filter(
        (event) => event.regarding?.name === NAME,
      );
      const renewing = events.filter((event) => event.reason === 'MemberCertificateRenewing');
      const renewedNames = new Set(renewing.map((event) => /member (\S+)/.exec(event.note ?? '')?.[1]));
      for (const member of memberIds.keys()) assert.ok(renewedNames.has(member), `an Event renewing ${member}`);
      assert.ok(
        events.some((event) => event.reason === 'ClientCertificateRenewed'),
        events.map((event) => event.reason).join(', '),
      );
    },
  );
});
