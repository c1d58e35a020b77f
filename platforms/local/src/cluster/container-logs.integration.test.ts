// `kubectl logs` on a local cluster: kube-apiserver proxies pods/log to the simulated kubelet's API (ADR 0063), which
// reads the process pod's CRI log. Everything real: the pinned kubectl, the rendered kube-apiserver with its kubelet
// client certificate and --kubelet-certificate-authority, the join approver approving the nodes' serving CSRs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { ASSET_PATHS, CERT, KEY } from '@strata/assets';
import { resolveBinary } from '@strata/binaries';
import { runCommand, type CommandResult } from '@strata/host';
import { waitFor } from '@strata/harness';
import { pemBlocks } from '../node/kubelet-certificate.ts';
import { startTestCluster, type TestCluster } from '../testing/index.ts';

const SHELL_IMAGE = 'strata.test/shell:1.0';
const NAMESPACE = 'default';

/** A pod of one shell container running `script`, a process pod on whatever node the scheduler picks. */
function shellPod(
  name: string,
  script: string,
  overrides: Partial<V1Pod['spec']> = {},
  container: Partial<V1Container> = {},
): V1Pod {
  return {
    metadata: { name, namespace: NAMESPACE },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: SHELL_IMAGE, command: ['sh', '-c', script], ...container }],
      ...overrides,
    },
  };
}

interface KubeletAnswer {
  readonly status: number;
  readonly body: string;
}

