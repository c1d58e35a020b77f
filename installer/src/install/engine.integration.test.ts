// The engine's handling of a phase that runs out of time, through the real
// render and the real Pulumi engine, on a platform whose API never answers
// (its URL names a port nothing listens on) or is answered by a server whose
// certificate another CA signed: the failure names the phase and its budget,
// carries the diagnosis, and the journal records it.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiagnosticContext } from '../diagnostics/diagnosis.ts';
import { diagnose } from '../diagnostics/index.ts';
import { aCertificateAuthority, aServingCertificate, startTlsServer } from '../diagnostics/test-fixtures.ts';
import { localConfigYaml } from '../testing/install-sandbox.ts';
import { closedPort, platformAt } from '../testing/platform-at.ts';
import { runInstall } from './engine.ts';
import { EXIT, InstallError } from './errors.ts';
import { InstallEvents, type InstallEvent } from './events.ts';
import { Journal } from './journal.ts';

describe('a phase that runs out of time', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('fails with its name and budget, the diagnosis, and a journal record; a rerun resumes after what was done', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-engine-'));
    dirs.push(root);
    const configPath = join(root, 'cluster.yaml');
    await writeFile(configPath, localConfigYaml({ name: 'late', timeouts: { waitApi: '3s' } }));
    const url = `https://127.0.0.1:${await closedPort()}`;
    const diagnosed: DiagnosticContext[] = [];
    const run = async () => {
      const events = new InstallEvents();
      const seen: InstallEvent[] = [];
      events.subscribe((event) => seen.push(event));
      const outcome = await runInstall({
        configPath,
        dir: () => join(root, 'cluster'),
        events,
        drivers: { local: platformAt(url) },
        // The real probes: the API server never started, so TCP is refused and the next step names the port.
        diagnose: (context) => {
          diagnosed.push(context);
          return diagnose(context);
        },
        confirm: () => Promise.resolve(false),
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      return { outcome, seen };
    };

    const first = await run();
    assert.ok(first.outcome instanceof InstallError);
    assert.equal(first.outcome.exitCode, EXIT.failed);
    assert.match(first.outcome.message, /the wait-api phase did not finish within 3\.0s/);
    const failed = first.seen.find((event) => event.type === 'phase-failed');
    assert.ok(failed?.type === 'phase-failed');
    assert.equal(failed.phase, 'wait-api');
    assert.equal(failed.timedOut, true);
    const port = new URL(url).port;
    const tcp = failed.diagnosis?.checks.find((check) => check.name === 'tcp');
    assert.equal(tcp?.status, 'failed', JSON.stringify(failed.diagnosis));
    assert.match(tcp?.detail ?? '', new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(failed.diagnosis?.nextStep ?? '', new RegExp(`:${port}`));
    assert.equal(diagnosed[0]?.phase, 'wait-api');
    assert.equal(diagnosed[0]?.apiServerUrl, url);
    assert.match(diagnosed[0]?.clusterCaPem ?? '', /BEGIN CERTIFICATE/);

    const journal = await new Journal(join(root, 'cluster', 'journal.jsonl')).read();
    assert.deepEqual(
      journal.records.filter((record) => record.phase === 'wait-api').map((record) => record.status),
      ['started', 'failed'],
    );

    const second = await run();
    assert.ok(second.outcome instanceof InstallError);
    assert.deepEqual(
      second.seen.filter((event) => event.type === 'phase-skipped').map((event) => event.phase),
      ['preflight', 'render'],
    );
  });

  it('a served certificate another CA signed: wait-api times out with the TLS diagnosis naming both CAs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-engine-'));
    dirs.push(root);
    const configPath = join(root, 'cluster.yaml');
    await writeFile(configPath, localConfigYaml({ name: 'foreign', timeouts: { waitApi: '3s' } }));
    // The certificate names 127.0.0.1, so only its issuer is wrong.
    const foreign = await startTlsServer(await aServingCertificate(await aCertificateAuthority('other-ca')));
    try {
      const events = new InstallEvents();
      const seen: InstallEvent[] = [];
      events.subscribe((event) => seen.push(event));
      const outcome = await runInstall({
        configPath,
        dir: () => join(root, 'cluster'),
        events,
        drivers: { local: platformAt(foreign.url) },
        diagnose,
        confirm: () => Promise.resolve(false),
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(outcome instanceof InstallError);
      assert.equal(outcome.exitCode, EXIT.failed);
      assert.match(outcome.message, /the wait-api phase did not finish within 3\.0s/);
      const failed = seen.find((event) => event.type === 'phase-failed');
      assert.ok(failed?.type === 'phase-failed');
      assert.equal(failed.phase, 'wait-api');
      assert.equal(failed.timedOut, true);
      const checks = new Map(failed.diagnosis?.checks.map((check) => [check.name, check]));
      assert.equal(checks.get('tcp')?.status, 'ok', JSON.stringify(failed.diagnosis));
      const tls = checks.get('tls');
      assert.equal(tls?.status, 'failed', JSON.stringify(failed.diagnosis));
      const renderedCa = new X509Certificate(await readFile(join(root, 'cluster', 'assets', 'tls', 'ca.crt')));
      assert.match(
        tls?.detail ?? '',
        new RegExp(
          `issued by CN=other-ca is not signed by the rendered CA ${renderedCa.subject.replaceAll('\n', ', ')} \\(fingerprint ${renderedCa.fingerprint256}\\)`,
        ),
      );
      assert.match(failed.diagnosis?.nextStep ?? '', new RegExp(`${foreign.url} is not this cluster's API server`));
    } finally {
      await foreign.close();
    }
  });
});
