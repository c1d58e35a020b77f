import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOsInputError, ListenerFailedError, MachinePoweredOffError } from './errors.ts';
import type { SimulatedOperatingSystem } from './simulated-os.ts';
import {
  advance,
  complete,
  FEDORA_COREOS,
  flatcarOs,
  FLATCAR,
  MACHINE_ID,
  recordProblems,
  recordSignals,
  settle,
  updateStaged,
  useMockClock,
} from './test-fixtures.ts';
import { ManualUpdateSource } from './update-source.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Records, in order, the listener events and what the OS said at each. */
function recordLifecycle(os: SimulatedOperatingSystem): string[] {
  const events: string[] = [];
  os.onShutdown(() => {
    events.push(`shutdown 1 up=${os.isUp()}`);
    return Promise.resolve();
  });
  os.onShutdown(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push('shutdown 2');
  });
  os.onBoot(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push(`boot 1 up=${os.isUp()} version=${os.release().version}`);
  });
  os.onBoot(() => {
    events.push('boot 2');
    return Promise.resolve();
  });
  return events;
}

describe('SimulatedOperatingSystem', () => {
  beforeEach(useMockClock);
  afterEach(() => mock.timers.reset());

  it('describes itself as Flatcar or Fedora CoreOS would', () => {
    const flatcar = flatcarOs(new ManualUpdateSource(), { group: 'beta' });
    assert.equal(
      flatcar.release().prettyName,
      `Flatcar Container Linux by Kinvolk ${FLATCAR.current} (${FLATCAR.codename})`,
    );
    assert.equal(flatcar.release().group, 'beta');
    assert.equal(flatcar.machineId, MACHINE_ID);
    assert.match(flatcar.bootId(), UUID);
    assert.ok(flatcar.isUp());

    const fcos = flatcarOs(new ManualUpdateSource(), { id: 'fedora-coreos', version: FEDORA_COREOS.current });
    assert.equal(fcos.release().prettyName, `Fedora CoreOS ${FEDORA_COREOS.current}`);
  });

  it('rejects a version of another OS and a malformed machine id', () => {
    const source = new ManualUpdateSource();
    assert.throws(() => flatcarOs(source, { version: FEDORA_COREOS.current }), InvalidOsInputError);
    assert.throws(() => flatcarOs(source, { id: 'fedora-coreos' }), InvalidOsInputError);
    assert.throws(() => flatcarOs(source, { machineId: 'not-a-machine-id' }), InvalidOsInputError);
  });

  it('reboots into the staged version: shutdown listeners, down, new boot id, boot listeners, up', async () => {
    const source = new ManualUpdateSource();
    source.offer({ version: FLATCAR.next });
    const os = flatcarOs(source);
    const events = recordLifecycle(os);
    await updateStaged(os.updateEngine);
    const { signals } = recordSignals(os.updateEngine);
    const previousBoot = os.bootId();
    const previousKernel = os.release().kernelVersion;

    const rebooted = os.reboot();
    await settle();
    assert.equal(os.isUp(), false);
    assert.equal(os.machineState(), 'shutting-down');
    await complete(rebooted);

    assert.deepEqual(events, [
      'shutdown 1 up=false',
      'shutdown 2',
      `boot 1 up=false version=${FLATCAR.next}`,
      'boot 2',
    ]);
    assert.ok(os.isUp());
    assert.notEqual(os.bootId(), previousBoot);
    assert.match(os.bootId(), UUID);
    assert.equal(os.release().version, FLATCAR.next);
    assert.notEqual(os.release().kernelVersion, previousKernel);
    assert.deepEqual(await os.updateEngine.getStatus(), {
      lastCheckedTime: 0,
      progress: 0,
      currentOperation: 'UPDATE_STATUS_IDLE',
      newVersion: '',
      newSize: 0,
    });
    assert.deepEqual(
      signals.map((status) => status.currentOperation),
      ['UPDATE_STATUS_IDLE'],
    );
  });

  it('waits rebootDelayMs while down', async () => {
    const os = flatcarOs(new ManualUpdateSource(), { rebootDelayMs: 1_000 });
    void os.reboot();
    await advance(999);
    assert.equal(os.machineState(), 'down');
    await advance(1);
    assert.ok(os.isUp());
  });

  it('reboots without a staged update into the same version with a new boot id', async () => {
    const source = new ManualUpdateSource();
    source.offer({ version: FLATCAR.next });
    const os = flatcarOs(source);
    const before = os.release();
    const previousBoot = os.bootId();

    await complete(os.reboot());

    assert.deepEqual(os.release(), before);
    assert.notEqual(os.bootId(), previousBoot);
    assert.equal((await os.updateEngine.getStatus()).currentOperation, 'UPDATE_STATUS_IDLE');
  });

  it('reports a failing shutdown or boot listener and reboots anyway', async () => {
    const { problems, onProblem } = recordProblems();
    const os = flatcarOs(new ManualUpdateSource(), { onProblem });
    os.onShutdown(() => Promise.reject(new Error('drain timed out')));
    os.onBoot(() => Promise.reject(new Error('kubelet failed')));
    const events = recordLifecycle(os);

    await complete(os.reboot());

    assert.ok(os.isUp());
    assert.equal(events.length, 4);
    assert.deepEqual(
      problems.map((problem) => [problem instanceof ListenerFailedError, problem.context.event]),
      [
        [true, 'shutdown'],
        [true, 'boot'],
      ],
    );
  });

  it('stays down after a never-returning reboot until powered on', async () => {
    const source = new ManualUpdateSource();
    source.offer({ version: FLATCAR.next });
    const os = flatcarOs(source);
    const events = recordLifecycle(os);
    await updateStaged(os.updateEngine);
    os.failNextReboot('never-returns');
    assert.deepEqual(os.faults.armed, { reboot: 'never-returns' });

    let returned = false;
    const rebooted = os.reboot().then(() => {
      returned = true;
    });
    await advance(10_000);
    assert.equal(os.machineState(), 'down');
    assert.equal(returned, false);
    assert.deepEqual(os.faults.armed, {});
    assert.deepEqual(events, ['shutdown 1 up=false', 'shutdown 2']);

    await complete(os.powerOn());
    await rebooted;
    assert.ok(os.isUp());
    assert.equal(os.release().version, FLATCAR.next);
    assert.equal(events.length, 4);
  });

  it('joins a reboot already in progress', async () => {
    const os = flatcarOs(new ManualUpdateSource());
    const events = recordLifecycle(os);
    const previousBoot = os.bootId();

    const first = os.reboot();
    await advance(10);
    const second = os.reboot();
    await complete(Promise.all([first, second]));
    const bootAfterBoth = os.bootId();

    assert.deepEqual(events, [
      'shutdown 1 up=false',
      'shutdown 2',
      `boot 1 up=false version=${FLATCAR.current}`,
      'boot 2',
    ]);
    assert.notEqual(bootAfterBoth, previousBoot);
    await complete(os.reboot());
    assert.notEqual(os.bootId(), bootAfterBoth);
  });

  it('powers off gracefully, refuses to reboot while off, and powers on', async () => {
    const os = flatcarOs(new ManualUpdateSource());
    const events = recordLifecycle(os);
    const previousBoot = os.bootId();

    await complete(os.powerOff());
    assert.equal(os.machineState(), 'down');
    await assert.rejects(os.updateEngine.getStatus());
    await assert.rejects(os.reboot(), MachinePoweredOffError);

    await complete(os.powerOn());
    assert.ok(os.isUp());
    assert.notEqual(os.bootId(), previousBoot);
    assert.equal(events.length, 4);
  });

  it('stops calling listeners once unsubscribed', async () => {
    const { problems, onProblem } = recordProblems();
    const os = flatcarOs(new ManualUpdateSource(), { onProblem });
    os.onShutdown(() => Promise.reject(new Error('unsubscribed shutdown listener called')))();
    os.onBoot(() => Promise.reject(new Error('unsubscribed boot listener called')))();

    await complete(os.reboot());
    assert.deepEqual(problems, []);
  });
});

