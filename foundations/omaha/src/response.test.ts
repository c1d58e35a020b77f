import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOmahaResponse, type ClientResponse } from './client-response.ts';
import { FLATCAR_APP_ID } from './protocol.ts';
import { buildOmahaResponse, elapsedSecondsToday } from './response.ts';
import { anOffer, aPayload, goldenVector as fixture } from './testing/index.ts';

/** The offer a parsed response holds, if it grants one. */
const offerAttributes = (response: ClientResponse) =>
  response.updateCheck?.status === 'ok' ? response.updateCheck.offer : undefined;
const at = new Date('2026-12-04T10:20:30Z');

describe('buildOmahaResponse: golden responses', () => {
  it('writes a grant byte for byte as the hand-written vector', () => {
    const xml = buildOmahaResponse(at, [
      {
        kind: 'answered',
        appId: FLATCAR_APP_ID,
        status: 'ok',
        ping: true,
        updateCheck: { status: 'ok', offer: anOffer() },
        events: 1,
      },
    ]);
    assert.equal(xml, fixture('grant.response.xml'));
  });

  it('writes a hold as noupdate, the reason in the app status', () => {
    const xml = buildOmahaResponse(at, [
      {
        kind: 'answered',
        appId: FLATCAR_APP_ID,
        status: 'period-limit',
        ping: true,
        updateCheck: { status: 'noupdate' },
        events: 1,
      },
    ]);
    assert.equal(xml, fixture('hold.response.xml'));
  });
});

describe('a grant carries everything update_engine requires', () => {
  const view = parseOmahaResponse(fixture('grant.response.xml'), FLATCAR_APP_ID);
  const offer = offerAttributes(view);
  const payload = aPayload();

  it('has ok as the first updatecheck status', () => assert.equal(view.updateCheck?.status, 'ok'));

  it('has a codebase ending in / that, joined with the package name, is the payload URL', () => {
    assert.ok(offer?.codebase.endsWith('/'));
    assert.equal(
      `${offer?.codebase}${offer?.packageName}`,
      'https://updates.example.test/flatcar/3374.2.1/flatcar_production_update.gz',
    );
  });

  it('has a decimal size above 0, in the vector as written', () => {
    assert.match(fixture('grant.response.xml'), / size="[1-9]\d*"/);
    assert.equal(offer?.size, payload.bytes.length);
  });

  it('has the postinstall sha256 in standard base64 (32 bytes, + and / alphabet, padded)', () => {
    const sha256 = offer?.sha256Base64 ?? '';
    assert.match(sha256, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(sha256, 'base64').toString('hex'), payload.sha256);
    assert.equal(Buffer.from(offer?.sha1Base64 ?? '', 'base64').toString('hex'), payload.sha1);
  });

  it('asks update_engine not to back off from the payload, and names the manifest version', () => {
    assert.equal(view.updateCheck?.status === 'ok' && view.updateCheck.disablePayloadBackoff, true);
    assert.equal(offer?.version, '3374.2.1');
  });

  it('acknowledges each event and gives the day start', () => {
    assert.equal(view.eventAcks, 1);
    assert.equal(view.elapsedSeconds, 10 * 3600 + 20 * 60 + 30);
  });
});

describe('buildOmahaResponse: other answers', () => {
  it('answers an unknown application with its error status and no updatecheck', () => {
    const view = parseOmahaResponse(
      buildOmahaResponse(at, [{ kind: 'unknown-application', appId: '{other}' }]),
      '{other}',
    );
    assert.equal(view.appStatus, 'error-unknownApplication');
    assert.equal(view.updateCheck, undefined);
  });

  it('escapes attribute values', () => {
    const xml = buildOmahaResponse(at, [
      { kind: 'answered', appId: '"<&>', status: 'ok', ping: false, updateCheck: undefined, events: 0 },
    ]);
    assert.match(xml, /appid="&quot;&lt;&amp;&gt;"/);
  });

  it('counts the day start from midnight UTC', () => {
    assert.equal(elapsedSecondsToday(new Date('2026-12-04T00:00:00Z')), 0);
    assert.equal(elapsedSecondsToday(new Date('2026-12-04T23:59:59Z')), 86399);
  });
});
