// The diagnosis against real servers on loopback (no control plane): the
// faults an install meets before the API server answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiagnosticCheck, Diagnosis } from './diagnosis.ts';
import { createDiagnose, diagnose } from './diagnose.ts';
import { formatDiagnosis } from './format.ts';
import {
  aCertificateAuthority,
  aClosedPort,
  aDiagnosticContext,
  aServingCertificate,
  aTemporaryDirectory,
  startSilentServer,
  startTlsServer,
  type TemporaryDirectory,
  type TestAuthority,
} from './test-fixtures.ts';

function check(diagnosis: Diagnosis, name: DiagnosticCheck['name']): DiagnosticCheck {
  const found = diagnosis.checks.find((each) => each.name === name);
  assert.ok(found, `no ${name} check in ${JSON.stringify(diagnosis.checks)}`);
  return found;
}

const statuses = (diagnosis: Diagnosis): Record<string, string> =>
  Object.fromEntries(diagnosis.checks.map((each) => [each.name, each.status]));

describe('diagnose on loopback', () => {
  let dir: TemporaryDirectory;
  let rendered: TestAuthority;
  before(async () => {
    dir = await aTemporaryDirectory();
    rendered = await aCertificateAuthority('kubernetes-ca');
  });
  after(async () => {
    await dir.remove();
  });

  it('the API server never starts: tcp fails with the address, the next step names the port and its log', async () => {
    const port = await aClosedPort();
    const apiserverLog = join(dir.path, 'kube-apiserver.log');
    await writeFile(
      apiserverLog,
      'I1204 starting\nI1204 bootstrap token abcdef.0123456789abcdef\nE1204 failed to listen: bind: address already in use\n',
    );
    const diagnosis = await diagnose(
      aDiagnosticContext({
        apiServerUrl: `https://127.0.0.1:${port}`,
        clusterCaPem: rendered.caPem,
        logFiles: [apiserverLog, join(dir.path, 'etcd.log')],
      }),
    );
    assert.deepEqual(statuses(diagnosis), {
      dns: 'skipped',
      tcp: 'failed',
      tls: 'skipped',
      readyz: 'skipped',
      etcd: 'skipped',
      nodes: 'skipped',
    });
    assert.equal(check(diagnosis, 'dns').detail, '127.0.0.1 is an IP address: there is no name to resolve');
    assert.equal(check(diagnosis, 'tcp').detail, `127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
    assert.match(check(diagnosis, 'tls').detail, /no TCP connection to 127\.0\.0\.1:\d+ \(see tcp\)/);
    assert.equal(diagnosis.nextStep, `the API server is not listening on 127.0.0.1:${port}; see ${apiserverLog}`);
    assert.deepEqual(diagnosis.logTail, [
      'kube-apiserver.log: I1204 starting',
      'kube-apiserver.log: I1204 bootstrap token [redacted token]',
      'kube-apiserver.log: E1204 failed to listen: bind: address already in use',
      `etcd.log: (missing: ${join(dir.path, 'etcd.log')} does not exist)`,
    ]);
    // --json prints it as it is.
    assert.deepEqual(JSON.parse(JSON.stringify(diagnosis)), diagnosis);
    const text = formatDiagnosis(diagnosis);
    assert.ok(!text.includes('0123456789abcdef'), text);
    assert.match(text, /^Diagnosis:\n/);
    assert.match(text, new RegExp(`  FAILED  tcp     127\\.0\\.0\\.1:${port}: connection refused`));
    assert.match(text, /\n {2}skipped tls {5}no TCP connection/);
    assert.match(text, new RegExp(`\\nNext step: the API server is not listening on 127\\.0\\.0\\.1:${port}`));
    assert.match(text, /\nLast log lines:\n {2}kube-apiserver\.log: I1204 starting\n/);
  });

  it('an unresolvable API name: dns fails naming the name and the resolver code, the rest is skipped', async () => {
    const diagnosis = await diagnose(
      aDiagnosticContext({ apiServerUrl: 'https://api.nosuch.invalid:6443', clusterCaPem: rendered.caPem }),
    );
    assert.equal(check(diagnosis, 'dns').status, 'failed');
    assert.match(check(diagnosis, 'dns').detail, /^api\.nosuch\.invalid does not resolve: (ENOTFOUND|EAI_AGAIN) /);
    assert.equal(check(diagnosis, 'tcp').status, 'skipped');
    assert.equal(check(diagnosis, 'tcp').detail, 'api.nosuch.invalid does not resolve (see dns)');
    assert.match(
      diagnosis.nextStep,
      /^the API name api\.nosuch\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\): create its DNS record/,
    );
  });

  it('a name that resolves (localhost) passes dns with its addresses', async () => {
    const port = await aClosedPort();
    const diagnosis = await diagnose(
      aDiagnosticContext({ apiServerUrl: `https://localhost:${port}`, clusterCaPem: rendered.caPem }),
    );
    assert.equal(check(diagnosis, 'dns').status, 'ok');
    assert.match(check(diagnosis, 'dns').detail, /^localhost resolves to .*(127\.0\.0\.1|::1)/);
    assert.equal(check(diagnosis, 'tcp').status, 'failed');
  });

  it('the served certificate is not signed by the rendered CA: tls fails naming both CAs', async () => {
    const other = await aCertificateAuthority('other-ca');
    const server = await startTlsServer(await aServingCertificate(other));
    try {
      const diagnosis = await diagnose(aDiagnosticContext({ apiServerUrl: server.url, clusterCaPem: rendered.caPem }));
      assert.equal(check(diagnosis, 'tcp').status, 'ok');
      const tls = check(diagnosis, 'tls');
      assert.equal(tls.status, 'failed');
      assert.match(
        tls.detail,
        /^served certificate CN=kube-apiserver issued by CN=other-ca is not signed by the rendered CA CN=kubernetes-ca \(fingerprint [0-9A-F:]+\)/,
      );
      assert.match(tls.detail, /SANs DNS:localhost, IP Address:127\.0\.0\.1, valid \d{4}-/);
      assert.equal(check(diagnosis, 'readyz').status, 'skipped');
      assert.equal(check(diagnosis, 'nodes').status, 'skipped');
      assert.match(
        diagnosis.nextStep,
        new RegExp(
          `^the server at ${server.url.replaceAll('.', '\\.')} is not this cluster's API server, or the assets were re-rendered with a new CA: ` +
            "compare the served certificate's issuer CN=other-ca with the rendered CA CN=kubernetes-ca",
        ),
      );
    } finally {
      await server.close();
    }
  });

  it('a certificate from the rendered CA without the API host in its SANs: tls fails naming the SANs', async () => {
    const server = await startTlsServer(
      await aServingCertificate(rendered, { dnsNames: ['api.demo.strata.test'], ipAddresses: ['10.0.0.10'] }),
    );
    try {
      const diagnosis = await diagnose(aDiagnosticContext({ apiServerUrl: server.url, clusterCaPem: rendered.caPem }));
      const tls = check(diagnosis, 'tls');
      assert.equal(tls.status, 'failed');
      assert.match(
        tls.detail,
        /^the served certificate's SANs \(DNS:api\.demo\.strata\.test, IP Address:10\.0\.0\.10\) do not cover 127\.0\.0\.1/,
      );
      assert.doesNotMatch(tls.detail, /not signed/);
      assert.match(
        diagnosis.nextStep,
        /^the API server's certificate does not name 127\.0\.0\.1 \(it names DNS:api\.demo\.strata\.test, IP Address:10\.0\.0\.10\)/,
      );
    } finally {
      await server.close();
    }
  });

  it('a rendered CA that is not a certificate fails tls saying so, and the diagnosis goes on', async () => {
    const server = await startTlsServer(await aServingCertificate(rendered));
    try {
      const diagnosis = await diagnose(aDiagnosticContext({ apiServerUrl: server.url, clusterCaPem: '' }));
      assert.equal(check(diagnosis, 'tls').status, 'failed');
      assert.equal(
        check(diagnosis, 'tls').detail,
        'the tls probe could not run: clusterCaPem holds no PEM certificate',
      );
      assert.equal(check(diagnosis, 'nodes').status, 'skipped');
      assert.equal(
        diagnosis.nextStep,
        'resolve what the tls check reports first: the tls probe could not run: clusterCaPem holds no PEM certificate',
      );
    } finally {
      await server.close();
    }
  });

  it('a server that accepts connections but never completes a handshake: tls times out within the probe timeout', async () => {
    const server = await startSilentServer();
    try {
      const started = Date.now();
      const diagnosis = await createDiagnose({ probeTimeoutMs: 300 })(
        aDiagnosticContext({ apiServerUrl: server.url, clusterCaPem: rendered.caPem }),
      );
      assert.ok(Date.now() - started < 5_000, `the diagnosis took ${Date.now() - started} ms`);
      assert.equal(check(diagnosis, 'tcp').status, 'ok');
      assert.equal(
        check(diagnosis, 'tls').detail,
        `the TLS handshake with 127.0.0.1:${server.port} failed: no answer within 300 ms`,
      );
    } finally {
      await server.close();
    }
  });

  it('an etcd member whose URL nothing answers is named, with what was tried', async () => {
    const port = await aClosedPort();
    const etcdPort = await aClosedPort();
    const diagnosis = await diagnose(
      aDiagnosticContext({
        apiServerUrl: `https://127.0.0.1:${port}`,
        clusterCaPem: rendered.caPem,
        expectedEtcdMembers: [{ name: 'etcd-0', clientUrl: `https://127.0.0.1:${etcdPort}` }],
      }),
    );
    const etcd = check(diagnosis, 'etcd');
    assert.equal(etcd.status, 'failed');
    assert.match(
      etcd.detail,
      new RegExp(`^not answering: etcd-0 \\(127\\.0\\.0\\.1:${etcdPort}: connection refused \\(ECONNREFUSED\\)\\)`),
    );
    // The API comes first: its failure is the next step.
    assert.match(diagnosis.nextStep, /^the API server is not listening on/);
  });

  it('the context signal cancels the probes, and the diagnosis still says what it tried', async () => {
    const server = await startSilentServer();
    try {
      const controller = new AbortController();
      const running = createDiagnose({ probeTimeoutMs: 30_000 })(
        aDiagnosticContext({ apiServerUrl: server.url, clusterCaPem: rendered.caPem, signal: controller.signal }),
      );
      setTimeout(() => controller.abort(), 200);
      const diagnosis = await running;
      assert.equal(check(diagnosis, 'tcp').status, 'ok');
      assert.equal(
        check(diagnosis, 'tls').detail,
        `the TLS handshake with 127.0.0.1:${server.port} failed: the diagnosis was cancelled`,
      );
    } finally {
      await server.close();
    }
  });

  it('an API URL that is not a URL fails dns with the reason, and nothing else is tried', async () => {
    const diagnosis = await diagnose(
      aDiagnosticContext({ apiServerUrl: 'api.example.test:6443', clusterCaPem: rendered.caPem }),
    );
    assert.equal(check(diagnosis, 'dns').status, 'failed');
    assert.match(check(diagnosis, 'dns').detail, /apiServerUrl "api\.example\.test:6443" is not an http\(s\) URL/);
    assert.deepEqual(
      diagnosis.checks.filter((each) => each.name !== 'dns').map((each) => each.status),
      ['skipped', 'skipped', 'skipped', 'skipped', 'skipped'],
    );
  });
});
