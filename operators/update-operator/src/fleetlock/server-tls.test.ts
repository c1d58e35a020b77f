// FleetLock over TLS with the certificate `strata render` issues: Zincati
// trusts the system store, where Fedora CoreOS nodes get the cluster CA, and
// checks the name in its base_url (the API's DNS name). The client here trusts
// the cluster CA and nothing else, as a node whose store held only that CA.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ASSET_PATHS, CERT, KEY, planClusterRender } from '@strata/assets';
import { renderConfig } from '@strata/assets/testing';
import { FLEETLOCK_HEADER, FLEETLOCK_HEADER_VALUE, FLEETLOCK_PATHS, type FleetLockClientParams } from './protocol.ts';
import {
  startFleetLockServer,
  type FleetLockAnswer,
  type FleetLockCaller,
  type FleetLockHandler,
  type RunningFleetLockServer,
} from './server.ts';

/** Grants every request and counts those that reach it. */
class CountingHandler implements FleetLockHandler {
  calls = 0;

  preReboot(_client: FleetLockClientParams, _caller: FleetLockCaller): Promise<FleetLockAnswer> {
    this.calls += 1;
    return Promise.resolve({ ok: true, message: 'locked' });
  }

  steadyState(_client: FleetLockClientParams, _caller: FleetLockCaller): Promise<FleetLockAnswer> {
    this.calls += 1;
    return Promise.resolve({ ok: true, message: 'unlocked' });
  }
}

interface RenderedPki {
  readonly clusterCaPem: string;
  readonly etcdCaPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly apiDnsName: string;
  /** A controller's loopback alias on the local platform, among the certificate's addresses. */
  readonly controllerAddress: string;
}

/** The PKI of a planned (never written) render of a local cluster. */
async function renderedPki(): Promise<RenderedPki> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-fleetlock-tls-'));
  try {
    const plan = await planClusterRender({ config: renderConfig(), dir });
    const file = (path: string): string => {
      const found = plan.writes.find((write) => write.path === path);
      assert.ok(found !== undefined, `the render writes ${path}`);
      return found.contents;
    };
    return {
      clusterCaPem: file(CERT(ASSET_PATHS.clusterCa)),
      etcdCaPem: file(CERT(ASSET_PATHS.etcdCa)),
      certPem: file(CERT(ASSET_PATHS.fleetLockServing)),
      keyPem: file(KEY(ASSET_PATHS.fleetLockServing)),
      apiDnsName: 'api.proof.strata.test',
      controllerAddress: '127.0.0.2',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface TlsTarget {
  readonly host: string;
  /** The name checked against the certificate (and sent as SNI); the host itself when absent. */
  readonly servername?: string;
  readonly ca: string;
}

const payload = JSON.stringify({ client_params: { id: 'node', group: 'default' } });
const headers = {
  [FLEETLOCK_HEADER]: FLEETLOCK_HEADER_VALUE,
  'content-type': 'application/json',
  'content-length': String(Buffer.byteLength(payload)),
};

function postTls(port: number, target: TlsTarget): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: target.host,
        port,
        path: FLEETLOCK_PATHS.preReboot,
        method: 'POST',
        // `ca` replaces Node's bundled roots: only the given CA is trusted.
        ca: target.ca,
        ...(target.servername === undefined ? {} : { servername: target.servername }),
        headers,
        agent: false,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function postPlain(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host, port, path: FLEETLOCK_PATHS.preReboot, method: 'POST', headers, agent: false },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

describe('FleetLock over TLS with the rendered serving certificate', () => {
  const handler = new CountingHandler();
  let pki: RenderedPki;
  let server: RunningFleetLockServer;

  before(async () => {
    pki = await renderedPki();
    // A controller's own address, as the operator's replicas listen on the local platform.
    server = await startFleetLockServer({
      host: pki.controllerAddress,
      port: 0,
      handler,
      tls: { certPem: pki.certPem, keyPem: pki.keyPem },
    });
  });
  after(() => server.close());

  it('answers a client that trusts only the cluster CA and checks the API DNS name, as Zincati asks', async () => {
    assert.match(server.url, /^https:\/\//);
    const before = handler.calls;
    const reply = await postTls(server.port, {
      host: pki.controllerAddress,
      servername: pki.apiDnsName,
      ca: pki.clusterCaPem,
    });
    assert.deepEqual(reply, { status: 200, text: 'locked\n' });
    assert.equal(handler.calls, before + 1);
  });

  it("answers a client that checks the controller's own address", async () => {
    const reply = await postTls(server.port, { host: pki.controllerAddress, ca: pki.clusterCaPem });
    assert.equal(reply.status, 200);
  });

  it('is refused by a client that checks a name the certificate does not carry', async () => {
    const before = handler.calls;
    await assert.rejects(
      postTls(server.port, {
        host: pki.controllerAddress,
        servername: 'fleetlock.elsewhere.test',
        ca: pki.clusterCaPem,
      }),
      (error: NodeJS.ErrnoException) => error.code === 'ERR_TLS_CERT_ALTNAME_INVALID',
    );
    assert.equal(handler.calls, before, 'nothing reached the handler');
  });

  it('is refused by a client that trusts another CA', async () => {
    const before = handler.calls;
    await assert.rejects(
      postTls(server.port, { host: pki.controllerAddress, servername: pki.apiDnsName, ca: pki.etcdCaPem }),
      (error: NodeJS.ErrnoException) => error.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
    assert.equal(handler.calls, before, 'nothing reached the handler');
  });

  it('gives a plain-HTTP request to the TLS port no answer, and the handler never sees it', async () => {
    const before = handler.calls;
    await assert.rejects(postPlain(pki.controllerAddress, server.port), (error: NodeJS.ErrnoException) =>
      // The TLS server drops a connection whose first bytes are no ClientHello; a write may race the reset.
      ['ECONNRESET', 'EPIPE'].includes(error.code ?? ''),
    );
    assert.equal(handler.calls, before);
  });
});
