// What a user does: `strata up`, then `strata update promote <version>
// --channel stable`, and watch the rollout with kubectl and `strata update
// status`. The bootstrap manifests install the update server (with its default
// channels, the nodes' group and the release they run) and the update operator;
// every node's update_engine checks in with the server over Omaha, as its
// rendered update.conf says. The test sets up nothing else. Runs a local
// cluster: take the shared address lock (see the repository's test notes).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { runCommand, waitFor } from '@strata/host';
import { resolveAllBinaries } from '@strata/binaries';
import { controllerRoot, readUpdateConf } from '@strata/platform-local';
import { UpdateApiClient } from '@strata/update-server';
import { z } from 'zod';
import { machinesSchema, stepsFor, timelineSchema, updateViewerToken } from './update-server-viewer.ts';
import { STRATA, startStrataUp } from '../testing/strata-up-process.ts';

const INITIAL = '4230.2.3';
const VERSION = '4230.2.4';
/** The nodes' GROUP= (the default config's os.channel), and the channel its group follows. */
const CHANNEL = 'stable';

/** Each probe runs kubectl or the CLI: once a second is enough. */
const poll = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> =>
  waitFor(what, probe, { timeoutMs, intervalMs: 1_000 });

const log = (line: string): void => {
  process.stderr.write(`# ${line}\n`);
};

const statusJson = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      channel: z.string(),
      machines: z.number().nullable(),
      versions: z.array(z.object({ version: z.string(), machines: z.number() })),
      rollout: z.object({ version: z.string(), completed: z.number() }).nullable(),
    }),
  ),
});
const promotionJson = z.object({
  channel: z.string(),
  release: z.string(),
  version: z.string(),
  previousRelease: z.string().nullable(),
  changed: z.boolean(),
  published: z.object({ name: z.string(), version: z.string(), payloadUrl: z.string() }).nullable(),
});

