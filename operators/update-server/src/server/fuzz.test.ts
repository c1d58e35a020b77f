// A few thousand hostile and malformed requests against the real server and
// store: every answer is a 2xx or 4xx, a 200 is an Omaha answer whose
// updatecheck is ok or noupdate, and the server still answers correctly after.
// Drawn by fast-check: a failure prints the seed that replays it.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { FLATCAR_APP_ID } from '@strata/omaha';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { aCatalog, anOmahaRequest, type RequestFields } from '../testing/builders.ts';
import { postOmaha, readAsUpdateEngine } from '../testing/omaha-client.ts';
import { startTestUpdateServer, type TestUpdateServer } from '../testing/test-server.ts';

const BATCH = 16;
const RUNS = 200; // 3,200 requests

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '"',
    '\'"',
    '<',
    '>',
    '&',
    '&amp',
    '&#0;',
    '&#xD800;',
    '&lol;',
    ']]>',
    '<!--',
    '\u0000',
    '\u202e',
    '"/><x y="',
  ),
  fc.constant('x'.repeat(300)),
);

const absurdVersion = fc.oneof(
  fc.constantFrom(
    '',
    'latest',
    '99999999999999999999.0.0',
    '-1.0.0',
    '1..2',
    '0',
    '1.2.3.4.5.6',
    'NaN',
    'Infinity',
    '3374.2.1',
    '3374.2.0',
    '9999.9.9',
  ),
  fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([a, b, c]) => `${a}.${b}.${c}`),
  hostileText,
);

/** Usually what update_engine sends, sometimes not: enough requests get past the parser to reach the policy. */
const mostly = <T>(usual: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: hostile });

