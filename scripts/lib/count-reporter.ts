// A test reporter for `node --test` that tallies leaf tests (not suites) and
// writes the totals as JSON, so that scripts/test.ts can print one closing line
// for unit and integration tests together.
import type { TestEvent } from 'node:test/reporters';

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
}

export default async function* countReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const totals: Totals = { passed: 0, failed: 0, skipped: 0, todo: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data as { details: { type?: string }; skip?: unknown; todo?: unknown };
    // Suites pass or fail with their tests; counting them too would count twice.
    if (data.details.type === 'suite') continue;
    if (data.skip !== undefined && data.skip !== false) totals.skipped += 1;
    else if (data.todo !== undefined && data.todo !== false) totals.todo += 1;
    else if (event.type === 'test:pass') totals.passed += 1;
    else totals.failed += 1;
  }
  yield JSON.stringify(totals);
}
