// strata install on bare metal killed with SIGKILL at seeded random moments,
// then run again: the rerun completes with one CA, no duplicate Pulumi
// resource, no pending operation and no orphan process, every machine Ready;
// destroy then leaves nothing of the cluster on the boot server. The machines
// are the user's: they keep running across the killed run and the rerun.
// STRATA_INSTALL_KILLS kills (2 by default), seed STRATA_INSTALL_KILL_SEED.
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { BareMetalSandbox, bareMetalConfigInput, machineSpecs, parsedConfig } from '../testing/bare-metal-sandbox.ts';
import { clusterCaCertificates, duplicateUrns, processCensus, seededRandom } from '../testing/install-invariants.ts';

const KILLS = Number(process.env['STRATA_INSTALL_KILLS'] ?? 2);
const SEED = Number(process.env['STRATA_INSTALL_KILL_SEED'] ?? 12);
/** From preflight to the wait for the nodes of a 1+2 install on this machine (about 35 s). */
const WINDOW_MS = [3_000, 35_000] as const;

describe('strata install on bare metal killed with SIGKILL at random moments', () => {
  let sandbox: BareMetalSandbox;
  const random = seededRandom(SEED);
  let windowEnd: number = WINDOW_MS[1];
  const specs = machineSpecs(1, 2);

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    sandbox = await BareMetalSandbox.create();
  });
  after(async () => {
    await sandbox?.cleanup();
  });

  for (let kill = 1; kill <= KILLS; kill += 1) {
    it(`kill ${kill} of ${KILLS}: the rerun reaches Ready with one CA, no duplicate resource, no orphan process`, async (t: TestContext) => {
      const name = `kill${kill}`;
      const input = bareMetalConfigInput({
        name,
        endpoint: sandbox.boot.url,
        machines: specs,
        sshKey: sandbox.identity.publicKey,
      });
      const configPath = await sandbox.writeConfig(`${name}.yaml`, input);
      const config = parsedConfig(input);
      const hosts = await sandbox.hostsFor(config);
      const dir = join(sandbox.root, name);
      const args = ['--config', configPath, '--dir', dir];
      try {
        let killedAfter: number | undefined;
        for (let attempt = 1; killedAfter === undefined; attempt += 1) {
          assert.ok(attempt <= 4, 'every attempt finished before its kill');
          const delay = Math.round(WINDOW_MS[0] + random() * (windowEnd - WINDOW_MS[0]));
          const started = performance.now();
          const run = await sandbox.install(hosts, config, args, delay);
          if (run.killed) {
            killedAfter = delay;
            continue;
          }
          assert.equal(run.code, 0, run.stderr);
          windowEnd = Math.max(WINDOW_MS[0] + 1_000, Math.round((performance.now() - started) * 0.9));
          t.diagnostic(
            `attempt ${attempt} finished before its kill at ${delay} ms; the window ends at ${windowEnd} ms now`,
          );
          const destroy = await sandbox.strata(['destroy', '--dir', dir, '--yes']);
          assert.equal(destroy.code, 0, destroy.stderr);
          await sandbox.powerOff();
        }
        t.diagnostic(`seed ${SEED}: killed after ${killedAfter} ms`);
        const caBefore = await clusterCaCertificates(dir).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
          throw error;
        });

        const rerun = await sandbox.install(hosts, config, args);
        assert.equal(rerun.code, 0, rerun.stderr);

        const cas = await clusterCaCertificates(dir);
        assert.equal(cas.length, 1);
        if (caBefore.length > 0)
          assert.equal(cas[0]?.fingerprint256, caBefore[0]?.fingerprint256, 'the rerun made a new CA');
        const status = await sandbox.strataOnNames(hosts, ['status', '--dir', dir, '--json']);
        assert.equal(status.code, 0, status.stderr);
        const report = JSON.parse(status.stdout) as {
          resources: { urn: string; type: string }[];
          pendingOperations: number;
          nodes: { ready: number; total: number };
        };
        assert.deepEqual(duplicateUrns(report.resources), []);
        // Two profiles and two groups per machine; one Ignition config per profile that carries one.
        assert.equal(report.resources.filter((resource) => /Profile$/.test(resource.type)).length, specs.length * 2);
        assert.equal(report.resources.filter((resource) => /Group$/.test(resource.type)).length, specs.length * 2);
        assert.equal(report.pendingOperations, 0);
        assert.deepEqual(report.nodes, { ready: specs.length, total: specs.length, missing: [] });
        const census = await processCensus(dir);
        assert.deepEqual(
          census.orphans.map((info) => `${info.pid} ${info.argv.join(' ')}`),
          [],
        );

        const destroy = await sandbox.strata(['destroy', '--dir', dir, '--yes']);
        assert.equal(destroy.code, 0, destroy.stderr);
        const ofCluster = (ids: readonly string[]) => ids.filter((id) => id.startsWith(`${name}-`));
        assert.deepEqual(ofCluster((await sandbox.client.listProfiles()).map((profile) => profile.id)), []);
        assert.deepEqual(ofCluster((await sandbox.client.listGroups()).map((group) => group.id)), []);
        assert.deepEqual(ofCluster(await sandbox.client.listTemplates('ignition')), []);
        assert.deepEqual((await processCensus(dir)).orphans, []);
      } finally {
        await sandbox.powerOff();
      }
    });
  }
});
