import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { updatePolicySpecSchema, type LabelSelector, type UpdatePolicySpecInput } from '@strata/api';
import {
  checkPolicyFields,
  controlOf,
  fieldsOf,
  newPolicyFields,
  NEW_REBOOT_WINDOW,
  parseSelector,
  selectorTerms,
  selectorText,
  type PolicyFields,
} from './update-policy-form.ts';

const fields = (change: Partial<PolicyFields>): PolicyFields => ({ ...newPolicyFields(), name: 'workers', ...change });

function problemsOf(change: Partial<PolicyFields>): { field: string; message: string }[] {
  const result = checkPolicyFields(fields(change));
  assert.equal(result.ok, false, 'refused');
  return result.ok ? [] : result.problems;
}

describe('parseSelector and selectorTerms', () => {
  it('read every term kubectl writes, and write them back alike', () => {
    const text = 'role=worker, zone in (a,b), tier notin (db), gpu, !update.strata.dev/reboots-paused';
    const parsed = parseSelector(text);
    assert.ok('selector' in parsed);
    const expected: LabelSelector = {
      matchLabels: { role: 'worker' },
      matchExpressions: [
        { key: 'zone', operator: 'In', values: ['a', 'b'] },
        { key: 'tier', operator: 'NotIn', values: ['db'] },
        { key: 'gpu', operator: 'Exists' },
        { key: 'update.strata.dev/reboots-paused', operator: 'DoesNotExist' },
      ],
    };
    assert.deepEqual(parsed.selector, expected);
    assert.equal(
      selectorTerms(parsed.selector),
      'role=worker, zone in (a,b), tier notin (db), gpu, !update.strata.dev/reboots-paused',
    );
  });

  it('reads key==value, key!=value and spacing', () => {
    assert.deepEqual(parseSelector(' a == b ,c!=d, e IN ( x , y )'), {
      selector: {
        matchLabels: { a: 'b' },
        matchExpressions: [
          { key: 'c', operator: 'NotIn', values: ['d'] },
          { key: 'e', operator: 'In', values: ['x', 'y'] },
        ],
      },
    });
  });

  it('the empty text is the empty selector, which selects every node', () => {
    assert.deepEqual(parseSelector('  '), { selector: {} });
    assert.equal(selectorText({}), 'every node');
    assert.equal(selectorTerms({}), '');
  });

  it('refuses what it cannot read, saying how to write it', () => {
    for (const text of ['a=b,', 'a b', 'a in b', 'a=b=c', 'a=1, a=2']) {
      const parsed = parseSelector(text);
      assert.ok('error' in parsed, text);
    }
    const stray = parseSelector('a=b,,c');
    assert.ok('error' in stray && stray.error.includes('stray comma'));
    const unreadable = parseSelector('a b');
    assert.ok('error' in unreadable && unreadable.error.includes('key in (a,b)'));
  });
});

