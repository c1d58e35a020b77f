// The rotation learns which encryption configuration a server runs from its
// /metrics, which on a busy kube-apiserver is several MiB: the reader must not
// refuse it as too large (a CI run lost three rotation tests to a 1 MiB bound).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CertificateAuthority, toPemPair } from '@strata/assets';
import { configurationHash, loadedHash, type RotationApiServer } from './encryption-key.ts';

function metricsOf(bytes: number, hash: string): string {
  const filler = '# HELP apiserver_request_total Counter of apiserver requests.\n';
  const lines = filler.repeat(Math.ceil(bytes / filler.length));
  return `${lines}apiserver_encryption_config_controller_last_config_info{apiserver_id_hash="sha256:0",hash="${hash}"} 1\n`;
}

describe('the configuration hash a server reports', () => {
  let server: Server;
  let target: RotationApiServer;
  let body = '';

  before(async () => {
    const ca = await CertificateAuthority.create({ commonName: 'metrics test CA', validityDays: 1 });
    const serving = await toPemPair(
      await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], profile: 'server', validityDays: 1 }),
    );
    server = createServer({ cert: serving.certificatePem, key: serving.privateKeyPem }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    target = {
      name: 'kube-apiserver',
      url: `https://127.0.0.1:${port}`,
      tls: { ca: (await toPemPair(ca)).certificatePem },
    };
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is read from a /metrics of 8 MiB', async () => {
    const hash = configurationHash('kind: EncryptionConfiguration');
    body = metricsOf(8 * 1024 * 1024, hash);
    assert.equal(await loadedHash(target), hash);
  });

  it('is undefined while the server reports no configuration', async () => {
    body = metricsOf(1024, 'none').replace(/^apiserver_encryption.*\n/m, '');
    assert.equal(await loadedHash(target), undefined);
  });
});
