import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreV1Api, V1Node } from '@kubernetes/client-node';
import { NodeStatusReporter } from './node-status-reporter.ts';
import { nodeStatus, READY, SHUTTING_DOWN, type MachineFacts, type Readiness } from './node-object.ts';
import { parseNodeSpec } from './node-spec.ts';
import { nodeSpec } from './testing/fixtures.ts';

const FACTS: MachineFacts = {
  release: {
    id: 'flatcar',
    version: '4230.2.3',
    prettyName: 'Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)',
    kernelVersion: '6.6.95-flatcar',
    group: 'stable',
  },
  bootId: 'boot-1',
  kubeletVersion: 'v1.36.3',
};

function setUp(reportIntervalMs: number) {
  const spec = parseNodeSpec(nodeSpec());
  let readiness: Readiness = READY;
  const patches: unknown[] = [];
  const patchNodeStatus: CoreV1Api['patchNodeStatus'] = (param) => {
    patches.push(param.body);
    return Promise.resolve({ metadata: { name: param.name }, spec: { podCIDR: '10.2.3.0/24' } });
  };
  const seen: V1Node[] = [];
  const reporter = new NodeStatusReporter({
    client: { patchNodeStatus },
    nodeName: spec.name,
    compute: (previous) => nodeStatus(spec, FACTS, readiness, new Date(), previous?.conditions ?? []),
    reportIntervalMs,
    onNode: (node) => seen.push(node),
    onError: (error) => assert.fail(String(error)),
  });
  reporter.registered({ metadata: { name: spec.name } }, nodeStatus(spec, FACTS, READY, new Date()));
  return { reporter, patches, seen, setReadiness: (value: Readiness) => (readiness = value) };
}

describe('node status reports', () => {
  it('are not written while nothing changed and the report interval has not passed', async () => {
    const { reporter, patches } = setUp(60_000);
    await reporter.changed();
    await reporter.changed();
    assert.equal(patches.length, 0);
  });

  it('are written at once when something changed, as a strategic-merge patch of the status', async () => {
    const { reporter, patches, seen, setReadiness } = setUp(60_000);
    setReadiness(SHUTTING_DOWN);
    await reporter.changed();
    assert.equal(patches.length, 1);
    const body = patches[0] as { status: ReturnType<typeof nodeStatus> };
    assert.equal(
      body.status.conditions?.find((condition) => condition.type === 'Ready')?.message,
      'node is shutting down',
    );
    assert.equal(seen.at(-1)?.spec?.podCIDR, '10.2.3.0/24', 'the node learns its pod CIDR from the answer');
    await reporter.changed();
    assert.equal(patches.length, 1, 'reported once');
  });

  it('are written every report interval even when nothing changed', async () => {
    const { reporter, patches } = setUp(40);
    reporter.start();
    await sleep(150);
    await reporter.stop();
    assert.ok(patches.length >= 2 && patches.length <= 4, `${patches.length} reports in ~3.5 intervals`);
  });
});
