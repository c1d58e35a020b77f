import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogRing, MAX_LOG_LINES, podLogQueryProblems, podLogQuerySchema, podLogSearch } from './pod-logs.ts';

/** The problems the schema names for a query, or undefined when it is accepted. */
function problems(query: Record<string, string>): string | undefined {
  const parsed = podLogQuerySchema.safeParse(query);
  return parsed.success ? undefined : podLogQueryProblems(parsed.error);
}

describe('podLogQuerySchema', () => {
  it('takes a container, a tail, follow and timestamps as the log view sends them', () => {
    assert.deepEqual(
      podLogQuerySchema.parse({ container: 'main', tailLines: '500', follow: 'true', timestamps: 'false' }),
      { container: 'main', tailLines: 500, follow: true, timestamps: false },
    );
    assert.deepEqual(podLogQuerySchema.parse({ container: 'sidecar-2' }), { container: 'sidecar-2' });
    assert.deepEqual(
      podLogQuerySchema.parse({ container: 'main', tailLines: String(MAX_LOG_LINES) }).tailLines,
      MAX_LOG_LINES,
    );
  });

  it('refuses a container that is not a DNS label, naming the field', () => {
    for (const container of ['', 'Main', 'a/b', '../x', 'a'.repeat(64), 'main\n']) {
      const said = problems({ container });
      assert.match(said ?? '', /^container: /, JSON.stringify(container));
    }
    assert.match(problems({}) ?? '', /^container: /);
  });

  it('bounds tailLines to whole numbers from 1 to MAX_LOG_LINES, naming the field', () => {
    for (const tailLines of ['0', '-1', '1.5', 'ten', '', String(MAX_LOG_LINES + 1), '99999999', '1e3'])
      assert.match(problems({ container: 'main', tailLines }) ?? '', /^tailLines: /, tailLines);
  });

  it('takes only true and false for follow and timestamps', () => {
    assert.match(problems({ container: 'main', follow: '1' }) ?? '', /^follow: /);
    assert.match(problems({ container: 'main', timestamps: 'yes' }) ?? '', /^timestamps: /);
  });

  it('refuses any other parameter, such as the kubelet TLS bypass', () => {
    assert.match(
      problems({ container: 'main', insecureSkipTLSVerifyBackend: 'true' }) ?? '',
      /insecureSkipTLSVerifyBackend/,
    );
    assert.match(problems({ container: 'main', previous: 'true' }) ?? '', /previous/);
  });

  it('names every refused field at once', () => {
    const said = problems({ container: 'A', tailLines: '0' }) ?? '';
    assert.match(said, /container: /);
    assert.match(said, /tailLines: /);
  });

  it('round-trips through the query string the view builds', () => {
    const query = { container: 'main', tailLines: 20, follow: true, timestamps: true };
    assert.deepEqual(podLogQuerySchema.parse(Object.fromEntries(new URLSearchParams(podLogSearch(query)))), query);
  });
});

describe('LogRing', () => {
  it('splits chunks into lines, holding an unfinished line until it ends', () => {
    const ring = new LogRing(10);
    ring.append('first\nsec');
    assert.deepEqual(ring.lines(), [{ seq: 0, text: 'first' }]);
    ring.append('ond\r\nthird');
    assert.deepEqual(
      ring.lines().map((line) => line.text),
      ['first', 'second'],
    );
    ring.end();
    assert.deepEqual(
      ring.lines().map((line) => line.text),
      ['first', 'second', 'third'],
    );
    ring.end();
    assert.equal(ring.total, 3);
  });

  it('keeps only the newest lines once full, numbering every line ever seen', () => {
    const ring = new LogRing(3);
    for (let index = 0; index < 8; index += 1) ring.append(`line ${index}\n`);
    assert.deepEqual(ring.lines(), [
      { seq: 5, text: 'line 5' },
      { seq: 6, text: 'line 6' },
      { seq: 7, text: 'line 7' },
    ]);
    assert.equal(ring.total, 8);
  });

  it('holds at most its capacity however much one chunk brings', () => {
    const ring = new LogRing(MAX_LOG_LINES);
    ring.append(Array.from({ length: 3 * MAX_LOG_LINES + 7 }, (_, index) => `${index}\n`).join(''));
    const lines = ring.lines();
    assert.equal(lines.length, MAX_LOG_LINES);
    assert.equal(lines[0]?.text, String(2 * MAX_LOG_LINES + 7));
    assert.equal(lines.at(-1)?.text, String(3 * MAX_LOG_LINES + 6));
  });

  it('keeps empty lines and markup as the text it is', () => {
    const ring = new LogRing(5);
    ring.append('\n<script>alert(1)</script>\n');
    assert.deepEqual(
      ring.lines().map((line) => line.text),
      ['', '<script>alert(1)</script>'],
    );
  });

  it('starts again when cleared', () => {
    const ring = new LogRing(2);
    ring.append('a\nb\nc');
    ring.clear();
    ring.append('d\n');
    assert.deepEqual(ring.lines(), [{ seq: 0, text: 'd' }]);
  });

  it('refuses a capacity under one line', () => {
    assert.throws(() => new LogRing(0), RangeError);
    assert.throws(() => new LogRing(1.5), RangeError);
  });
});
