import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { Health } from './health.ts';
import { MetricsServerError, startMetricsServer, type MetricsServer } from './metrics.ts';

describe('startMetricsServer', () => {
  let leading = false;
  const health = new Health({ isLeader: () => leading });
  const registry = new Registry();
  const reconciles = new Counter({
    name: 'strata_test_reconciles_total',
    help: 'Reconciles done.',
    registers: [registry],
  });
  let server: MetricsServer;
  const get = async (path: string): Promise<{ status: number; body: string; type: string | null }> => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
  };

  before(async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, health });
  });
  after(() => server.close());

  it('serves the registry as Prometheus text', async () => {
    reconciles.inc(3);
    const { status, body, type } = await get('/metrics');
    assert.equal(status, 200);
    assert.match(type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(body, /^strata_test_reconciles_total 3$/m);
  });

  it('is live at once, ready only once marked, and tells whether it leads', async () => {
    assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok\n', type: 'text/plain; charset=utf-8' });
    assert.equal((await get('/readyz')).status, 503);
    health.markReady();
    assert.deepEqual(await get('/readyz'), {
      status: 200,
      body: 'ok\nleader: no\n',
      type: 'text/plain; charset=utf-8',
    });
    leading = true;
    assert.equal((await get('/readyz')).body, 'ok\nleader: yes\n');
    health.markNotReady();
    assert.equal((await get('/readyz')).status, 503);
  });

  it('answers 404 elsewhere, ignoring query strings', async () => {
    assert.equal((await get('/nope')).status, 404);
    assert.equal((await get('/healthz?verbose')).status, 200);
  });

  it('fails with a StrataError when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    assert.ok(address !== null && typeof address === 'object');
    await assert.rejects(
      startMetricsServer({ host: '127.0.0.1', port: address.port, registry, health }),
      MetricsServerError,
    );
    await new Promise((resolve) => blocker.close(resolve));
  });
});
