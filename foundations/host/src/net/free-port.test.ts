import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort, freePorts } from './free-port.ts';

describe('freePort', () => {
  it('gives a port that a server can then bind', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('gives distinct ports when asked for several', async () => {
    const ports = await freePorts(5);
    assert.equal(new Set(ports).size, 5);
  });
});
