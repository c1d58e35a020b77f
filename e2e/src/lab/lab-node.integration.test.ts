// A real node. A lab machine boots Strata's node image over PXE with a rendered worker's Ignition config (the node
// image's differences from Flatcar applied: testing/lab-node-ignition.ts), and its real containerd and kubelet join a
// real control plane: the harness's, on the lab network's host end, signing with the rendered cluster's CA, holding
// the rendered bootstrap token (the render's own 10-node-bootstrap.yaml), and answering at the rendered API name,
// which the lab's DNS resolves. The node registers Ready with the image's OS version; a pod whose image comes from the
// lab's registry runs on the node's CNI bridge, and `kubectl logs`, `exec` and `port-forward` reach it through the
// kubelet. The test approves the node's certificate requests as an administrator: the join approver's own decisions
// are its package's tests. The rendered controller is never booted: the harness stands in for it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { runCommand, waitFor } from '@strata/host';
import { ensureNodeImage, STRATA_NODE_IMAGE_VERSION } from '@strata/node-image';
import {
  kubectlExec,
  LAB_WORKLOAD_PAGE,
  labWorkloadPod,
  startLabNodeCluster,
  type LabNodeCluster,
} from './testing/lab-node-cluster.ts';

const CONTROLLER = { name: 'lab-ctrl-1', mac: '52:54:00:5a:00:01' };
const WORKER = { name: 'lab-node-1', mac: '52:54:00:5a:00:11' };
/** Where the pod and the machine's check meet: the test's exec writes here, the check waits for it. */
const CHECK_DIR = '/run/strata-lab-check';
const KUBECTL_TIMEOUT_MS = 60_000;
/** kubectl's own limit on each request, so that no call of it outlives the test's waits. */
const KUBECTL_REQUEST_TIMEOUT = '--request-timeout=60s';

