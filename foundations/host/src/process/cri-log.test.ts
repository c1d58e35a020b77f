import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRI_MAX_RECORD_BYTES, CriLineWriter, criTimestamp, parseCriLine } from './cri-log.ts';
import { ManagedProcess } from './managed-process.ts';

const FIXED = '2026-12-05T10:30:00.123456789Z';

function collect(stream: 'stdout' | 'stderr'): { writer: CriLineWriter; records: string[] } {
  const records: string[] = [];
  const writer = new CriLineWriter(
    stream,
    (record) => records.push(record.toString('utf8')),
    () => FIXED,
  );
  return { writer, records };
}

describe('CRI log records', () => {
  it('writes one record per line, holding a line until its newline arrives', () => {
    const { writer, records } = collect('stdout');
    writer.push(Buffer.from('hel'));
    assert.deepEqual(records, []);
    writer.push(Buffer.from('lo\nsecond\nthi'));
    writer.flush();
    assert.deepEqual(records, [`${FIXED} stdout F hello\n`, `${FIXED} stdout F second\n`, `${FIXED} stdout F thi\n`]);
  });

  it('splits a line longer than the record limit into P records ending with an F', () => {
    const { writer, records } = collect('stderr');
    writer.push(Buffer.from('x'.repeat(CRI_MAX_RECORD_BYTES + 5) + '\n'));
    assert.equal(records.length, 2);
    assert.equal(parseCriLine(Buffer.from(records[0]?.trimEnd() ?? ''))?.partial, true);
    const last = parseCriLine(Buffer.from(records[1]?.trimEnd() ?? ''));
    assert.equal(last?.partial, false);
    assert.equal(last?.content.toString(), 'xxxxx');
  });

  it('parses what it writes, keeping the nanosecond timestamp as written', () => {
    const record = parseCriLine(Buffer.from(`${FIXED} stderr F a b  c`));
    assert.equal(record?.timestamp, FIXED);
    assert.equal(record?.time.toISOString(), '2026-12-05T10:30:00.123Z');
    assert.equal(record?.stream, 'stderr');
    assert.equal(record?.content.toString(), 'a b  c');
    assert.equal(parseCriLine(Buffer.from('not a record')), undefined);
    assert.equal(parseCriLine(Buffer.from(`${FIXED} stdin F x`)), undefined);
  });

  it('times records in RFC 3339 with nanoseconds', () => {
    const stamp = criTimestamp(new Date('2026-12-05T10:30:00.120Z'), 1_234_567_891n);
    assert.equal(stamp, '2026-12-05T10:30:00.120567891Z');
  });

  it('lets a guardian write a component output as CRI records', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-cri-'));
    const logFile = join(dir, 'component.log');
    try {
      const component = ManagedProcess.start({
        name: 'cri-echo',
        command: process.execPath,
        args: ['-e', "process.stdout.write('out one\\nout'); process.stderr.write('err one\\n');"],
        logFile,
        logFormat: 'cri',
      });
      assert.equal((await component.exited).code, 0);
      const records = (await readFile(logFile, 'utf8'))
        .trimEnd()
        .split('\n')
        .map((line) => parseCriLine(Buffer.from(line)));
      const byStream = (stream: string) =>
        records.filter((record) => record?.stream === stream).map((record) => record?.content.toString());
      assert.deepEqual(byStream('stdout'), ['out one', 'out']);
      assert.deepEqual(byStream('stderr'), ['err one']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
