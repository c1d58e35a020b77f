import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OmahaRequestError } from './errors.ts';
import { anOmahaRequest } from './testing/index.ts';
import { FLATCAR_APP_ID } from './protocol.ts';
import { DEFAULT_MAX_REQUEST_BYTES, parseOmahaRequest, repairUnescapedQuotes } from './request.ts';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

const refusal = (problem: OmahaRequestError['problem']) => (error: unknown) =>
  error instanceof OmahaRequestError && error.problem === problem;

describe('parseOmahaRequest: golden requests as update_engine sends them', () => {
  it('reads an update check with ping and the 3/2 event every check carries', () => {
    const request = parseOmahaRequest(fixture('update-check.request.xml'));
    assert.deepEqual(request, {
      os: { platform: 'CoreOS', version: 'Chateau', sp: '3374.2.0_x86_64' },
      repaired: false,
      apps: [
        {
          appId: FLATCAR_APP_ID,
          version: '3374.2.0',
          track: 'stable',
          machineId: '8c2a9b6a3f0e4d1c9b7a5e3d1c0f2a4b',
          machineAlias: 'worker-1',
          bootId: '{5d4b6c3e-8f7a-4b21-9c0d-1e2f3a4b5c6d}',
          oem: 'qemu',
          board: 'amd64-usr',
          ping: true,
          updateCheck: true,
          events: [{ type: 3, result: 2, errorCode: undefined, previousVersion: '' }],
        },
      ],
    });
  });

  it('reads an event-only request (download started) as no update check and no ping', () => {
    const [app] = parseOmahaRequest(fixture('download-started.request.xml')).apps;
    assert.equal(app?.updateCheck, false);
    assert.equal(app?.ping, false);
    assert.deepEqual(app?.events, [{ type: 13, result: 1, errorCode: undefined, previousVersion: '' }]);
  });

  it('reads the completion after the reboot with its previous version', () => {
    const [app] = parseOmahaRequest(fixture('updated.request.xml')).apps;
    assert.equal(app?.version, '3374.2.1');
    assert.deepEqual(app?.events, [{ type: 3, result: 2, errorCode: undefined, previousVersion: '3374.2.0' }]);
  });

  it('reads an error code printed as a negative signed integer (flag bit 31 set)', () => {
    const [app] = parseOmahaRequest(fixture('rollback.request.xml')).apps;
    assert.deepEqual(app?.events, [{ type: 3, result: 0, errorCode: -2147483604, previousVersion: '' }]);
  });

  it('repairs unescaped quotes in track and machinealias, and says so', () => {
    const request = parseOmahaRequest(fixture('unescaped-quotes.request.xml'));
    assert.equal(request.repaired, true);
    assert.equal(request.apps[0]?.track, 'team "blue"');
    assert.equal(request.apps[0]?.machineAlias, `Bob's "db" box`);
    assert.equal(request.apps[0]?.machineId, '8c2a9b6a3f0e4d1c9b7a5e3d1c0f2a4b');
  });

  it('leaves well-formed attributes alone when repairing', () => {
    const xml = anOmahaRequest({ track: 'a &amp; b', machineAlias: 'plain' });
    assert.equal(repairUnescapedQuotes(xml), xml);
    assert.equal(parseOmahaRequest(xml).apps[0]?.track, 'a & b');
  });
});

describe('parseOmahaRequest: hostile and malformed input', () => {
  it('refuses a billion-laughs body cheaply, before any entity is expanded', () => {
    const lol = Array.from({ length: 10 }, (_, index) =>
      index === 0 ? '<!ENTITY lol0 "lol">' : `<!ENTITY lol${index} "${`&lol${index - 1};`.repeat(10)}">`,
    ).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE request [${lol}]><request protocol="3.0"><app appid="&lol9;"/></request>`;
    const started = performance.now();
    assert.throws(() => parseOmahaRequest(bomb), refusal('dtd'));
    assert.ok(performance.now() - started < 50, 'refused without expanding');
  });

  it('refuses an external entity (XXE)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><request protocol="3.0"><app appid="&x;"/></request>`;
    assert.throws(() => parseOmahaRequest(xxe), refusal('dtd'));
  });

  it('refuses a body over the limit without parsing it', () => {
    const big = anOmahaRequest({ machineAlias: 'x'.repeat(DEFAULT_MAX_REQUEST_BYTES) });
    assert.throws(() => parseOmahaRequest(big), refusal('too-large'));
  });

  it('refuses XML that is not well-formed, naming the place', () => {
    assert.throws(
      () => parseOmahaRequest('<request protocol="3.0"><app appid="x"></request>'),
      (error: unknown) => refusal('malformed')(error) && /line 1/.test((error as Error).message),
    );
  });

  it('refuses an unrepairable quote outside track and machinealias', () => {
    const xml = anOmahaRequest().replace('oem="qemu"', 'oem="qe"mu"');
    assert.throws(() => parseOmahaRequest(xml), refusal('malformed'));
  });

  it('refuses another protocol version, naming the field', () => {
    const xml = anOmahaRequest().replace('protocol="3.0"', 'protocol="2.0"');
    assert.throws(
      () => parseOmahaRequest(xml),
      (error: unknown) =>
        refusal('shape')(error) && (error as OmahaRequestError).context['field'] === 'request.protocol',
    );
  });

  it('refuses a request without an app, and one with an absurd number', () => {
    assert.throws(() => parseOmahaRequest('<request protocol="3.0"></request>'), refusal('shape'));
    const xml = anOmahaRequest({ events: [{ type: 3, result: 2 }] }).replace('eventtype="3"', 'eventtype="1e400"');
    assert.throws(() => parseOmahaRequest(xml), refusal('shape'));
  });

  it('refuses elements nested far deeper than update_engine nests them', () => {
    const deep = (depth: number) =>
      `<request protocol="3.0">${'<app>'.repeat(depth)}${'</app>'.repeat(depth)}</request>`;
    assert.throws(() => parseOmahaRequest(deep(20)), refusal('malformed'));
    assert.throws(() => parseOmahaRequest(deep(3)), refusal('shape'));
  });

  it('refuses an attribute longer than any update_engine sends', () => {
    assert.throws(() => parseOmahaRequest(anOmahaRequest({ machineId: 'f'.repeat(300) })), refusal('shape'));
  });
});
