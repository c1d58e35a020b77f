import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InstallEvents, type InstallEvent } from '../events.ts';
import { plainLines } from '../output/plain.ts';
import {
  expectedMachines,
  MachineStateReporter,
  observeMachine,
  type NodeObservation,
  type ObservedMachine,
} from './machine-states.ts';

function nodes(registered: readonly string[], ready: readonly string[] = []): NodeObservation {
  return { registered: new Set([...registered, ...ready]), ready: new Set(ready) };
}

const bootRecord = (state: ObservedMachine['state']): ReadonlyMap<string, ObservedMachine> =>
  new Map([['worker-0', { state, source: 'boot server' }]]);

describe('observeMachine', () => {
  it('reads Ready and registered from the Node objects', () => {
    assert.equal(observeMachine('worker-0', nodes([], ['worker-0'])).state, 'ready');
    assert.equal(observeMachine('worker-0', nodes(['worker-0'])).state, 'registered');
  });

  it('says unseen when neither the Nodes nor the platform saw the machine, never booting', () => {
    assert.deepEqual(observeMachine('worker-0', nodes(['worker-1'])), {
      state: 'unseen',
      source: 'no Node object yet',
    });
  });

  it("takes the platform's record before the Node exists, and the Node's over it once it does", () => {
    assert.equal(observeMachine('worker-0', nodes([]), bootRecord('ignition-fetched')).state, 'ignition-fetched');
    assert.equal(observeMachine('worker-0', nodes(['worker-0']), bootRecord('ignition-fetched')).state, 'registered');
  });
});

describe('MachineStateReporter', () => {
  it('emits every machine first, then only the changes, each also as a plain line', () => {
    const events = new InstallEvents();
    const seen: InstallEvent[] = [];
    events.subscribe((event) => seen.push(event));
    const topology = { controllers: [{ name: 'controller-0' }], workers: [{ name: 'worker-0' }] };
    const reporter = new MachineStateReporter(events, 'wait-nodes', expectedMachines(topology));
    reporter.report(nodes(['controller-0']));
    reporter.report(nodes(['controller-0']));
    reporter.report(nodes(['worker-0'], ['controller-0']));
    const states = seen.map((event) => (event.type === 'machine-state' ? `${event.machine}=${event.state}` : '?'));
    assert.deepEqual(states, [
      'controller-0=registered',
      'worker-0=unseen',
      'controller-0=ready',
      'worker-0=registered',
    ]);
    const first = seen[0];
    assert.ok(first?.type === 'machine-state');
    assert.equal(first.role, 'controller');
    assert.deepEqual(plainLines(first), [
      '    machine controller-0 (controller): kubelet registered (from Node object)',
    ]);
  });
});