describe('a lab machine with the node image joins a real control plane as a real node', () => {
  let cluster: LabNodeCluster | undefined;

  before(async () => {
    cluster = await startLabNodeCluster(await ensureNodeImage(), CONTROLLER, [WORKER], 'lab-node');
  });

  after(async () => {
    await cluster?.close();
  });

  it('registers Ready with its real kubelet and containerd, runs a pod from the lab registry, and serves logs, exec and port-forward', async () => {
    assert.ok(cluster !== undefined);
    const { lab, kubeConfig, kubectl, controlPlane } = cluster;
    let bootError: Error | undefined;
    // From QEMU's start, as the boot's own marks.
    let started = performance.now();
    const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
    const booted = lab
      .boot(WORKER.mac, {
        timeoutMs: 15 * 60_000,
        onStarted: (at) => (started = at),
        checkScript: [
          `mkdir -p ${CHECK_DIR}`,
          // Until the test's exec in the pod writes the file (bounded, so that a failed test does not hang here).
          `i=0; while [ ! -s ${CHECK_DIR}/done ] && [ $i -lt 840 ]; do sleep 1; i=$((i+1)); done`,
          `say "done $(cat ${CHECK_DIR}/done 2>/dev/null || echo missing)"`,
          'say "kubelet $(systemctl is-active kubelet.service)"',
          'say "resolv $(grep -c ^nameserver /run/systemd/resolve/resolv.conf)"',
          'say "route $(ip -4 route show default)"',
          // What Ignition wrote in the initramfs, as the root sees it.
          'say "user $(getent passwd core)"',
          'say "ssh-keys $(cat /home/core/.ssh/authorized_keys.d/* 2>/dev/null | grep -c ^ssh-)"',
          'say "hostname $(cat /etc/hostname)"',
          'say "kubelet-enabled $(systemctl is-enabled kubelet.service)"',
          'nic=$(ip -4 route show default | sed -n "s/.* dev \\([^ ]*\\).*/\\1/p")',
          'say "address $(ip -4 -o addr show dev "$nic" scope global | tr -s " " | cut -d" " -f4)"',
        ].join('\n'),
      })
      .catch((error: unknown) => {
        bootError = error instanceof Error ? error : new Error(String(error));
        throw bootError;
      });
    const unlessBootFailed = () => {
      if (bootError !== undefined) throw bootError;
    };
    const core = kubeConfig.makeApiClient(CoreV1Api);

    const node = await waitFor(
      `node ${WORKER.name} to be Ready`,
      async (): Promise<V1Node | undefined> => {
        unlessBootFailed();
        const found = await core.readNode({ name: WORKER.name }).catch(() => undefined);
        const ready = found?.status?.conditions?.find((condition) => condition.type === 'Ready');
        return ready?.status === 'True' ? found : undefined;
      },
      { timeoutMs: 12 * 60_000, intervalMs: 1_000 },
    ).catch((error: unknown) => {
      const approver = cluster?.approverError();
      throw approver === undefined ? error : new Error(`${String(error)}; the approver's last error: ${approver}`);
    });
    const readyAt = seconds();
    const info = node.status?.nodeInfo;
    assert.equal(info?.osImage, `Strata node image ${STRATA_NODE_IMAGE_VERSION}`);
    assert.equal(info?.kubeletVersion, 'v1.36.3');
    assert.match(info?.containerRuntimeVersion ?? '', /^containerd:\/\/2\.4\.2$/);
    const nic = lab.nics.get(WORKER.mac);
    assert.deepEqual(
      node.status?.addresses?.filter((address) => address.type === 'InternalIP').map((address) => address.address),
      [nic?.address],
      'its address on the lab network, found by its default route',
    );

    const pod: V1Pod = labWorkloadPod('hello', { hostPath: CHECK_DIR });
    await core.createNamespacedPod({ namespace: 'default', body: pod });
    const running = await waitFor(
      'pod hello to run',
      async (): Promise<V1Pod | undefined> => {
        unlessBootFailed();
        const found = await core.readNamespacedPod({ name: 'hello', namespace: 'default' });
        return found.status?.phase === 'Running' ? found : undefined;
      },
      { timeoutMs: 5 * 60_000, intervalMs: 1_000 },
    );
    const runningAt = seconds();
    assert.equal(running.spec?.nodeName, WORKER.name);
    assert.equal(cluster.podSubnets.get(WORKER.name), '10.2.1.0/24');
    assert.match(running.status?.podIP ?? '', /^10\.2\.1\.\d+$/, "an address of the node's CNI bridge subnet");

    const kubeconfig = [
      '--kubeconfig',
      controlPlane.info.kubeconfigPath,
      '--namespace',
      'default',
      KUBECTL_REQUEST_TIMEOUT,
    ];
    const logs = await waitFor(
      'the pod to have logged its line',
      async () => {
        const result = await runCommand(kubectl, [...kubeconfig, 'logs', 'hello']);
        return result.code === 0 && result.stdout.includes('hello from') ? result.stdout : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    assert.equal(logs, 'hello from hello\n');

    // Up to three attempts, each bounded, for the reason kubectlExec gives; the page must come through one of them.
    const page = await waitFor(
      "the pod's page through kubectl port-forward",
      async () => {
        const forwarded = await portForward(kubectl, kubeconfig, 'hello', 8080);
        try {
          const answer = await fetch(`http://127.0.0.1:${forwarded.port}/`, { signal: AbortSignal.timeout(60_000) });
          return answer.status === 200 ? await answer.text() : undefined;
        } finally {
          forwarded.stop();
        }
      },
      { timeoutMs: 3 * KUBECTL_TIMEOUT_MS, intervalMs: 1_000, retryErrors: true },
    );
    assert.equal(page, LAB_WORKLOAD_PAGE);

    const exec = await kubectlExec(
      cluster,
      'hello',
      ['/bin/sh', '-c', 'hostname > /check/done && cat /check/done'],
      (attempt, stderr) => process.stderr.write(`kubectl exec, attempt ${attempt} failed: ${stderr}\n`),
    );
    assert.equal(exec, 'hello\n');

    // The machine saw the file the exec wrote, through the pod's host path: the exec ran on that machine.
    const boot = await booted;
    assert.ok(boot.check.includes('done hello'), boot.check.join('\n'));
    assert.ok(boot.check.includes('kubelet active'), boot.check.join('\n'));
    assert.ok(boot.check.includes('resolv 1'), `the lab's DNS server from DHCP: ${boot.check.join('\n')}`);
    // The root the rendered config made, in the initramfs: Ignition's files stage ended before the root's systemd.
    const value = (key: string) => boot.check.find((line) => line.startsWith(`${key} `))?.slice(key.length + 1);
    assert.match(value('user') ?? '', /^core:x:\d+:\d+:/);
    assert.equal(value('ssh-keys'), '1', "the config's SSH key for core");
    assert.equal(value('hostname'), WORKER.name);
    assert.equal(value('kubelet-enabled'), 'enabled');
    assert.equal(value('address'), `${nic?.address ?? '?'}/24`, "the lab's fixed address for its MAC");
    assert.ok(
      value('route')?.startsWith(`default via ${lab.network.hostAddress} dev `),
      `the default route via the lab's host end: ${value('route') ?? 'none'}`,
    );
    assert.ok(
      boot.marks.ignitionFiles !== undefined &&
        boot.marks.systemd !== undefined &&
        boot.marks.ignitionFiles < boot.marks.systemd,
      "Ignition's files stage finished in the initramfs, before the root's systemd started",
    );
    const served = lab.answered();
    for (const path of ['/boot.ipxe', '/ipxe', '/assets/vmlinuz', '/assets/initrd.img', '/ignition'])
      assert.ok(served.includes(`200 ${path}`), `the boot server answered ${path}: ${served.join(', ')}`);
    // Times from powering the machine on (the host's clock): what the lab's benchmark reports, seen once per run.
    const marks = Object.entries(boot.marks).map(([mark, ms]) => `${mark} ${(ms / 1000).toFixed(1)} s`);
    process.stderr.write(
      `lab node, from power-on: ${marks.join(', ')}; node Ready ${readyAt} s, pod Running ${runningAt} s (cold image)\n`,
    );
  });
});

/** `kubectl port-forward` to a free local port; resolves once kubectl says it forwards. */
async function portForward(
  kubectl: string,
  kubeconfig: readonly string[],
  pod: string,
  port: number,
): Promise<{ port: number; stop: () => void }> {
  const child = spawn(kubectl, [...kubeconfig, 'port-forward', `pod/${pod}`, `:${port}`, '--address', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output += chunk.toString('utf8'));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  try {
    const local = await waitFor(
      'kubectl port-forward to listen',
      () => {
        if (child.exitCode !== null) throw new Error(`kubectl port-forward exited ${child.exitCode}: ${output}`);
        return /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output)?.[1];
      },
      { timeoutMs: KUBECTL_TIMEOUT_MS, intervalMs: 100 },
    );
    return { port: Number(local), stop: () => child.kill('SIGTERM') };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}
