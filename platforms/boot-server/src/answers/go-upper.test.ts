import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goToUpper } from './go-upper.ts';

describe("goToUpper (Go's strings.ToUpper)", () => {
  it('upper-cases ASCII as everyone does', () => {
    assert.equal(goToUpper('node_name-1.x'), 'NODE_NAME-1.X');
  });

  it('keeps a character whose only upper case is several characters', () => {
    // JavaScript's full mapping would give "STRASSE", "ʼN" and "FI".
    assert.equal(goToUpper('straße'), 'STRAßE');
    assert.equal(goToUpper('ŉ'), 'ŉ');
    assert.equal(goToUpper('ﬁle'), 'ﬁLE');
  });

  it('uses the simple mapping where the full one is longer (Greek ypogegrammeni)', () => {
    assert.equal('ᾀ'.toUpperCase(), 'ἈΙ', 'the full mapping, for contrast');
    assert.equal(goToUpper('ᾀ'), 'ᾈ');
    assert.equal(goToUpper('ᾳ'), 'ᾼ');
    assert.equal(goToUpper('ῳ'), 'ῼ');
  });

  it('maps other scripts and astral characters code point by code point', () => {
    assert.equal(goToUpper('çé_ǆ'), 'ÇÉ_Ǆ');
    assert.equal(goToUpper('𐐨x'), '𐐀X');
    assert.equal(goToUpper('ı'), 'I');
    assert.equal(goToUpper('日本'), '日本');
  });
});
