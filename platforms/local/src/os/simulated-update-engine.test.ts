import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODE, EVENT_TYPE } from '@strata/omaha';
import {
  EventReportFailedError,
  ListenerFailedError,
  UpdateEngineUnavailableError,
  UpdateFailedError,
} from './errors.ts';
import { SimulatedUpdateEngine } from './simulated-update-engine.ts';
import {
  advance,
  advanceUntil,
  FLATCAR,
  HAPPY_PATH,
  machine,
  NOW,
  recordProblems,
  recordSignals,
  startedEngine,
  TEST_TIMINGS,
  UPDATE_SIZE,
  updateStaged,
  useMockClock,
} from './test-fixtures.ts';
import type { UpdateEngineStatus } from '@strata/api';
import type { UpdateProgressEvent, UpdateSource } from '@strata/update-engine';
import { ManualUpdateSource } from './update-source.ts';

const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const isIdle = (status: UpdateEngineStatus | undefined): boolean => status?.currentOperation === 'UPDATE_STATUS_IDLE';

function offering(version: string = FLATCAR.next): ManualUpdateSource {
  const source = new ManualUpdateSource();
  source.offer({ version, size: UPDATE_SIZE });
  return source;
}

describe('SimulatedUpdateEngine', () => {
  beforeEach(useMockClock);
  afterEach(() => mock.timers.reset());

  it('goes through every status of an update, with rising download progress, to UPDATED_NEED_REBOOT', async () => {
    const engine = startedEngine(offering());
    const { signals, operations } = recordSignals(engine);

    await updateStaged(engine);

    assert.deepEqual(operations(), HAPPY_PATH);
    assert.deepEqual(
      signals
        .filter((status) => status.currentOperation === 'UPDATE_STATUS_DOWNLOADING')
        .map((status) => status.progress),
      [0, 0.25, 0.5, 0.75, 1],
    );
    assert.deepEqual(signals.at(-1), {
      lastCheckedTime: Math.floor((NOW.getTime() + TEST_TIMINGS.checkMs) / 1000),
      progress: 0,
      currentOperation: 'UPDATE_STATUS_UPDATED_NEED_REBOOT',
      newVersion: FLATCAR.next,
      newSize: UPDATE_SIZE,
    });
    assert.deepEqual(await engine.getStatus(), signals.at(-1));
    assert.ok(signals.slice(1).every((status) => status.newVersion === FLATCAR.next && status.newSize === UPDATE_SIZE));
  });

  it('goes back to IDLE with lastCheckedTime set when there is no update', async () => {
    mock.timers.setTime(NOW.getTime() + 5_000);
    const engine = startedEngine(new ManualUpdateSource());
    const { signals, operations } = recordSignals(engine);

    await engine.attemptUpdate();
    await advanceUntil(() => isIdle(signals.at(-1)));

    assert.deepEqual(operations(), ['UPDATE_STATUS_CHECKING_FOR_UPDATE', 'UPDATE_STATUS_IDLE']);
    assert.deepEqual(await engine.getStatus(), {
      lastCheckedTime: NOW_SECONDS + 5,
      progress: 0,
      currentOperation: 'UPDATE_STATUS_IDLE',
      newVersion: '',
      newSize: 0,
    });
  });

  it('ignores a check while busy', async () => {
    const engine = startedEngine(offering());
    const { operations } = recordSignals(engine);

    await engine.attemptUpdate();
    await engine.attemptUpdate();
    await advanceUntil(() => operations().includes('UPDATE_STATUS_DOWNLOADING'));
    await engine.attemptUpdate();
    await advanceUntil(() => engine.stagedVersion() !== undefined);

    assert.deepEqual(operations(), HAPPY_PATH);
  });

  it('stays UPDATED_NEED_REBOOT until the reboot, whatever checks come', async () => {
    const engine = startedEngine(offering(), {
      timings: { ...TEST_TIMINGS, firstCheckDelayMs: 1_000, checkIntervalMs: 1_000 },
    });
    await updateStaged(engine);
    const { signals } = recordSignals(engine);

    await engine.attemptUpdate();
    await advance(5_000);

    assert.equal(signals.length, 0);
    assert.equal((await engine.getStatus()).currentOperation, 'UPDATE_STATUS_UPDATED_NEED_REBOOT');
  });

  for (const during of ['downloading', 'verifying'] as const) {
    it(`reports a failure while ${during}, goes back to IDLE and succeeds on retry`, async () => {
      const engine = startedEngine(offering());
      const { signals, operations } = recordSignals(engine);

      engine.failNextUpdate('payload hash mismatch', { during });
      assert.deepEqual(engine.faults.armed, { update: { reason: 'payload hash mismatch', during } });
      await engine.attemptUpdate();
      await advanceUntil(() => isIdle(signals.at(-1)));

      const reported = operations().indexOf('UPDATE_STATUS_REPORTING_ERROR_EVENT');
      assert.ok(reported > 0);
      assert.deepEqual(operations().slice(reported), ['UPDATE_STATUS_REPORTING_ERROR_EVENT', 'UPDATE_STATUS_IDLE']);
      assert.equal(operations().includes('UPDATE_STATUS_VERIFYING'), during === 'verifying');
      assert.deepEqual(engine.lastFailure(), {
        during,
        reason: 'payload hash mismatch',
        version: FLATCAR.next,
        errorCode: during === 'downloading' ? ERROR_CODE.downloadTransfer : ERROR_CODE.newRootfsVerification,
      });
      assert.equal(signals.at(-1)?.newVersion, '');
      assert.deepEqual(engine.faults.armed, {});

      signals.length = 0;
      await updateStaged(engine);
      assert.deepEqual(operations(), HAPPY_PATH);
    });
  }

  it('reports a failed check and goes back to IDLE', async () => {
    const unreachable: UpdateSource = { check: () => Promise.reject(new Error('connection refused')) };
    const engine = new SimulatedUpdateEngine({ source: unreachable, machine: () => machine(), timings: TEST_TIMINGS });
    engine.start();
    const { signals, operations } = recordSignals(engine);

    await engine.attemptUpdate();
    await advanceUntil(() => isIdle(signals.at(-1)));

    assert.deepEqual(operations(), [
      'UPDATE_STATUS_CHECKING_FOR_UPDATE',
      'UPDATE_STATUS_REPORTING_ERROR_EVENT',
      'UPDATE_STATUS_IDLE',
    ]);
    assert.deepEqual(engine.lastFailure(), {
      during: 'checking',
      reason: 'connection refused',
      version: '',
      errorCode: ERROR_CODE.error,
    });
  });

  /** An offering source whose server gives no answer to the first `unanswered` events, then takes them. */
  function flakyEvents(unanswered: number, failure: number = ERROR_CODE.omahaRequestError) {
    const offer = offering();
    const delivered: UpdateProgressEvent[] = [];
    let attempts = 0;
    const source: UpdateSource = {
      check: (request) => offer.check(request),
      report: (_request, event) => {
        attempts += 1;
        if (attempts <= unanswered)
          return Promise.reject(new UpdateFailedError(failure, `no answer to attempt ${attempts}`, {}));
        delivered.push(event);
        return Promise.resolve();
      },
    };
    return { source, delivered, attempts: () => attempts };
  }

  it('sends an event that got no answer again, so that a restarting server still hears it', async () => {
    const { source, delivered, attempts } = flakyEvents(2);
    const { problems, onProblem } = recordProblems();
    const engine = new SimulatedUpdateEngine({ source, machine: () => machine(), timings: TEST_TIMINGS, onProblem });
    engine.start();
    const { signals } = recordSignals(engine);
    await engine.attemptUpdate();
    await advanceUntil(() => signals.at(-1)?.currentOperation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT');
    // Every event is delivered by the time the status allows a reboot, which would cut an undelivered one off.
    assert.deepEqual(
      delivered.map((event) => `${event.type}/${event.result}`),
      ['13/1', '14/1', '3/1'],
    );
    assert.equal(attempts(), 5);
    assert.deepEqual(problems, []);
  });

  it('posts the installed event (3/1) before it becomes UPDATED_NEED_REBOOT, which lets a reboot begin', async () => {
    const offer = offering();
    let release: () => void = () => undefined;
    const installedHeld = new Promise<void>((resolve) => (release = resolve));
    let installedPosted = false;
    const source: UpdateSource = {
      check: (request) => offer.check(request),
      report: async (_request, event) => {
        if (event.type !== EVENT_TYPE.updateComplete) return;
        installedPosted = true;
        await installedHeld;
      },
    };
    const engine = new SimulatedUpdateEngine({ source, machine: () => machine(), timings: TEST_TIMINGS });
    engine.start();
    const { signals } = recordSignals(engine);
    await engine.attemptUpdate();
    await advanceUntil(() => installedPosted);
    await advance(1_000);
    assert.notEqual(signals.at(-1)?.currentOperation, 'UPDATE_STATUS_UPDATED_NEED_REBOOT');
    release();
    await advanceUntil(() => signals.at(-1)?.currentOperation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT');
  });

  it('gives up on an unanswered event after its retries, and never retries an event the server answered', async () => {
    const unanswered = flakyEvents(Infinity);
    const answered = flakyEvents(Infinity, ERROR_CODE.omahaErrorInHttpResponse);
    for (const [flaky, attemptsPerEvent] of [
      [unanswered, TEST_TIMINGS.eventRetries + 1],
      [answered, 1],
    ] as const) {
      const { problems, onProblem } = recordProblems();
      const engine = new SimulatedUpdateEngine({
        source: flaky.source,
        machine: () => machine(),
        timings: TEST_TIMINGS,
        onProblem,
      });
      engine.start();
      const { signals } = recordSignals(engine);
      await engine.attemptUpdate();
      // The update goes on without its events, as update_engine's does.
      await advanceUntil(() => signals.at(-1)?.currentOperation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT');
      await advanceUntil(() => problems.length === 3);
      assert.equal(flaky.attempts(), 3 * attemptsPerEvent);
      assert.ok(problems.every((problem) => problem instanceof EventReportFailedError));
      assert.deepEqual(flaky.delivered, []);
      engine.stop();
    }
  });

  it('reports the error of a check that got no answer once, not waiting for the server that gave none', async () => {
    let reports = 0;
    const unreachable: UpdateSource = {
      check: () => Promise.reject(new UpdateFailedError(ERROR_CODE.omahaRequestError, 'connection refused', {})),
      report: () => {
        reports += 1;
        return Promise.reject(new UpdateFailedError(ERROR_CODE.omahaRequestError, 'connection refused', {}));
      },
    };
    const { problems, onProblem } = recordProblems();
    const engine = new SimulatedUpdateEngine({
      source: unreachable,
      machine: () => machine(),
      timings: TEST_TIMINGS,
      onProblem,
    });
    engine.start();
    const { signals } = recordSignals(engine);
    await engine.attemptUpdate();
    await advanceUntil(() => isIdle(signals.at(-1)));
    assert.equal(reports, 1);
    assert.equal(problems.length, 1);
  });

  it('gets only the updates offered to its group', async () => {
    const source = new ManualUpdateSource();
    source.offer({ group: 'beta', version: FLATCAR.next });
    const stable = startedEngine(source, { machine: () => machine({ group: 'stable' }) });
    const beta = startedEngine(source, { machine: () => machine({ group: 'beta' }) });
    const { operations } = recordSignals(stable);

    await stable.attemptUpdate();
    await updateStaged(beta);

    assert.equal(beta.stagedVersion(), FLATCAR.next);
    assert.deepEqual(operations(), ['UPDATE_STATUS_CHECKING_FOR_UPDATE', 'UPDATE_STATUS_IDLE']);
    assert.equal((await stable.getStatus()).newVersion, '');
  });

  it('checks periodically, each interval jittered within the fuzz', async () => {
    const timings = { ...TEST_TIMINGS, firstCheckDelayMs: 1_000, checkIntervalMs: 5_000, checkFuzzMs: 1_000 };
    const engine = startedEngine(new ManualUpdateSource(), { timings, random: () => 1 });
    const { operations } = recordSignals(engine);
    const checks = (): number =>
      operations().filter((operation) => operation === 'UPDATE_STATUS_CHECKING_FOR_UPDATE').length;

    await advance(1_499);
    assert.equal(checks(), 0);
    await advance(1);
    assert.equal(checks(), 1);
    await advance(5_499);
    assert.equal(checks(), 1);
    await advance(1);
    assert.equal(checks(), 2);
  });

  it('keeps signalling when a listener throws, and reports the listener', async () => {
    const { problems, onProblem } = recordProblems();
    const engine = startedEngine(offering(), { onProblem });
    engine.onStatusUpdate(() => {
      throw new Error('listener bug');
    });
    const { operations } = recordSignals(engine);

    await updateStaged(engine);

    assert.deepEqual(operations(), HAPPY_PATH);
    assert.equal(problems.length, HAPPY_PATH.length);
    assert.ok(problems.every((problem) => problem instanceof ListenerFailedError));
  });

  it('delivers signals in order when a listener changes the state', async () => {
    const engine = startedEngine(new ManualUpdateSource());
    const { operations } = recordSignals(engine);
    let rechecks = 1;
    engine.onStatusUpdate((status) => {
      if (isIdle(status) && rechecks > 0) {
        rechecks -= 1;
        void engine.attemptUpdate();
      }
    });

    await engine.attemptUpdate();
    await advanceUntil(() => operations().length === 4);

    assert.deepEqual(operations(), [
      'UPDATE_STATUS_CHECKING_FOR_UPDATE',
      'UPDATE_STATUS_IDLE',
      'UPDATE_STATUS_CHECKING_FOR_UPDATE',
      'UPDATE_STATUS_IDLE',
    ]);
  });

  it('stops signalling after unsubscribe', async () => {
    const engine = startedEngine(offering());
    const { signals } = recordSignals(engine);
    const unsubscribe = engine.onStatusUpdate(() => assert.fail('unsubscribed listener called'));
    unsubscribe();

    await updateStaged(engine);
    assert.equal(signals.length, HAPPY_PATH.length);
  });

  it('is unavailable while stopped, and abandons an update in progress', async () => {
    const engine = startedEngine(offering());
    const { operations } = recordSignals(engine);
    await engine.attemptUpdate();
    await advanceUntil(() => operations().includes('UPDATE_STATUS_DOWNLOADING'));
    assert.equal((await engine.getStatus()).currentOperation, 'UPDATE_STATUS_DOWNLOADING');

    engine.stop();
    await assert.rejects(engine.getStatus(), UpdateEngineUnavailableError);
    await assert.rejects(engine.attemptUpdate(), UpdateEngineUnavailableError);
    const { signals } = recordSignals(engine);
    await advance(1_000);
    assert.equal(signals.length, 0);

    engine.start();
    assert.deepEqual(
      signals.map((status) => status.currentOperation),
      ['UPDATE_STATUS_IDLE'],
    );
    assert.equal((await engine.getStatus()).newVersion, '');
  });
});
