// What a user does: `strata up`, then `strata update offer <version>`, and
// watch the rollout with kubectl. The bootstrap manifests install the update
// operator and its agents; nothing else is set up by the test. Run under
// `flock /tmp/strata-local-cluster.lock`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runCommand, waitFor } from '@strata/host';
import { resolveAllBinaries } from '@strata/binaries';

const STRATA = fileURLToPath(new URL('../bin/strata.js', import.meta.resolve('@strata/installer')));
const VERSION = '4230.2.4';

/** Each probe runs kubectl: once a second is enough. */
const poll = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> =>
  waitFor(what, probe, { timeoutMs, intervalMs: 1_000 });

describe('strata up with the update operator', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('rolls out an update offered with `strata update offer`, watched with kubectl', { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-up-update-'));
    dirs.push(dir);
    const up = spawn(process.execPath, [STRATA, 'up', '--dir', dir, '--workers', '1', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    up.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(up, 'exit') as Promise<[number | null]>;
    try {
      const line = await Promise.race([
        new Promise<string>((resolve) => createInterface({ input: up.stdout }).once('line', resolve)),
        exited.then(([code]) => {
          throw new Error(`strata up exited with ${code} before the cluster was ready:\n${stderr}`);
        }),
      ]);
      const ready = JSON.parse(line) as { kubeconfig: string; nodes: string[] };
      const { kubectl } = await resolveAllBinaries();
      const get = async (args: readonly string[]): Promise<string> => {
        const result = await runCommand(kubectl, [`--kubeconfig=${ready.kubeconfig}`, 'get', ...args]);
        assert.equal(result.code, 0, result.stderr);
        return result.stdout;
      };
      const versions = async (): Promise<string[]> =>
        (await get(['nodes', '-L', 'update.strata.dev/version', '--no-headers']))
          .trim()
          .split('\n')
          .map((row) => row.trim().split(/\s+/).at(-1) ?? '');

      // The agents report every node's version; the default policy is there.
      await poll(
        'every node labelled with its OS version',
        async () => ((await versions()).every((version) => version === '4230.2.3') ? true : undefined),
        90_000,
      );
      assert.match(await get(['updatepolicies']), /^default\s/m);

      const offered = await runCommand(process.execPath, [STRATA, 'update', 'offer', VERSION, '--dir', dir]);
      assert.equal(offered.code, 0, offered.stderr);
      assert.match(offered.stderr, new RegExp(`Offered ${VERSION.replaceAll('.', '\\.')}`));

      await poll(
        `every node on ${VERSION}`,
        async () => ((await versions()).every((version) => version === VERSION) ? true : undefined),
        150_000,
      );
      const status = await poll(
        'the default policy to show every node idle again',
        async () => {
          const nodes = JSON.parse(
            (await get(['updatepolicy', 'default', '-o', 'jsonpath={.status.nodes}'])) || '{}',
          ) as { idle?: number; total?: number };
          return nodes.idle === ready.nodes.length ? nodes : undefined;
        },
        30_000,
      );
      assert.equal(status.total, ready.nodes.length);
      const events = await get([
        'events',
        '-n',
        'default',
        '--field-selector',
        'reason=RebootCompleted,reportingComponent=update.strata.dev/operator',
        '--no-headers',
      ]);
      assert.equal(
        events.trim().split('\n').length,
        ready.nodes.length,
        `one RebootCompleted Event of the operator per node:\n${events}`,
      );

      const refused = await runCommand(process.execPath, [STRATA, 'update', 'offer', 'latest', '--dir', dir]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /version: must be a Flatcar/);
    } finally {
      up.kill('SIGTERM');
      await exited;
    }
  });
});
