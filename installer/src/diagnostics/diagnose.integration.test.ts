// The diagnosis against the real control plane of @strata/harness: the API
// answers, and what is missing is a node that never booted or an etcd member.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  sharedControlPlane,
  startControlPlane,
  uniqueName,
  waitFor,
  type HarnessCluster,
  type RunningControlPlane,
} from '@strata/harness';
import type { DiagnosticCheck, DiagnosticContext, Diagnosis } from './diagnosis.ts';
import { diagnose } from './diagnose.ts';
import { aClosedPort, aDiagnosticContext } from './test-fixtures.ts';

function check(diagnosis: Diagnosis, name: DiagnosticCheck['name']): DiagnosticCheck {
  const found = diagnosis.checks.find((each) => each.name === name);
  assert.ok(found, `no ${name} check in ${JSON.stringify(diagnosis.checks)}`);
  return found;
}

describe('diagnose against a real API server', () => {
  let cluster: HarnessCluster;
  let core: CoreV1Api;
  let context: (overrides?: Partial<DiagnosticContext>) => DiagnosticContext;
  const created: string[] = [];

  before(async () => {
    cluster = await sharedControlPlane();
    core = cluster.adminKubeConfig().makeApiClient(CoreV1Api);
    const clusterCaPem = await readFile(join(cluster.info.pkiDir, 'ca.crt'), 'utf8');
    context = (overrides = {}) =>
      aDiagnosticContext({
        phase: 'wait-nodes',
        apiServerUrl: cluster.server,
        clusterCaPem,
        adminKubeconfigPath: cluster.kubeconfigPath,
        expectedEtcdMembers: [{ name: 'etcd-0', clientUrl: cluster.info.etcdEndpoint }],
        logFiles: [join(cluster.info.dir, 'logs', 'kube-apiserver.log'), join(cluster.info.dir, 'logs', 'etcd.log')],
        ...overrides,
      });
  });

  after(async () => {
    await Promise.all(created.map((name) => core.deleteNode({ name })));
  });

  it('a worker never boots: readyz passes, nodes fails naming the missing workers, the next step says so', async () => {
    const missing = [uniqueName('worker'), uniqueName('worker')];
    const diagnosis = await diagnose(context({ expectedNodes: missing }));
    assert.deepEqual(
      diagnosis.checks.map((each) => [each.name, each.status]),
      [
        ['dns', 'skipped'],
        ['tcp', 'ok'],
        ['tls', 'ok'],
        ['readyz', 'ok'],
        ['etcd', 'ok'],
        ['nodes', 'failed'],
      ],
    );
    assert.match(
      check(diagnosis, 'tls').detail,
      /signed by the rendered CA CN=strata-harness-ca .* and naming 127\.0\.0\.1$/,
    );
    assert.match(check(diagnosis, 'readyz').detail, /^\/readyz answers 200: all \d+ checks pass$/);
    assert.match(check(diagnosis, 'etcd').detail, /^answering: etcd-0 \(127\.0\.0\.1:\d+, /);
    assert.match(check(diagnosis, 'etcd').detail, /kube-apiserver \/readyz\/etcd answers 200/);
    assert.equal(
      check(diagnosis, 'nodes').detail,
      `0 of 2 expected nodes registered, 0 Ready; missing: ${missing.join(', ')}`,
    );
    assert.match(
      diagnosis.nextStep,
      new RegExp(`^the node\\(s\\) ${missing.join(', ')} never registered: check that the machine booted`),
    );
    assert.ok(
      diagnosis.logTail.some((line) => line.startsWith('kube-apiserver.log: ')),
      diagnosis.logTail.join('\n'),
    );
  });

  it('a node registered without a Ready condition is NotReady with the reason; a Ready one passes', async () => {
    const silent = uniqueName('node');
    const ready = uniqueName('node');
    for (const name of [silent, ready]) {
      await core.createNode({ body: { metadata: { name } } });
      created.push(name);
    }
    const node = await core.readNode({ name: ready });
    node.status = {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: new Date(),
          lastTransitionTime: new Date(),
        },
      ],
    };
    await core.replaceNodeStatus({ name: ready, body: node });

    const notReady = await diagnose(context({ expectedNodes: [silent, ready] }));
    assert.equal(check(notReady, 'nodes').status, 'failed');
    assert.equal(
      check(notReady, 'nodes').detail,
      `2 of 2 expected nodes registered, 1 Ready; NotReady: ${silent} (NoReadyCondition: the kubelet has not reported a Ready condition)`,
    );
    assert.match(notReady.nextStep, new RegExp(`^${silent} \\(NoReadyCondition: .*\\) not Ready: check the kubelet`));

    const allReady = await diagnose(context({ expectedNodes: [ready] }));
    assert.deepEqual(
      allReady.checks.map((each) => each.status),
      ['skipped', 'ok', 'ok', 'ok', 'ok', 'ok'],
    );
    assert.equal(check(allReady, 'nodes').detail, '1 of 1 expected nodes registered, 1 Ready');
    assert.match(allReady.nextStep, /^every probe passes now: the phase "wait-nodes" may only have needed longer/);
  });

  it('an etcd member with a dead URL is named; the one that answers is not', async () => {
    const deadUrl = `https://127.0.0.1:${await aClosedPort()}`;
    const diagnosis = await diagnose(
      context({
        expectedEtcdMembers: [
          { name: 'etcd-0', clientUrl: cluster.info.etcdEndpoint },
          { name: 'etcd-1', clientUrl: deadUrl },
        ],
      }),
    );
    const etcd = check(diagnosis, 'etcd');
    assert.equal(etcd.status, 'failed');
    assert.match(etcd.detail, /^answering: etcd-0 /);
    assert.match(etcd.detail, /not answering: etcd-1 \(127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)\)/);
    assert.doesNotMatch(etcd.detail, /not answering: etcd-0/);
    assert.equal(check(diagnosis, 'readyz').status, 'ok');
    assert.match(diagnosis.nextStep, new RegExp(`^the etcd member\\(s\\) etcd-1 \\(${deadUrl}\\) do not answer`));
    assert.match(diagnosis.nextStep, /see .*etcd\.log$/);
  });

  it('without the admin kubeconfig, readyz is asked anonymously and nodes fails saying why', async () => {
    const path = join(cluster.info.dir, 'no-such-kubeconfig');
    const diagnosis = await diagnose(context({ adminKubeconfigPath: path, expectedNodes: [] }));
    const readyz = check(diagnosis, 'readyz');
    assert.equal(readyz.status, 'ok');
    assert.match(readyz.detail, /asked anonymously: the admin kubeconfig .*no-such-kubeconfig cannot be read/);
    assert.equal(check(diagnosis, 'nodes').status, 'failed');
    assert.match(
      check(diagnosis, 'nodes').detail,
      /^cannot list Nodes: the admin kubeconfig .*no-such-kubeconfig cannot be read/,
    );
  });
});