const fields: fc.Arbitrary<RequestFields> = fc.record(
  {
    appId: mostly(
      fc.constant(FLATCAR_APP_ID),
      fc.oneof(
        fc.uuid().map((id) => `{${id}}`),
        hostileText,
      ),
    ),
    version: mostly(fc.constantFrom('3374.2.0', '3033.2.4', '3374.2.1'), absurdVersion),
    track: mostly(fc.constant('stable'), fc.oneof(fc.constantFrom('beta', '', 'STABLE'), hostileText)),
    machineId: mostly(fc.uuid(), fc.oneof(fc.constant(''), hostileText)),
    machineAlias: mostly(fc.constantFrom('', 'worker-1'), hostileText),
    updateCheck: fc.boolean(),
    ping: fc.boolean(),
    events: fc.array(
      fc.record({
        type: mostly(fc.constantFrom(3, 13, 14, 800), fc.integer({ min: -2_000_000, max: 2_000_000 })),
        result: mostly(fc.constantFrom(0, 1, 2), fc.integer()),
        errorCode: fc.option(mostly(fc.constantFrom(44, -2147483604, 2147483692), fc.integer()), { nil: undefined }),
        previousVersion: fc.option(mostly(fc.constantFrom('', '3374.2.0'), absurdVersion), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

const bomb = (depth: number) =>
  `<?xml version="1.0"?><!DOCTYPE request [<!ENTITY a "${'x'.repeat(50)}">${Array.from({ length: depth }, (_, i) => `<!ENTITY a${i} "${'&a;'.repeat(10)}">`).join('')}]><request protocol="3.0"><app appid="&a${depth - 1};"/></request>`;

const ODDITIES = [
  '',
  'null',
  '{"request":{}}',
  '<request/>',
  '<request protocol="3.0"/>',
  '<request protocol="3.0"><app/></request>',
  `<request protocol="3.0"><app appid="${FLATCAR_APP_ID}" version="1.0.0" track="stable" machineid="dup" machineid="dup2"><updatecheck/></app></request>`,
  `<request protocol="3.0">${`<app appid="${FLATCAR_APP_ID}"><updatecheck/></app>`.repeat(50)}</request>`,
  '<?xml version="1.0" encoding="UTF-16"?><request protocol="3.0"/>',
  '<?xml-stylesheet href="x"?><request protocol="3.0"/>',
  '<![CDATA[x]]>',
];

/** A hostile case as a small description, so that a failure prints the case and not a 200 KiB body. */
type Case =
  | { readonly kind: 'fields'; readonly fields: RequestFields }
  | { readonly kind: 'truncated'; readonly fields: RequestFields; readonly cut: number }
  | { readonly kind: 'spliced'; readonly fields: RequestFields; readonly at: number; readonly junk: string }
  | { readonly kind: 'bomb'; readonly depth: number }
  | { readonly kind: 'nested'; readonly depth: number }
  | { readonly kind: 'oversized'; readonly size: number }
  | { readonly kind: 'oddity'; readonly index: number };

const hostileCase: fc.Arbitrary<Case> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('fields'), fields }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncated'), fields, cut: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('spliced'),
      fields,
      at: fc.nat(),
      junk: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bomb'), depth: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nested'), depth: fc.integer({ min: 4, max: 20_000 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('oversized'), size: fc.integer({ min: 16 * 1024, max: 200 * 1024 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('oddity'), index: fc.nat(ODDITIES.length - 1) }) },
);

function render(hostile: Case): string {
  switch (hostile.kind) {
    case 'fields':
      return anOmahaRequest(hostile.fields);
    case 'truncated': {
      const xml = anOmahaRequest(hostile.fields);
      return xml.slice(0, hostile.cut % (xml.length + 1));
    }
    case 'spliced': {
      const xml = anOmahaRequest(hostile.fields);
      const index = hostile.at % (xml.length + 1);
      return xml.slice(0, index) + hostile.junk + xml.slice(index);
    }
    case 'bomb':
      return bomb(hostile.depth);
    case 'nested':
      return `<request protocol="3.0">${'<app>'.repeat(hostile.depth)}${'</app>'.repeat(hostile.depth)}</request>`;
    case 'oversized':
      return anOmahaRequest({ machineAlias: 'a'.repeat(hostile.size) });
    case 'oddity':
      return ODDITIES[hostile.index] ?? '';
  }
}

describe('fuzzing POST /v1/update/', () => {
  let server: TestUpdateServer;
  const agent = new Agent({ keepAlive: true, maxSockets: BATCH });
  const statuses = new Map<number, number>();

  before(
    async () =>
      (server = await startTestUpdateServer({ store: openSqliteStore({ path: ':memory:' }), catalog: aCatalog() })),
  );
  after(async () => {
    agent.destroy();
    await server.close();
    await server.store.close();
  });

  it('answers 3,200 hostile requests with a 2xx or 4xx, and a well-formed Omaha answer on 200', async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileCase, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
        const answers = await Promise.all(cases.map((each) => postOmaha(server.url, render(each), { agent })));
        for (const [index, answer] of answers.entries()) {
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          assert.ok(
            answer.status >= 200 && answer.status < 500,
            `status ${answer.status} for case ${index}: ${answer.body}`,
          );
          if (answer.status !== 200) continue;
          const view = readAsUpdateEngine(answer.body);
          if (view.updateCheckStatus !== undefined)
            assert.ok(['ok', 'noupdate'].includes(view.updateCheckStatus), view.updateCheckStatus);
          if (view.updateCheckStatus === 'ok') assert.ok(view.offer?.codebase.endsWith('/'));
        }
      }),
      { numRuns: RUNS },
    );
    t.diagnostic(`answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The fuzz reached the policy, not only the parser, and the parser saw its share.
    assert.ok((statuses.get(200) ?? 0) > 500, `statuses: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(400) ?? 0) > 500, `statuses: ${JSON.stringify([...statuses])}`);
  });

  it('still grants a well-behaved machine afterwards', async () => {
    // A group of its own: the fuzz may well have used up the limits of the first.
    server.setCatalog(aCatalog({ track: 'after-fuzz' }));
    const view = readAsUpdateEngine(
      (await postOmaha(server.url, anOmahaRequest({ machineId: 'after-fuzz', track: 'after-fuzz' }), { agent })).body,
    );
    assert.equal(view.updateCheckStatus, 'ok');
  });
});
