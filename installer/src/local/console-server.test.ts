import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSET_PATHS, CertificateAuthority, toPemPair, writePemPair } from '@strata/assets';
import {
  consoleBin,
  issueLocalConsoleCertificate,
  localConsoleEnvironment,
  localConsolePaths,
} from './console-server.ts';

describe("the local cluster's console", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('runs the console package’s own entry point, found by module resolution', () => {
    const bin = consoleBin();
    assert.ok(bin.endsWith(join('console', 'bin', 'console.ts')), bin);
    assert.ok(existsSync(bin));
  });

  it('serves with a certificate for 127.0.0.1 and localhost issued by the cluster CA, for serving only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-console-'));
    dirs.push(dir);
    const ca = await CertificateAuthority.create({ commonName: 'test-cluster-ca', validityDays: 1 });
    const caPem = await toPemPair(ca);
    await writePemPair(dir, ASSET_PATHS.clusterCa, caPem);
    const serving = new X509Certificate((await issueLocalConsoleCertificate(dir)).certificatePem);
    assert.ok(serving.verify(new X509Certificate(caPem.certificatePem).publicKey), 'signed by the cluster CA');
    assert.equal(serving.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(serving.checkHost('localhost'), 'localhost');
    assert.equal(serving.checkIP('127.0.0.2'), undefined);
    assert.equal(serving.ca, false);
    assert.deepEqual(serving.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'server authentication only');
  });

  it('passes the console the cluster, its session key and, on Flatcar, the update server with the cluster CA', () => {
    const base = { kubeconfigPath: '/c/kubeconfig', sessionSecret: 'k'.repeat(43), caFile: '/c/assets/tls/ca.crt' };
    assert.deepEqual(localConsoleEnvironment(base), {
      STRATA_CONSOLE_KUBECONFIG: '/c/kubeconfig',
      STRATA_CONSOLE_SESSION_SECRET: 'k'.repeat(43),
    });
    assert.deepEqual(localConsoleEnvironment({ ...base, updateServerUrl: 'https://127.0.0.2:30779/v1/update/' }), {
      STRATA_CONSOLE_KUBECONFIG: '/c/kubeconfig',
      STRATA_CONSOLE_SESSION_SECRET: 'k'.repeat(43),
      STRATA_CONSOLE_UPDATE_SERVER_URL: 'https://127.0.0.2:30779',
      STRATA_CONSOLE_UPDATE_SERVER_CA_FILE: '/c/assets/tls/ca.crt',
    });
  });

  it('keeps its files in the cluster directory and trusts the cluster CA', () => {
    const paths = localConsolePaths('/clusters/local');
    assert.equal(paths.certFile, '/clusters/local/console/serving.crt');
    assert.equal(paths.keyFile, '/clusters/local/console/serving.key');
    assert.equal(paths.sessionSecretFile, '/clusters/local/console/session-secret');
    assert.equal(paths.caFile, '/clusters/local/assets/tls/ca.crt');
  });
});