describe('strata up with the update server and the update operator', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(
    'rolls every node forward after `strata update promote`, watched with kubectl and `strata update status`',
    { timeout: 480_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'strata-up-update-'));
      dirs.push(dir);
      const started = performance.now();
      const up = await startStrataUp(dir);
      const { ready } = up;
      try {
        log(`strata up ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        const { kubectl } = await resolveAllBinaries();
        const get = async (args: readonly string[]): Promise<string> => {
          const result = await runCommand(kubectl, [`--kubeconfig=${ready.kubeconfig}`, 'get', ...args]);
          assert.equal(result.code, 0, result.stderr);
          return result.stdout;
        };
        const strata = async (args: readonly string[]) => {
          const result = await runCommand(process.execPath, [STRATA, 'update', ...args, '--dir', dir], {
            env: { ...process.env, KUBECONFIG: '' },
          });
          return result;
        };
        const status = async () => {
          const result = await strata(['status', '--json']);
          assert.equal(result.code, 0, result.stderr);
          return statusJson.parse(JSON.parse(result.stdout));
        };
        const versions = async (): Promise<string[]> =>
          (await get(['nodes', '-L', 'update.strata.dev/version', '--no-headers']))
            .trim()
            .split('\n')
            .map((row) => row.trim().split(/\s+/).at(-1) ?? '');

        // The agents report every node's version; the default policy is there; the update server's defaults are.
        await poll(
          `every node labelled with ${INITIAL}`,
          async () => ((await versions()).every((version) => version === INITIAL) ? true : undefined),
          90_000,
        );
        assert.match(await get(['updatepolicies']), /^default\s/m);
        assert.deepEqual((await get(['updatechannels', '-o', 'name'])).trim().split('\n').sort(), [
          'updatechannel.update.strata.dev/alpha',
          'updatechannel.update.strata.dev/beta',
          'updatechannel.update.strata.dev/stable',
        ]);
        assert.match(await get(['updatereleases']), new RegExp(`^flatcar-${INITIAL.replaceAll('.', '\\.')}\\s`, 'm'));

        // Every machine checks in with the server on its own; the group's status (recounted every 15 s) counts them.
        await poll(
          `the group ${CHANNEL} to count ${ready.nodes.length} machines on ${INITIAL}`,
          async () => {
            const group = (await status()).groups.find((each) => each.name === CHANNEL);
            return group?.machines === ready.nodes.length &&
              group.versions.length === 1 &&
              group.versions[0]?.version === INITIAL
              ? true
              : undefined;
          },
          90_000,
        );

        const refused = await strata(['promote', 'latest', '--channel', CHANNEL]);
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(refused.stderr, /<version>: must be a Container Linux version/);

        const promotedAt = performance.now();
        const promoted = await strata(['promote', VERSION, '--channel', CHANNEL, '--json']);
        assert.equal(promoted.code, 0, promoted.stderr);
        const promotion = promotionJson.parse(JSON.parse(promoted.stdout));
        assert.equal(promotion.release, `flatcar-${VERSION}`);
        assert.equal(promotion.version, VERSION);
        assert.equal(promotion.previousRelease, null);
        assert.equal(promotion.changed, true);
        assert.equal(promotion.published?.name, `flatcar-${VERSION}`, 'the simulated release was published');
        assert.match(await get(['updatechannel', CHANNEL]), new RegExp(`flatcar-${VERSION.replaceAll('.', '\\.')}`));

        await poll(
          `every node on ${VERSION}`,
          async () => ((await versions()).every((version) => version === VERSION) ? true : undefined),
          240_000,
        );
        log(`every node on ${VERSION} ${((performance.now() - promotedAt) / 1000).toFixed(1)} s after the promotion`);
        const policy = await poll(
          'the default policy to show every node idle again',
          async () => {
            const nodes = JSON.parse(
              (await get(['updatepolicy', 'default', '-o', 'jsonpath={.status.nodes}'])) || '{}',
            ) as { idle?: number; total?: number };
            return nodes.idle === ready.nodes.length ? nodes : undefined;
          },
          30_000,
        );
        assert.equal(policy.total, ready.nodes.length);
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

        // `strata update status`: every machine on the new version, the rollout complete.
        const group = await poll(
          `strata update status to show the rollout of ${VERSION} complete`,
          async () => {
            const found = (await status()).groups.find((each) => each.name === CHANNEL);
            return found?.rollout?.version === VERSION && found.rollout.completed === ready.nodes.length
              ? found
              : undefined;
          },
          60_000,
        );
        assert.deepEqual(group.versions, [{ version: VERSION, machines: ready.nodes.length }]);
        const table = await strata(['status']);
        assert.equal(table.code, 0, table.stderr);
        assert.match(table.stdout, new RegExp(VERSION.replaceAll('.', '\\.')));

        // The server's history: each machine's events for the new version, in order.
        const admin = new KubeConfig();
        admin.loadFromFile(ready.kubeconfig);
        const controller = ready.nodes.find((name) => name.includes('controller')) ?? '';
        const conf = await readUpdateConf(controllerRoot(dir, controller));
        const api = new UpdateApiClient({
          baseUrl: new URL(conf.server ?? '').origin,
          token: await updateViewerToken(admin),
          caPem: await readFile(join(dir, 'assets/tls/ca.crt'), 'utf8'),
        });
        const listed = await api.get(`/machines?group=${CHANNEL}`);
        assert.equal(listed.status, 200, JSON.stringify(listed.body));
        const machines = machinesSchema.parse(listed.body).items;
        assert.deepEqual(machines.map((machine) => machine.alias).sort(), [...ready.nodes].sort());
        for (const machine of machines) {
          const answer = await api.get(`/machines/${machine.machineId}`);
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
          const record = timelineSchema.parse(answer.body);
          assert.equal(record.currentVersion, VERSION, machine.alias);
          assert.deepEqual(
            stepsFor(record, VERSION),
            ['granted', 'downloading', 'downloaded', 'installed', 'complete'],
            `${machine.alias}'s history: ${JSON.stringify(record.timeline)}`,
          );
        }
      } finally {
        await up.stop();
      }
    },
  );
});
