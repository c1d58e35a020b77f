import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAC_PATTERN, parseMac } from './mac.ts';

describe('MAC addresses', () => {
  it('accepts the common notations and normalizes them', () => {
    for (const text of [
      '52:54:00:a1:9c:ae',
      '52:54:00:A1:9C:AE',
      '52-54-00-A1-9C-AE',
      '5254.00a1.9cae',
      '525400A19CAE',
    ]) {
      assert.deepEqual(parseMac(text), { ok: true, mac: '52:54:00:a1:9c:ae' }, text);
      assert.match(text, MAC_PATTERN);
    }
  });

  it('rejects mixed separators, wrong lengths and non-hex digits', () => {
    for (const text of ['52:54-00:a1:9c:ae', '52:54:00:a1:9c', '52:54:00:a1:9c:ae:01', '52:54:00:a1:9c:ag', '']) {
      assert.equal(parseMac(text).ok, false, text);
      assert.doesNotMatch(text, MAC_PATTERN);
    }
  });

  it('rejects addresses no network card has', () => {
    assert.deepEqual(parseMac('01:00:5e:00:00:fb'), {
      ok: false,
      problem: {
        message: '01:00:5e:00:00:fb is a multicast address (the lowest bit of the first byte is set)',
        hint: "copy the machine's NIC address from its BMC or `ip link`",
      },
    });
    assert.equal(parseMac('ff:ff:ff:ff:ff:ff').ok, false);
    assert.equal(parseMac('00:00:00:00:00:00').ok, false);
  });
});
