// A test reporter for `node --test` that sums the time of each file's
// top-level tests and writes it as JSON ({ "<file>": milliseconds }), so that
// the next run can balance integration files across lanes (lanes.ts).
import type { TestEvent } from 'node:test/reporters';

export default async function* fileTimesReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const times: Record<string, number> = {};
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data as { nesting: number; file?: string; details: { duration_ms?: number } };
    if (data.nesting !== 0 || data.file === undefined) continue;
    times[data.file] = (times[data.file] ?? 0) + (data.details.duration_ms ?? 0);
  }
  yield JSON.stringify(times);
}
