import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { servedMachineSchema, type ServedMachine } from '@strata/api';
import { bootStates } from './boot-states.ts';

const SINCE = new Date('2026-12-04T12:00:00.000Z');
const after = (seconds: number) => new Date(SINCE.getTime() + seconds * 1_000).toISOString();

function served(mac: string, times: { bootScriptAt?: string; ignitionAt?: string }): ServedMachine {
  return servedMachineSchema.parse({ mac, ...times });
}

const machines = [
  { name: 'rack1-controller', mac: '52:54:00:00:00:01' },
  { name: 'rack1-worker-a', mac: '52-54-00-00-00-02' },
  { name: 'rack1-worker-b', mac: '52:54:00:00:00:03' },
  { name: 'rack1-worker-c', mac: '52:54:00:00:00:04' },
];

describe('bootStates', () => {
  it("reads booting from a served boot script and Ignition fetched from a served config, by the machine's MAC", () => {
    const states = bootStates(
      machines,
      [
        served('52:54:00:00:00:01', { bootScriptAt: after(1), ignitionAt: after(5) }),
        served('52:54:00:00:00:02', { bootScriptAt: after(2) }),
      ],
      SINCE,
    );
    assert.deepEqual(Object.fromEntries(states), {
      'rack1-controller': { state: 'ignition-fetched', source: `boot server served Ignition at ${after(5)}` },
      'rack1-worker-a': { state: 'booting', source: `boot server served its boot script at ${after(2)}` },
    });
  });

  it('says nothing of a machine the boot server served nothing, or served before this cluster existed', () => {
    const states = bootStates(
      machines,
      [
        served('52:54:00:00:00:03', { bootScriptAt: after(-60), ignitionAt: after(-30) }),
        served('52:54:00:00:00:99', { bootScriptAt: after(1) }),
      ],
      SINCE,
    );
    assert.deepEqual([...states.keys()], []);
  });

  it('takes a fresh boot script over an Ignition config served in an earlier life of the MAC', () => {
    const states = bootStates(
      machines,
      [served('52:54:00:00:00:04', { bootScriptAt: after(3), ignitionAt: after(-10) })],
      SINCE,
    );
    assert.equal(states.get('rack1-worker-c')?.state, 'booting');
  });
});