describe('diagnose against an API server whose etcd is gone', () => {
  let running: RunningControlPlane;
  before(async () => {
    running = await startControlPlane();
  });
  after(async () => {
    await running.stop();
  });

  it('readyz fails naming its etcd check, the member is named, and the next step points at etcd', async () => {
    const { info } = running;
    const etcdPid = info.pids[info.components.indexOf('etcd')];
    assert.ok(etcdPid !== undefined, `no etcd among ${info.components.join(', ')}`);
    const etcdLog = join(info.dir, 'logs', 'etcd.log');
    const apiserverLog = join(info.dir, 'logs', 'kube-apiserver.log');
    const context = aDiagnosticContext({
      apiServerUrl: info.server,
      clusterCaPem: await readFile(join(info.pkiDir, 'ca.crt'), 'utf8'),
      adminKubeconfigPath: info.kubeconfigPath,
      expectedEtcdMembers: [{ name: 'etcd-0', clientUrl: info.etcdEndpoint }],
      logFiles: [apiserverLog, etcdLog],
    });
    assert.equal(check(await diagnose(context), 'readyz').status, 'ok');

    // This test started this etcd (through the harness); it dies as a crashed member would.
    process.kill(etcdPid, 'SIGKILL');
    // The API server notices on its next etcd health checks (readyz's and /readyz/etcd's are separate).
    const diagnosis = await waitFor(
      'readyz and /readyz/etcd to report etcd failing',
      async () => {
        const each = await diagnose(context);
        const apiSeesEtcdFail = /kube-apiserver \/readyz\/etcd answers 5\d\d/.test(check(each, 'etcd').detail);
        return check(each, 'readyz').status === 'failed' && apiSeesEtcdFail ? each : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const readyz = check(diagnosis, 'readyz');
    assert.match(readyz.detail, /^\/readyz answers 500: .*\[-\]etcd(-readiness)? failed/);
    const etcd = check(diagnosis, 'etcd');
    assert.equal(etcd.status, 'failed');
    assert.match(etcd.detail, /not answering: etcd-0 \(127\.0\.0\.1:\d+: connection refused/);
    assert.match(etcd.detail, /kube-apiserver \/readyz\/etcd answers 5\d\d/);
    assert.match(
      diagnosis.nextStep,
      /^the API server answers but is not ready \(.*etcd(-readiness)? failed.*\): it cannot reach etcd; see .*etcd\.log; see .*kube-apiserver\.log$/,
    );
  });
});
