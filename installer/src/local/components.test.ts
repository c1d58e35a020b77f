import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import {
  CONSOLE_IMAGE,
  ETCD_OPERATOR_IMAGE,
  JOIN_APPROVER_IMAGE,
  UPDATE_OPERATOR_IMAGE,
  UPDATE_SERVER_IMAGE,
} from '@strata/assets';
import { ManualUpdateSource, SimulatedOperatingSystem } from '@strata/platform-local';
import {
  ETCD_OPERATOR_BIN,
  JOIN_APPROVER_BIN,
  LocalComponentsError,
  localPlatformComponents,
  UPDATE_OPERATOR_BIN,
  updateOperatorProgram,
  UPDATE_SERVER_BIN,
} from './components.ts';
import { consoleBin } from './console-server.ts';

/** A pod of the update operator's image, as the Deployment (`operator`) or the DaemonSet (`agent`) runs it. */
function anUpdateOperatorPod(subcommand: 'operator' | 'agent', image = UPDATE_OPERATOR_IMAGE): V1Pod {
  return {
    metadata: { name: `update-${subcommand}-x`, uid: `uid-${subcommand}` },
    spec: { containers: [{ name: subcommand, image, args: [subcommand, '--log-level=info'] }] },
  };
}

const aMachine = (): SimulatedOperatingSystem =>
  new SimulatedOperatingSystem({ id: 'flatcar', version: '4230.2.3', updateSource: new ManualUpdateSource() });

describe('the local platform components', () => {
  it("runs the operators', the update server's and the join approver's images as this checkout's binaries, with this Node", async () => {
    const { images } = await localPlatformComponents();
    assert.deepEqual(images, {
      [UPDATE_OPERATOR_IMAGE]: { command: [process.execPath, await updateOperatorProgram()] },
      [JOIN_APPROVER_IMAGE]: { command: [process.execPath, JOIN_APPROVER_BIN] },
      [ETCD_OPERATOR_IMAGE]: { command: [process.execPath, ETCD_OPERATOR_BIN] },
      [UPDATE_SERVER_IMAGE]: { command: [process.execPath, UPDATE_SERVER_BIN] },
    });
    for (const bin of [UPDATE_OPERATOR_BIN, JOIN_APPROVER_BIN, ETCD_OPERATOR_BIN, UPDATE_SERVER_BIN]) {
      assert.ok(existsSync(bin), `${bin} exists`);
    }
  });

  it("runs the console's image as this checkout's console entry point only when asked (it serves a build)", async () => {
    const { images } = await localPlatformComponents({ console: true });
    assert.deepEqual(images[CONSOLE_IMAGE], { command: [process.execPath, consoleBin()] });
    assert.ok(existsSync(consoleBin()), `${consoleBin()} exists`);
    assert.equal(CONSOLE_IMAGE in (await localPlatformComponents()).images, false);
  });

  it("gives each node an agent runtime that takes the DaemonSet's agent pod only", async () => {
    const { nodeRuntimes } = await localPlatformComponents();
    const runtimes = nodeRuntimes({ nodeName: 'node-a', os: aMachine() });
    assert.equal(runtimes.length, 1);
    const [runtime] = runtimes;
    assert.equal(runtime?.handles(anUpdateOperatorPod('agent')), true);
    assert.equal(runtime?.handles(anUpdateOperatorPod('operator')), false, 'the operator runs as a process pod');
    assert.equal(runtime?.handles(anUpdateOperatorPod('agent', 'registry.example/other:1')), false);
  });

  it('kills agents only where an agent pod runs, naming the node', async () => {
    const { nodeRuntimes, updateAgents } = await localPlatformComponents();
    nodeRuntimes({ nodeName: 'node-a', os: aMachine() });
    assert.equal(updateAgents.running('node-a'), false);
    assert.throws(
      () => updateAgents.crash('node-a'),
      (error: unknown) =>
        error instanceof LocalComponentsError && /no update agent pod runs on node node-a/.test(error.message),
    );
    assert.throws(
      () => updateAgents.crash('node-z'),
      (error: unknown) => error instanceof LocalComponentsError && /node-z/.test(error.message),
    );
    assert.throws(() => updateAgents.restartNow('node-a'), LocalComponentsError);
  });
});