describe('container logs through the simulated kubelet API', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;
  let kubectlPath: string;

  const kubectl = (args: readonly string[]): Promise<CommandResult> =>
    runCommand(kubectlPath, [`--kubeconfig=${cluster.kubeconfigPath}`, '--namespace', NAMESPACE, ...args]);

  async function runningPod(pod: V1Pod): Promise<V1Pod> {
    await core.createNamespacedPod({ namespace: NAMESPACE, body: pod });
    const name = pod.metadata?.name ?? '';
    return waitFor(
      `pod ${name} to run`,
      async () => {
        const current = await core.readNamespacedPod({ name, namespace: NAMESPACE });
        return current.status?.containerStatuses?.[0]?.state?.running === undefined ? undefined : current;
      },
      60_000,
    );
  }

  /** Waits until `kubectl logs` of the pod (with `args`) shows `expected`. */
  const logsShow = (name: string, expected: RegExp, args: readonly string[] = []) =>
    waitFor(
      `the log of ${name} to show ${String(expected)}`,
      async () => {
        const result = await kubectl(['logs', name, ...args]);
        return result.code === 0 && expected.test(result.stdout) ? result.stdout : undefined;
      },
      60_000,
    );

  /** A request to a node's kubelet API, verifying its serving certificate against the cluster CA. */
  async function kubeletGet(
    address: string,
    port: number,
    path: string,
    client?: { cert: string; key: string },
  ): Promise<KubeletAnswer> {
    const ca = await readFile(join(cluster.directory.assetsDir, CERT(ASSET_PATHS.clusterCa)), 'utf8');
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: address, port, path, method: 'GET', ca, ...client }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  before(async () => {
    kubectlPath = await resolveBinary('kubectl');
    cluster = await startTestCluster({
      workers: 1,
      images: { 'strata.test/shell': { command: ['/bin/sh'], executables: { sh: '/bin/sh' } } },
    });
    core = cluster.adminKubeConfig().makeApiClient(CoreV1Api);
  });

  after(async () => {
    await cluster?.destroy();
  });

  it('every node reports the port its kubelet API serves on, with a certificate for its address', async () => {
    for (const node of cluster.fleet.nodes()) {
      const object = await core.readNode({ name: node.name });
      const port = object.status?.daemonEndpoints?.kubeletEndpoint?.Port;
      assert.equal(port, 10250, node.name);
      const address = object.status?.addresses?.find((entry) => entry.type === 'InternalIP')?.address ?? '';
      // No client certificate: the kubelet's 401, over TLS the cluster CA vouches for at this address.
      const anonymous = await kubeletGet(address, port, '/healthz');
      assert.equal(anonymous.status, 401, node.name);
    }
  });

  it('answers only clients the cluster authorizes for nodes/proxy, and refuses bad queries precisely', async () => {
    const node = cluster.fleet.nodes()[0];
    assert.ok(node !== undefined);
    const assets = cluster.directory.assetsDir;
    const apiserver = {
      cert: await readFile(join(assets, CERT(ASSET_PATHS.apiserverKubeletClient)), 'utf8'),
      key: await readFile(join(assets, KEY(ASSET_PATHS.apiserverKubeletClient)), 'utf8'),
    };
    const address = node.spec.ip;
    const port = node.kubeletPort ?? 0;
    assert.deepEqual(await kubeletGet(address, port, '/healthz', apiserver), { status: 200, body: 'ok\n' });
    // A node's own certificate: authenticated, but the Node authorizer gives no node another's (or its own) proxy.
    const own = await readFile(join(node.stateDir, 'pki', 'kubelet-client-current.pem'), 'utf8');
    const nodeClient = { cert: pemBlocks(own, 'CERTIFICATE')[0] ?? '', key: pemBlocks(own, 'PRIVATE KEY')[0] ?? '' };
    const forbidden = await kubeletGet(address, port, '/healthz', nodeClient);
    assert.equal(forbidden.status, 403);
    assert.match(
      forbidden.body,
      new RegExp(`^Forbidden \\(user=system:node:${node.name}, verb=get, resource=nodes, subresource=proxy\\)`),
    );
    const bad = await kubeletGet(
      address,
      port,
      '/containerLogs/default/x/main?tailLines=-1&sinceSeconds=0&color=1',
      apiserver,
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body, /unknown query parameters: color/);
    assert.match(bad.body, /tailLines: must be a whole number/);
    assert.match(bad.body, /sinceSeconds: must be at least 1/);
    const missing = await kubeletGet(address, port, '/containerLogs/default/nobody/main', apiserver);
    assert.deepEqual(missing, { status: 404, body: 'pod "nobody" does not exist\n' });
  });

  it('kubectl logs shows what a process pod wrote, and --tail, --timestamps and --since select from it', async () => {
    await runningPod(shellPod('writer', 'echo early; sleep 0.2; echo second >&2; sleep 8; echo late; sleep 600'));
    const all = await logsShow('writer', /late/);
    assert.equal(all, 'early\nsecond\nlate\n');
    assert.equal((await kubectl(['logs', 'writer', '--tail=1'])).stdout, 'late\n');
    const stamped = (await kubectl(['logs', 'writer', '--timestamps'])).stdout.trimEnd().split('\n');
    assert.equal(stamped.length, 3);
    for (const line of stamped) assert.match(line, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z (early|second|late)$/);
    // "late" came 8 s after the others: 5 s back from now holds it alone.
    assert.equal((await kubectl(['logs', 'writer', '--since=5s'])).stdout, 'late\n');
    const lateTime = stamped[2]?.split(' ')[0] ?? '';
    assert.equal((await kubectl(['logs', 'writer', `--since-time=${lateTime}`])).stdout, 'late\n');
    assert.equal((await kubectl(['logs', 'writer', '--limit-bytes=8'])).stdout, 'early\nse');
  });

  it('kubectl logs -f streams lines written after it started, and ends when the container does', async () => {
    await runningPod(shellPod('ticker', 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done'));
    // --tail=0: nothing written before; every line that comes was written while following.
    const follower = spawn(kubectlPath, [
      `--kubeconfig=${cluster.kubeconfigPath}`,
      '--namespace',
      NAMESPACE,
      'logs',
      '-f',
      '--tail=0',
      'ticker',
    ]);
    try {
      const lines = createInterface({ input: follower.stdout });
      const seen: string[] = [];
      for await (const line of lines) {
        seen.push(line);
        if (seen.length === 3) break;
      }
      const numbers = seen.map((line) => Number(/^tick (\d+)$/.exec(line)?.[1]));
      assert.ok(
        numbers.every((n, index) => index === 0 || n === (numbers[index - 1] ?? 0) + 1),
        seen.join(', '),
      );
    } finally {
      follower.kill();
    }

    await runningPod(
      shellPod('counter', 'for i in 1 2 3; do echo count $i; sleep 1; done', { restartPolicy: 'Never' }),
    );
    const followed = await kubectl(['logs', '-f', 'counter']);
    assert.equal(followed.code, 0, followed.stderr);
    assert.equal(followed.stdout, 'count 1\ncount 2\ncount 3\n');
  });

  it('kubectl logs --previous shows the run before a restart, and says so when there was none', async () => {
    await runningPod(
      shellPod(
        'restarter',
        'n=$(cat /state/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /state/n; echo run $n; [ $n -ge 2 ] || exit 1; sleep 600',
        { volumes: [{ name: 'state', emptyDir: {} }] },
        { volumeMounts: [{ name: 'state', mountPath: '/state' }] },
      ),
    );
    // The first run fails at once; the kubelet's back-off (10 s) comes before the second.
    await logsShow('restarter', /^run 2\n$/);
    assert.equal((await kubectl(['logs', 'restarter', '--previous'])).stdout, 'run 1\n');

    await runningPod(shellPod('first-run', 'echo only; sleep 600'));
    const none = await kubectl(['logs', 'first-run', '--previous']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /previous terminated container "main" in pod "first-run" not found/);
  });

  it('a pod the node runs as a placeholder gets the kubelet error, not an empty log or a hang', async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'placeholder', namespace: NAMESPACE },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    });
    await waitFor(
      'the placeholder pod to run',
      async () => {
        const current = await core.readNamespacedPod({ name: 'placeholder', namespace: NAMESPACE });
        return current.status?.phase === 'Running' ? true : undefined;
      },
      60_000,
    );
    const result = await kubectl(['logs', 'placeholder', '--request-timeout=20s']);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /container "web" in pod "placeholder" has no log: the simulated node runs this pod as a placeholder/,
    );
  });

  // Last: it stops a node's kubelet.
  it('a pod on a node whose kubelet API is gone gets the API server error at once, not a hang', async () => {
    const worker = cluster.fleet.nodes().find((node) => node.spec.roles.includes('worker'));
    assert.ok(worker !== undefined);
    await runningPod(shellPod('stranded', 'echo here; sleep 600', { nodeName: worker.name }));
    await logsShow('stranded', /^here\n$/);
    await worker.stop();
    const started = Date.now();
    const result = await kubectl(['logs', 'stranded', '--request-timeout=30s']);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      new RegExp(`dial tcp ${worker.spec.ip.replace(/\./g, '\\.')}:10250: connect: connection refused`),
    );
    assert.ok(Date.now() - started < 15_000, `kubectl logs took ${Date.now() - started} ms`);
  });
});
