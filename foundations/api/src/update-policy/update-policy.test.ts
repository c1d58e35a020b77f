import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationNanoseconds, isPolicyDuration, parseDuration } from './duration.ts';
import { TIME_ZONES, isTimeZone } from './time-zones.ts';
import {
  UPDATE_POLICY_DEFAULTS,
  UpdatePolicyError,
  parseUpdatePolicy,
  updatePolicyIssues,
  updatePolicySchema,
} from './update-policy.ts';
import { INVALID_POLICIES, VALID_POLICIES, aPolicyObject, aWindow, zodPath } from './update-policy-corpus.ts';

describe('updatePolicySchema on the shared corpus', () => {
  for (const valid of VALID_POLICIES) {
    it(`accepts ${valid.name}`, () => {
      assert.deepEqual(updatePolicyIssues(aPolicyObject('p', valid.spec)), []);
    });
  }
  for (const invalid of INVALID_POLICIES) {
    it(`refuses ${invalid.name}, naming ${zodPath(invalid.field)}`, () => {
      const issues = updatePolicyIssues(aPolicyObject('p', invalid.spec));
      assert.ok(
        issues.some((issue) => issue.field === zodPath(invalid.field)),
        `expected an issue at ${zodPath(invalid.field)}, got ${JSON.stringify(issues)}`,
      );
    });
  }
});

describe('parseUpdatePolicy', () => {
  it('fills in every default of an empty spec', () => {
    const policy = parseUpdatePolicy(aPolicyObject('default', {}));
    assert.deepEqual(policy.spec, {
      nodeSelector: {},
      maxUnavailable: UPDATE_POLICY_DEFAULTS.maxUnavailable,
      drain: {
        timeout: UPDATE_POLICY_DEFAULTS.drainTimeout,
        gracePeriodSeconds: -1,
        deleteEmptyDirData: false,
        force: false,
        skipPodSelectors: [],
        onTimeout: 'Retry',
        maxRetryDelay: UPDATE_POLICY_DEFAULTS.drainMaxRetryDelay,
      },
      hooks: { beforeReboot: [], afterReboot: [] },
      paused: false,
      rebootTimeout: { duration: UPDATE_POLICY_DEFAULTS.rebootTimeout, onTimeout: 'HoldSlot' },
    });
  });

  it('fills in the defaults of a spec that is left out altogether', () => {
    const withoutSpec = aPolicyObject('bare', {});
    delete withoutSpec['spec'];
    assert.equal(parseUpdatePolicy(withoutSpec).spec.maxUnavailable, 1);
  });

  it('keeps a status the operator wrote', () => {
    const status = {
      observedGeneration: 3,
      nodes: {
        total: 3,
        idle: 0,
        rebootNeeded: 1,
        waiting: 0,
        approved: 1,
        draining: 0,
        rebooting: 1,
        afterReboot: 0,
        failed: 0,
      },
      inProgressCount: 2,
      inProgress: ['a', 'b'],
      queue: ['c'],
      lastTransitions: [{ node: 'a', from: 'approved', to: 'draining', time: '2026-03-29T01:00:00Z' }],
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'Rolling',
          message: '2 nodes rebooting',
          lastTransitionTime: '2026-03-29T01:00:00+02:00',
        },
      ],
    };
    assert.deepEqual(parseUpdatePolicy({ ...aPolicyObject('p', {}), status }).status, status);
  });

  it('throws an UpdatePolicyError that names the policy and every offending field', () => {
    const value = aPolicyObject('night', {
      maxUnavailable: '0%',
      rebootWindows: [aWindow({ timeZone: 'Mars/Olympus' })],
    });
    assert.throws(
      () => parseUpdatePolicy(value),
      (error: unknown) => {
        assert.ok(error instanceof UpdatePolicyError);
        assert.equal(error.field, 'spec.maxUnavailable');
        assert.deepEqual(
          error.issues.map((issue) => issue.field),
          ['spec.maxUnavailable', 'spec.rebootWindows.0.timeZone'],
        );
        assert.match(error.message, /UpdatePolicy night/);
        assert.match(error.message, /spec\.rebootWindows\.0\.timeZone: must be an IANA time zone name/);
        return true;
      },
    );
  });

  it('refuses an object of another kind', () => {
    assert.ok(updatePolicySchema.safeParse({ ...aPolicyObject('p', {}), kind: 'Deployment' }).error);
  });
});

describe('policy durations', () => {
  it('reads Go duration syntax to the nanosecond', () => {
    assert.equal(durationNanoseconds('1h30m'), 5_400_000_000_000n);
    assert.equal(durationNanoseconds('1.5h'), 5_400_000_000_000n);
    assert.equal(durationNanoseconds('2m500ms'), 120_500_000_000n);
    assert.equal(durationNanoseconds('0.000000001s'), 1n);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('10m'), 600_000);
  });

  it('truncates a fraction below a nanosecond, as Go does', () => {
    assert.equal(durationNanoseconds('0.0000000009s'), 0n);
    assert.equal(isPolicyDuration('0.0000000009s'), false);
  });

  it('refuses what Go would not read or the pattern does not allow', () => {
    for (const text of ['', '1d', '-1h', '1h 30m', '90', '.5h', '1.h', '1us', 'h']) {
      assert.equal(durationNanoseconds(text), undefined, text);
    }
  });

  it('bounds policy durations to above zero and at most one week', () => {
    assert.equal(isPolicyDuration('168h'), true);
    assert.equal(isPolicyDuration('167h59m60s'), true);
    assert.equal(isPolicyDuration('168h0.000000001s'), false);
    assert.equal(isPolicyDuration('0h0m0s'), false);
  });
});

describe('time zones', () => {
  it('offers every zone Intl lists, UTC, and the current names ICU lists under older ones', () => {
    for (const name of [
      ...Intl.supportedValuesOf('timeZone'),
      'UTC',
      'Etc/UTC',
      'Asia/Kolkata',
      'Europe/Kyiv',
      'America/Nuuk',
    ]) {
      assert.ok(isTimeZone(name), name);
    }
  });

  it('offers only names Intl can compute with, each once and sorted', () => {
    for (const name of TIME_ZONES)
      assert.doesNotThrow(() => new Intl.DateTimeFormat('en-US', { timeZone: name }), name);
    assert.deepEqual([...new Set(TIME_ZONES)].sort(), TIME_ZONES);
  });

  it('refuses names Intl would take but a person should not write', () => {
    // Intl reads these case-insensitively and accepts offsets; the CRD's list is exact, and so is this check.
    for (const name of ['europe/berlin', '+02:00', 'CEST', 'Mars/Olympus', ''])
      assert.equal(isTimeZone(name), false, name);
  });
});
