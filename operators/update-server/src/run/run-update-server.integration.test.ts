// The binary against the harness's API server: it starts, serves the Omaha
// endpoint and the JSON API on one port, and stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { z } from 'zod';
import { UpdateApiClient } from '../api/client.ts';
import { anOmahaRequest } from '../testing/builders.ts';
import { installUpdateServerCrds } from '../testing/crds.ts';
import { postOmaha, readAsUpdateEngine } from '../testing/omaha-client.ts';

const cluster = await sharedControlPlane();
const BIN = fileURLToPath(new URL('../../bin/update-server.ts', import.meta.url));
const logLine = z.looseObject({ msg: z.string(), url: z.string().optional() });

describe('the update-server binary', () => {
  let directory: string;
  before(async () => {
    await installUpdateServerCrds(cluster.adminKubeConfig());
    directory = await mkdtemp(join(tmpdir(), 'update-server-bin-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('serves Omaha and the JSON API on one port, and stops on SIGTERM', async () => {
    const name = uniqueName('bin');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'run',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        `--identity=${name}`,
        '--lease-namespace=default',
        '--host=127.0.0.1',
        '--port=0',
        `--sqlite-path=${join(directory, 'updates.db')}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    const url = await waitFor(
      'the server to say where it serves',
      () => lines.map((line) => logLine.parse(JSON.parse(line))).find((entry) => entry.msg === 'serving')?.url,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const answer = await postOmaha(url, anOmahaRequest({ track: `${name}-nobody`, machineId: `${name}-m` }));
    assert.equal(answer.status, 200);
    assert.equal(readAsUpdateEngine(answer.body).appStatus, 'unknown-group');
    const unauthenticated = await new UpdateApiClient({ baseUrl: new URL(url).origin, token: '' }).get('/groups');
    assert.equal(unauthenticated.status, 401);

    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0);
    assert.ok(lines.some((line) => line.includes('"stopping"')));
  });
});
