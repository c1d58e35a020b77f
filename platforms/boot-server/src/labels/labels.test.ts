import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsFromQuery } from './labels.ts';
import fc from 'fast-check';
import { normalizeMac } from './mac.ts';
import { parseQuery, queryUnescape, rawPathOf, rawQueryOf } from './query.ts';

const labels = (query: string) => Object.fromEntries(labelsFromQuery(query).labels);

describe('normalizeMac (Go net.ParseMAC)', () => {
  it('accepts colon, hyphen and dot forms in any case and answers the lower-case colon form', () => {
    for (const form of ['52:DA:00:89:d8:10', '52-da-00-89-D8-10', '52da.0089.d810'])
      assert.equal(normalizeMac(form), '52:da:00:89:d8:10');
  });

  it('accepts EUI-64 and 20-byte InfiniBand addresses', () => {
    assert.equal(normalizeMac('02:00:5e:10:00:00:00:01'), '02:00:5e:10:00:00:00:01');
    const infiniband = '00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01';
    assert.equal(normalizeMac(infiniband.toUpperCase()), infiniband);
  });

  it('answers as a plain reading of net.ParseMAC does, for any string of MAC characters', () => {
    // The oracle: Go's rules written for clarity (hex pairs, one separator throughout, 6, 8 or 20 bytes).
    const reference = (text: string): string | undefined => {
      const separator = text[2];
      const pairs =
        separator === ':' || separator === '-'
          ? text.split(separator)
          : text[4] === '.'
            ? text.split('.').flatMap((group) => (group.length === 4 ? [group.slice(0, 2), group.slice(2)] : [group]))
            : [];
      if (![6, 8, 20].includes(pairs.length) || !pairs.every((pair) => /^[0-9a-fA-F]{2}$/.test(pair))) return undefined;
      return pairs.map((pair) => pair.toLowerCase()).join(':');
    };
    const macCharacters = fc.constantFrom(...'0123456789abcdefABCDEFgG:-. '.split(''));
    const wellFormed = fc
      .tuple(fc.constantFrom(6, 8, 20), fc.constantFrom(':', '-'), fc.boolean())
      .chain(([count, separator, upper]) =>
        fc
          .array(fc.integer({ min: 0, max: 255 }), { minLength: count, maxLength: count })
          .map((bytes) => bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(separator))
          .map((text) => (upper ? text.toUpperCase() : text)),
      );
    const mutated = fc
      .tuple(wellFormed, fc.nat(), macCharacters)
      .map(
        ([text, at, character]) =>
          `${text.slice(0, at % text.length)}${character}${text.slice((at % text.length) + 1)}`,
      );
    fc.assert(
      fc.property(fc.oneof(wellFormed, mutated, fc.string({ unit: macCharacters, maxLength: 60 })), (text) => {
        assert.equal(normalizeMac(text), reference(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses everything else', () => {
    for (const bad of [
      '',
      'x:x:x:x:x:x',
      '52da0089d810',
      '52:da:00:89:d8',
      '52:da-00:89:d8:10',
      '52:da:00:89:d8:1g',
      '52:da:00:89:d8:10:',
      '52::a:00:89:d8:10',
      '52:da:00:89:d8:10:11',
    ]) {
      assert.equal(normalizeMac(bad), undefined, bad);
    }
  });
});

describe('parseQuery (Go url.ParseQuery)', () => {
  it('keeps every value of a key in order, decodes %XX and "+"', () => {
    const values = parseQuery('a=1&b=x+y&a=2&c=%41%2f&d');
    assert.deepEqual(
      [...values],
      [
        ['a', ['1', '2']],
        ['b', ['x y']],
        ['c', ['A/']],
        ['d', ['']],
      ],
    );
  });

  it('drops pairs with a semicolon or a malformed escape, and empty pairs', () => {
    assert.deepEqual(
      [...parseQuery('a=1;b=2&c=%zz&d=%4&&e=ok&=empty-key')],
      [
        ['e', ['ok']],
        ['', ['empty-key']],
      ],
    );
  });

  it('turns bytes that are not UTF-8 into U+FFFD rather than failing', () => {
    assert.equal(queryUnescape('%ff%fe'), '\ufffd\ufffd');
    assert.equal(queryUnescape('%e2%82%ac'), '€');
  });

  it('splits a request target into path and raw query at the first "?"', () => {
    assert.equal(rawPathOf('/ipxe?mac=1?x'), '/ipxe');
    assert.equal(rawQueryOf('/ipxe?mac=1?x'), 'mac=1?x');
    assert.equal(rawQueryOf('/ipxe'), '');
  });
});

describe('labelsFromQuery (matchbox labelsFromRequest)', () => {
  const valid = '52:da:00:89:d8:10';
  it('answers as matchbox does for its own test cases', () => {
    assert.deepEqual(labels(''), {});
    assert.deepEqual(labels('uuid=a1b2c3'), { uuid: 'a1b2c3' });
    assert.deepEqual(labels('mac=52:da:00:89:d8:10'), { mac: valid });
    assert.deepEqual(labels('mac=52-da-00-89-d8-10'), { mac: valid });
    assert.deepEqual(labels('uuid=a1b2c3&mac=52:da:00:89:d8:10'), { uuid: 'a1b2c3', mac: valid });
    // The MAC is parsed whatever the key's case, and the key keeps its case.
    assert.deepEqual(labels('UUID=a1b2c3&MAC=52:DA:00:89:d8:10'), { UUID: 'a1b2c3', MAC: valid });
    assert.deepEqual(labels('mac=x:x:x:x:x:x'), {});
  });

  it('takes the first value of a repeated parameter', () => {
    assert.deepEqual(labels('os=installed&os=other'), { os: 'installed' });
    assert.deepEqual(labels('mac=bad&mac=52:da:00:89:d8:10'), {});
  });

  it('reports which MAC parameters it dropped', () => {
    assert.deepEqual(labelsFromQuery('Mac=nope&uuid=1').droppedMacKeys, ['Mac']);
  });

  it('keeps keys like __proto__ as plain labels', () => {
    const result = labelsFromQuery('__proto__=x&constructor=y').labels;
    assert.equal(result.get('__proto__'), 'x');
    assert.equal(result.get('constructor'), 'y');
  });
});
