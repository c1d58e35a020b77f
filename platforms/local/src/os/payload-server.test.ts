import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { simulatedPayload, simulatedPayloadUrl } from '@strata/omaha';
import { PayloadServerError } from './errors.ts';
import { OmahaUpdateSource } from '@strata/update-engine';
import { startSimulatedPayloadServer } from './payload-server.ts';

describe('the simulated payload server', () => {
  it('serves every version’s payload, which the Omaha client downloads and verifies', async () => {
    const server = await startSimulatedPayloadServer({ host: '127.0.0.1', port: 0 });
    try {
      for (const version of ['4230.2.4', '9999.0.1']) {
        const url = simulatedPayloadUrl(server.url, version);
        const answer = await fetch(url);
        assert.equal(answer.status, 200, url);
        const payload = simulatedPayload(version);
        assert.deepEqual(Buffer.from(await answer.arrayBuffer()), payload.bytes);
        // The machine's own download: size and sha256 as a grant announces them.
        const source = new OmahaUpdateSource({ server: 'http://127.0.0.1:1/v1/update/' });
        await source.download({
          version,
          size: payload.size,
          payload: { url, sha256Base64: Buffer.from(payload.sha256, 'hex').toString('base64') },
        });
      }
      const head = await fetch(simulatedPayloadUrl(server.url, '4230.2.4'), { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(simulatedPayload('4230.2.4').size));
    } finally {
      await server.close();
    }
  });

  it('answers 404 for anything but a version’s payload, and 405 for other methods', async () => {
    const server = await startSimulatedPayloadServer({ host: '127.0.0.1', port: 0 });
    try {
      const base = new URL(server.url);
      for (const path of [
        '/',
        '/flatcar/',
        '/flatcar/latest/flatcar_production_update.gz',
        '/flatcar/4230.2.4/other.gz',
      ])
        assert.equal((await fetch(new URL(path, base))).status, 404, path);
      const post = await fetch(simulatedPayloadUrl(server.url, '4230.2.4'), { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
    } finally {
      await server.close();
    }
  });

  it('names the address when it cannot listen', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      await assert.rejects(
        startSimulatedPayloadServer({ host: '127.0.0.1', port: address.port }),
        (error: unknown) =>
          error instanceof PayloadServerError && error.message.includes(`127.0.0.1:${address.port}: EADDRINUSE`),
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
