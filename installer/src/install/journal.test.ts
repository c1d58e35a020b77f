import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, phasesDone, type JournalRecord } from './journal.ts';

const FINGERPRINT = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

function aRecord(overrides: Partial<Omit<JournalRecord, 'at'>> = {}): Omit<JournalRecord, 'at'> {
  return {
    phase: 'render',
    status: 'succeeded',
    fingerprint: FINGERPRINT,
    platform: 'local',
    cluster: 'demo',
    ...overrides,
  };
}

describe('the install journal', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  async function aJournal(): Promise<Journal> {
    const dir = await mkdtemp(join(tmpdir(), 'strata-journal-'));
    dirs.push(dir);
    return new Journal(join(dir, 'journal.jsonl'));
  }

  it('appends one JSON line per record and reads them back in order', async () => {
    const journal = await aJournal();
    await journal.append(aRecord({ phase: 'preflight' }));
    await journal.append(aRecord({ phase: 'render', status: 'started' }));
    const text = await readFile(journal.path, 'utf8');
    assert.equal(text.split('\n').filter(Boolean).length, 2);
    const { records, warnings } = await journal.read();
    assert.deepEqual(
      records.map(({ phase, status }) => `${phase} ${status}`),
      ['preflight succeeded', 'render started'],
    );
    assert.deepEqual(warnings, []);
  });

  it('ignores a torn last line (a kill in the middle of a write) with a warning', async () => {
    const journal = await aJournal();
    await journal.append(aRecord({ phase: 'preflight' }));
    const whole = JSON.stringify({ ...aRecord({ phase: 'render' }), at: new Date().toISOString() });
    await appendFile(journal.path, whole.slice(0, whole.length / 2));
    const { records, warnings } = await journal.read();
    assert.deepEqual(
      records.map(({ phase }) => phase),
      ['preflight'],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /journal\.jsonl:2: ignored a line that is not JSON/);
    // And the journal stays appendable after the torn line.
    await journal.append(aRecord({ phase: 'provision' }));
    assert.deepEqual(
      (await journal.read()).records.map(({ phase }) => phase),
      ['preflight', 'provision'],
    );
  });

  it('ignores a record that does not fit the schema, with a warning', async () => {
    const journal = await aJournal();
    await appendFile(journal.path, `${JSON.stringify({ phase: 'teleport', status: 'succeeded' })}\n`);
    const { records, warnings } = await journal.read();
    assert.deepEqual(records, []);
    assert.match(warnings[0] ?? '', /does not fit the journal's schema/);
  });

  it('a missing journal is empty', async () => {
    assert.deepEqual(await (await aJournal()).read(), { records: [], warnings: [] });
  });

  it('a phase is done when its last record for this fingerprint succeeded, and not after a destroy', () => {
    const at = new Date().toISOString();
    const records: JournalRecord[] = [
      { ...aRecord({ phase: 'preflight' }), at },
      { ...aRecord({ phase: 'render' }), at },
      { ...aRecord({ phase: 'provision', status: 'started' }), at },
      { ...aRecord({ phase: 'wait-api', fingerprint: OTHER }), at },
    ];
    assert.deepEqual([...phasesDone(records, FINGERPRINT)].sort(), ['preflight', 'render']);
    assert.deepEqual([...phasesDone(records, OTHER)], ['wait-api']);
    const destroyed = [...records, { ...aRecord({ phase: 'destroy' }), at }];
    assert.deepEqual([...phasesDone(destroyed, FINGERPRINT)], []);
  });
});
