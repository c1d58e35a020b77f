import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOmahaResponse } from './client-response.ts';
import { OmahaResponseError } from './errors.ts';
import { ERROR_CODE, FLATCAR_APP_ID } from './protocol.ts';
import { buildOmahaResponse, type Offer } from './response.ts';
import { anOffer, goldenVector } from './testing/index.ts';

const at = new Date('2026-12-04T10:20:30Z');

const grant = (offer: Offer) =>
  buildOmahaResponse(at, [
    {
      kind: 'answered',
      appId: FLATCAR_APP_ID,
      status: 'ok',
      ping: true,
      updateCheck: { status: 'ok', offer },
      events: 0,
    },
  ]);

const refusedWith = (code: number, field?: string) => (error: unknown) =>
  error instanceof OmahaResponseError &&
  error.errorCode === code &&
  (field === undefined || error.context['field'] === field);

describe('parseOmahaResponse: the golden responses', () => {
  it('reads the grant as the offer the server built it from', () => {
    const response = parseOmahaResponse(goldenVector('grant.response.xml'), FLATCAR_APP_ID);
    assert.deepEqual(response.updateCheck, { status: 'ok', offer: anOffer(), disablePayloadBackoff: true });
    assert.equal(response.appStatus, 'ok');
  });

  it('reads a hold as noupdate, with the reason in the app status', () => {
    const response = parseOmahaResponse(goldenVector('hold.response.xml'), FLATCAR_APP_ID);
    assert.deepEqual(response.updateCheck, { status: 'noupdate' });
    assert.equal(response.appStatus, 'period-limit');
  });
});

describe('buildOmahaResponse → parseOmahaResponse', () => {
  it('round-trips an offer', () => {
    const offer = anOffer({ version: '4230.2.4', codebase: 'https://127.0.0.1:8443/payloads/4230.2.4/', size: 1 });
    const response = parseOmahaResponse(grant(offer), FLATCAR_APP_ID);
    assert.deepEqual(response.updateCheck, { status: 'ok', offer, disablePayloadBackoff: true });
  });

  it('finds its own app among several, whatever the case of the app ID', () => {
    const xml = buildOmahaResponse(at, [
      { kind: 'unknown-application', appId: '{other}' },
      {
        kind: 'answered',
        appId: FLATCAR_APP_ID.toUpperCase(),
        status: 'ok',
        ping: false,
        updateCheck: { status: 'noupdate' },
        events: 2,
      },
    ]);
    const response = parseOmahaResponse(xml, FLATCAR_APP_ID);
    assert.deepEqual(response.updateCheck, { status: 'noupdate' });
    assert.equal(response.eventAcks, 2);
  });
});

describe('parseOmahaResponse: what update_engine refuses, with its error code', () => {
  it('refuses a codebase that does not end in /', () =>
    assert.throws(
      () => parseOmahaResponse(grant(anOffer({ codebase: 'https://updates.example.test/x' })), FLATCAR_APP_ID),
      refusedWith(ERROR_CODE.omahaResponseInvalid, 'urls.url.codebase'),
    ));

  it('refuses an empty package name, and one with a path', () => {
    for (const packageName of ['', 'a/b.gz'])
      assert.throws(
        () => parseOmahaResponse(grant(anOffer({ packageName })), FLATCAR_APP_ID),
        refusedWith(ERROR_CODE.omahaResponseInvalid, 'package.name'),
      );
  });

  it('refuses a size that is 0, negative, or not plain decimal', () => {
    for (const size of ['0', '-1', '1e3', '0x10', '12.5', ''])
      assert.throws(
        () => parseOmahaResponse(grant(anOffer()).replace(/ size="\d+"/, ` size="${size}"`), FLATCAR_APP_ID),
        refusedWith(ERROR_CODE.omahaResponseInvalid, 'package.size'),
        size,
      );
  });

  it('refuses a sha256 in hex, in URL-safe base64, unpadded, or of the wrong length', () => {
    const digest = Buffer.from(anOffer().sha256Base64, 'base64');
    for (const sha256Base64 of [
      digest.toString('hex'),
      digest.toString('base64url'),
      digest.toString('base64').replace(/=$/, ''),
      digest.subarray(0, 20).toString('base64'),
    ])
      assert.throws(
        () => parseOmahaResponse(grant(anOffer({ sha256Base64 })), FLATCAR_APP_ID),
        refusedWith(ERROR_CODE.omahaResponseInvalid, 'action.sha256'),
        sha256Base64,
      );
  });

  it('refuses an updatecheck status other than ok or noupdate (error 34, the cause of Nebraska #853)', () =>
    assert.throws(
      () =>
        parseOmahaResponse(
          goldenVector('hold.response.xml').replace('status="noupdate"', 'status="error-internal"'),
          FLATCAR_APP_ID,
        ),
      refusedWith(ERROR_CODE.omahaResponseInvalid),
    ));

  it('refuses a response without our app', () =>
    assert.throws(
      () => parseOmahaResponse(goldenVector('grant.response.xml'), '{other}'),
      refusedWith(ERROR_CODE.omahaResponseInvalid),
    ));

  it('refuses what is not XML, or holds a DTD, with the parse error code', () => {
    for (const body of ['', 'HTTP 200 OK', '<response protocol="3.0"><app>', '<!DOCTYPE r []><response/>'])
      assert.throws(() => parseOmahaResponse(body, FLATCAR_APP_ID), refusedWith(ERROR_CODE.omahaRequestXmlParse), body);
  });

  it('refuses another protocol version', () =>
    assert.throws(
      () =>
        parseOmahaResponse(
          goldenVector('hold.response.xml').replace('protocol="3.0"', 'protocol="2.0"'),
          FLATCAR_APP_ID,
        ),
      refusedWith(ERROR_CODE.omahaResponseInvalid),
    ));
});