describe('SimulatedOperatingSystem: A/B partitions', () => {
  beforeEach(useMockClock);
  afterEach(() => mock.timers.reset());

  it('installs into the passive slot and boots it: the new slot becomes active, the old one keeps the old version', async () => {
    const source = new ManualUpdateSource();
    source.offer({ version: FLATCAR.next });
    const os = flatcarOs(source);
    assert.deepEqual(os.slots(), { active: 'A', A: FLATCAR.current, B: undefined });
    await updateStaged(os.updateEngine);
    await complete(os.reboot());
    assert.deepEqual(os.slots(), { active: 'B', A: FLATCAR.current, B: FLATCAR.next });
    assert.equal(os.release().version, FLATCAR.next);
    assert.deepEqual(os.lastBootOutcome(), { kind: 'updated', previousVersion: FLATCAR.current });

    source.offer({ version: FLATCAR.later });
    await updateStaged(os.updateEngine);
    await complete(os.reboot());
    assert.deepEqual(os.slots(), { active: 'A', A: FLATCAR.later, B: FLATCAR.next }, 'the next update overwrites A');
  });

  it('falls back to the old slot when the new one fails to boot, and stays on its version', async () => {
    const source = new ManualUpdateSource();
    source.offer({ version: FLATCAR.next });
    const os = flatcarOs(source);
    os.faults.failNextNewSlotBoot();
    await updateStaged(os.updateEngine);
    const bootBefore = os.bootId();
    await complete(os.reboot());
    assert.ok(os.isUp());
    assert.notEqual(os.bootId(), bootBefore, 'it did reboot');
    assert.equal(os.release().version, FLATCAR.current);
    assert.deepEqual(os.slots(), { active: 'A', A: FLATCAR.current, B: FLATCAR.next });
    assert.deepEqual(os.lastBootOutcome(), { kind: 'rolled-back', failedVersion: FLATCAR.next });
    assert.equal(os.updateEngine.stagedVersion(), undefined, 'update_engine starts afresh, IDLE');
    assert.deepEqual(os.faults.armed, {}, 'the fault fired once');
  });

  it('keeps the boot failure armed through a reboot that boots no new slot', async () => {
    const os = flatcarOs(new ManualUpdateSource());
    os.faults.failNextNewSlotBoot();
    await complete(os.reboot());
    assert.equal(os.lastBootOutcome(), undefined);
    assert.deepEqual(os.faults.armed, { newSlotBoot: 'fails' });
  });
});
