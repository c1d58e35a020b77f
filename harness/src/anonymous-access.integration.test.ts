import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { ANONYMOUS_PATHS, pemPairPaths } from '@strata/assets';
import { httpsGet } from '@strata/host';
import type { HarnessCluster } from './harness-cluster.ts';
import { sharedControlPlane } from './shared.ts';

/** The status of a GET without a client certificate or token: an anonymous request. */
function anonymousStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: 'GET', timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

describe('anonymous requests to kube-apiserver', () => {
  let cluster: HarnessCluster;
  let ca: string;
  before(async () => {
    cluster = await sharedControlPlane();
    ca = await readFile(pemPairPaths(cluster.info.pkiDir, 'ca').certificatePath, 'utf8');
  });

  it('are refused outside the health endpoints', async () => {
    for (const path of ['/version', '/api', '/apis', '/openapi/v2', '/metrics', '/api/v1/namespaces'])
      assert.equal(await anonymousStatus(`${cluster.info.server}${path}`, ca), 401, path);
  });

  it('are refused where an authenticated client is served', async () => {
    const admin = pemPairPaths(cluster.info.pkiDir, 'admin');
    const tls = {
      ca,
      cert: await readFile(admin.certificatePath, 'utf8'),
      key: await readFile(admin.privateKeyPath, 'utf8'),
    };
    assert.equal((await httpsGet(`${cluster.info.server}/version`, tls)).status, 200);
  });

  it('still reach the health endpoints, for probes', async () => {
    assert.deepEqual(ANONYMOUS_PATHS, ['/livez', '/readyz', '/healthz']);
    for (const path of ANONYMOUS_PATHS)
      assert.equal(await anonymousStatus(`${cluster.info.server}${path}`, ca), 200, path);
  });
});