describe('fieldsOf and checkPolicyFields', () => {
  it('give back the spec the fields were made from, every field edited included', () => {
    const spec: UpdatePolicySpecInput = {
      nodeSelector: {
        matchLabels: { 'node-role.kubernetes.io/worker': '' },
        matchExpressions: [{ key: 'update.strata.dev/reboots-paused', operator: 'DoesNotExist' }],
      },
      maxUnavailable: '25%',
      paused: true,
      rebootWindows: [{ days: ['Mon', 'Thu'], start: '02:30', duration: '1h30m', timeZone: 'Europe/Berlin' }],
      drain: {
        timeout: '20m',
        gracePeriodSeconds: 30,
        deleteEmptyDirData: true,
        force: true,
        skipPodSelectors: [{ matchLabels: { app: 'cache' } }],
        onTimeout: 'Reboot',
        maxRetryDelay: '1h',
      },
      hooks: { beforeReboot: ['example.com/backup-done'], afterReboot: ['example.com/smoke', 'example.com/ok'] },
      rebootTimeout: { duration: '45m', onTimeout: 'ReleaseSlot' },
    };
    const full = updatePolicySpecSchema.parse(spec);
    const result = checkPolicyFields(fieldsOf('workers', full));
    assert.equal(result.ok, true);
    assert.ok(result.ok);
    assert.deepEqual(updatePolicySpecSchema.parse(result.spec), full);
  });

  it('a new policy starts from the defaults and is valid once named', () => {
    const fresh = newPolicyFields();
    assert.equal(fresh.maxUnavailable, '1');
    assert.equal(fresh.drainTimeout, '10m');
    const result = checkPolicyFields({ ...fresh, name: 'workers' });
    assert.ok(result.ok);
    assert.deepEqual(updatePolicySpecSchema.parse(result.spec), updatePolicySpecSchema.parse({}));
  });

  it('an empty optional field is left to its default; a whole number is sent as a number', () => {
    const result = checkPolicyFields(fields({ maxUnavailable: ' 3 ', drainTimeout: '', rebootTimeout: ' ' }));
    assert.ok(result.ok);
    const spec = updatePolicySpecSchema.parse(result.spec);
    assert.equal(spec.maxUnavailable, 3);
    assert.equal(spec.drain.timeout, '10m');
    assert.equal(spec.rebootTimeout.duration, '30m');
  });

  it("names each refused field in the CRD schema's words", () => {
    assert.deepEqual(problemsOf({ maxUnavailable: '0' }), [
      {
        field: 'spec.maxUnavailable',
        message: 'must be a whole number of nodes of at least 1, or a percentage from "1%" to "100%"',
      },
    ]);
    assert.deepEqual(
      problemsOf({ rebootWindows: [{ ...NEW_REBOOT_WINDOW, start: '25:00', timeZone: 'Mars/Olympus' }] }).map(
        (problem) => problem.field,
      ),
      ['spec.rebootWindows.0.start', 'spec.rebootWindows.0.timeZone'],
    );
    assert.deepEqual(problemsOf({ rebootWindows: [{ ...NEW_REBOOT_WINDOW, days: [] }] }), [
      { field: 'spec.rebootWindows.0.days', message: 'must name at least one day' },
    ]);
    assert.deepEqual(
      problemsOf({ drainGracePeriodSeconds: '-2', drainTimeout: 'ten minutes' }).map((problem) => problem.field),
      ['spec.drain.timeout', 'spec.drain.gracePeriodSeconds'],
    );
    assert.deepEqual(
      problemsOf({ beforeRebootHooks: 'not a key!' }).map((problem) => problem.field),
      ['spec.hooks.beforeReboot.0'],
    );
    assert.deepEqual(
      problemsOf({ nodeSelector: 'a=b,,c' }).map((problem) => problem.field),
      ['spec.nodeSelector'],
    );
    assert.deepEqual(
      problemsOf({ nodeSelector: 'bad key=x' }).map((problem) => problem.field),
      ['spec.nodeSelector'],
    );
    assert.deepEqual(
      problemsOf({ nodeSelector: '-bad=x' }).map((problem) => problem.field),
      ['spec.nodeSelector.matchLabels'],
    );
    assert.deepEqual(
      problemsOf({ drainSkipPodSelectors: 'app=x\na b' }).map((problem) => problem.field),
      ['spec.drain.skipPodSelectors.1'],
    );
  });

  it('refuses a name that is no DNS subdomain, and an empty one', () => {
    for (const name of ['', 'Workers', 'a_b', '-a', 'a'.repeat(254)])
      assert.deepEqual(
        problemsOf({ name }).map((problem) => problem.field),
        ['metadata.name'],
        name,
      );
  });
});

describe('controlOf', () => {
  it('leads each field to the input that fixes it', () => {
    assert.equal(controlOf('metadata.name'), 'name');
    assert.equal(controlOf('spec.nodeSelector'), 'nodeSelector');
    assert.equal(controlOf('spec.nodeSelector.matchExpressions.0.key'), 'nodeSelector');
    assert.equal(controlOf('spec.maxUnavailable'), 'maxUnavailable');
    assert.equal(controlOf('spec.paused'), 'paused');
    assert.equal(controlOf('spec.rebootWindows.2.timeZone'), 'window-2-timeZone');
    assert.equal(controlOf('spec.rebootWindows.1.days.0'), 'window-1-days');
    assert.equal(controlOf('spec.rebootWindows'), 'rebootWindows');
    assert.equal(controlOf('spec.drain.gracePeriodSeconds'), 'drainGracePeriodSeconds');
    assert.equal(controlOf('spec.drain.skipPodSelectors.1.matchLabels'), 'drainSkipPodSelectors');
    assert.equal(controlOf('spec.hooks.beforeReboot.0'), 'beforeRebootHooks');
    assert.equal(controlOf('spec.hooks.afterReboot'), 'afterRebootHooks');
    assert.equal(controlOf('spec.rebootTimeout.duration'), 'rebootTimeout');
    assert.equal(controlOf('spec.rebootTimeout.onTimeout'), 'rebootOnTimeout');
    assert.equal(controlOf('(root)'), 'form');
  });
});
