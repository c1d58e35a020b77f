import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlaceholderPodRuntime } from './placeholder-runtime.ts';
import { placeholderPodIP } from './pod-ip.ts';
import type { PodRuntimeStatus } from './pod-runtime.ts';
import { boundPod, nodeContext } from './testing/fixtures.ts';

const NOW = new Date('2026-01-02T03:04:05Z');

async function startOne(runtime: PlaceholderPodRuntime, pod = boundPod()): Promise<PodRuntimeStatus> {
  const reports: PodRuntimeStatus[] = [];
  await runtime.start(pod, nodeContext(), (status) => reports.push(status));
  assert.equal(reports.length, 1, 'one report, at once');
  const [report] = reports;
  assert.ok(report);
  return report;
}

describe('the placeholder pod runtime', () => {
  it('reports any pod Running and Ready at once, with running containers', async () => {
    const runtime = new PlaceholderPodRuntime({ now: () => NOW });
    const status = await startOne(
      runtime,
      boundPod({ uid: 'u1', images: ['nginx:1.27', 'ghcr.io/flannel-io/flannel:v0.28.9'] }),
    );
    assert.equal(status.phase, 'Running');
    assert.equal(status.ready, true);
    assert.equal(status.startTime, NOW);
    assert.deepEqual(
      status.containerStatuses?.map((container) => [
        container.name,
        container.ready,
        container.restartCount,
        container.containerID,
        container.image,
      ]),
      [
        ['c0', true, 0, 'placeholder://u1/c0', 'nginx:1.27'],
        ['c1', true, 0, 'placeholder://u1/c1', 'ghcr.io/flannel-io/flannel:v0.28.9'],
      ],
    );
    assert.match(status.containerStatuses?.[0]?.imageID ?? '', /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(status.containerStatuses?.[1]?.imageID ?? '', /^ghcr\.io\/flannel-io\/flannel@sha256:[0-9a-f]{64}$/);
    assert.equal(status.containerStatuses?.[0]?.state?.running?.startedAt, NOW);
  });

  it('gives host-network pods the node IP', async () => {
    const status = await startOne(new PlaceholderPodRuntime(), boundPod({ hostNetwork: true }));
    assert.equal(status.podIP, nodeContext().nodeIP);
  });

  it('takes pod IPs from the node pod CIDR when it has one, else from 10.244.0.0/16, the same for the same pod', async () => {
    const allocated: { podCIDR?: string } = {};
    const runtime = new PlaceholderPodRuntime({ podCIDR: () => allocated.podCIDR });
    const fallback = await startOne(runtime, boundPod({ uid: 'a' }));
    assert.match(fallback.podIP ?? '', /^10\.244\.\d+\.\d+$/);
    assert.equal(fallback.podIP, placeholderPodIP('a', undefined));
    allocated.podCIDR = '10.2.7.0/24';
    const inCidr = await startOne(runtime, boundPod({ uid: 'b' }));
    assert.match(inCidr.podIP ?? '', /^10\.2\.7\.(\d+)$/);
    const host = Number((inCidr.podIP ?? '').split('.')[3]);
    assert.ok(host >= 2 && host <= 254, 'not the network, the bridge or broadcast');
  });

  it('never gives two pods of one node the same IP', async () => {
    const runtime = new PlaceholderPodRuntime({ podCIDR: () => '10.2.7.0/29' });
    const ips = new Set<string>();
    for (const uid of ['a', 'b', 'c', 'd', 'e']) ips.add((await startOne(runtime, boundPod({ uid }))).podIP ?? '');
    assert.equal(ips.size, 5, 'a /29 has five usable addresses, one each');
  });

  it('restarts pods a reboot stopped with a higher restart count; a stopped pod starts afresh', async () => {
    const runtime = new PlaceholderPodRuntime();
    const pod = boundPod({ uid: 'r' });
    await startOne(runtime, pod);
    await runtime.stopAll();
    const again = await startOne(runtime, pod);
    assert.equal(again.containerStatuses?.[0]?.restartCount, 1);
    assert.equal(again.containerStatuses?.[0]?.lastState?.terminated?.reason, 'Unknown');
    await runtime.stop('r');
    assert.equal((await startOne(runtime, pod)).containerStatuses?.[0]?.restartCount, 0);
  });
});
