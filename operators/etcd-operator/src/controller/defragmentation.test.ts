import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aMember } from '../plan/test-fixtures.ts';
import { defragmentationDue, DefragmentationRounds, DefragmentationScheduleError } from './defragmentation.ts';

const at = (iso: string) => new Date(iso);

describe('defragmentation schedules and rounds', () => {
  it('is due once the schedule fired after the last round', () => {
    assert.equal(defragmentationDue('0 3 * * *', at('2026-12-03T03:00:05Z'), at('2026-12-04T02:59:00Z')), false);
    assert.equal(defragmentationDue('0 3 * * *', at('2026-12-03T03:00:05Z'), at('2026-12-04T03:00:00Z')), true);
    assert.equal(defragmentationDue('@hourly', at('2026-12-04T10:00:01Z'), at('2026-12-04T10:59:59Z')), false);
    assert.equal(defragmentationDue('*/5 * * * *', at('2026-12-04T10:00:01Z'), at('2026-12-04T10:05:00Z')), true);
  });

  it('names the schedule it cannot read', () => {
    assert.throws(
      () => defragmentationDue('61 * * * *', at('2026-12-04T10:00:00Z'), at('2026-12-04T11:00:00Z')),
      (error: unknown) => error instanceof DefragmentationScheduleError && error.message.includes('"61 * * * *"'),
    );
  });

  it('keeps a scheduled round until every member is defragmented once', () => {
    const rounds = new DefragmentationRounds();
    const [a, b] = [aMember('etcd-a'), aMember('etcd-b')];
    assert.deepEqual(rounds.view('ns/c', { alarms: [], members: [a.id, b.id], due: false }).defragPending, []);
    const view = rounds.view('ns/c', { alarms: [], members: [a.id, b.id], due: true });
    assert.deepEqual([view.defragPending, view.compactFirst], [[a.id, b.id], false]);
    assert.equal(rounds.taken('ns/c', { kind: 'defragment', member: a }, []), false);
    // The schedule still says due (the round has not been recorded): the round under way is not restarted.
    assert.deepEqual(rounds.view('ns/c', { alarms: [], members: [a.id, b.id], due: true }).defragPending, [b.id]);
    assert.equal(rounds.taken('ns/c', { kind: 'defragment', member: b }, []), true);
  });

  it('after a NOSPACE alarm compacts first, defragments all, and finishes only with the alarm disarmed', () => {
    const rounds = new DefragmentationRounds();
    const a = aMember('etcd-a');
    const alarms = [{ memberId: a.id, alarm: 'NOSPACE' }];
    assert.equal(rounds.view('ns/c', { alarms, members: [a.id], due: false }).compactFirst, true);
    assert.equal(rounds.taken('ns/c', { kind: 'compact', revision: 9 }, alarms), false);
    assert.equal(rounds.view('ns/c', { alarms, members: [a.id], due: false }).compactFirst, false);
    assert.equal(rounds.taken('ns/c', { kind: 'defragment', member: a }, alarms), false);
    assert.equal(
      rounds.taken('ns/c', { kind: 'disarm', alarms: [{ memberId: a.id, alarm: 'NOSPACE' }] }, alarms),
      true,
    );
  });
});
