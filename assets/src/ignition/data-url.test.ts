import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bytesDataUrl, decodeDataUrl, textDataUrl, type DecodedDataUrl } from './data-url.ts';

function decoded(url: string): DecodedDataUrl {
  const result = decodeDataUrl(url);
  assert.ok(result.ok, `${url} should decode, got: ${result.ok ? '' : result.reason}`);
  return result.value;
}

function reason(url: string): string {
  const result = decodeDataUrl(url);
  assert.ok(!result.ok, `${url} should not decode`);
  return result.reason;
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('decodeDataUrl', () => {
  it('decodes percent-encoded data with the RFC 2397 default media type', () => {
    const value = decoded('data:,Hello%2C%20World!');
    assert.equal(text(value.data), 'Hello, World!');
    assert.equal(value.mediaType, 'text/plain;charset=US-ASCII');
    assert.equal(value.base64, false);
  });

  it('decodes base64 data with a media type and parameters', () => {
    const value = decoded('data:text/plain;charset=utf-8;base64,SGk=');
    assert.equal(text(value.data), 'Hi');
    assert.equal(value.mediaType, 'text/plain;charset=utf-8');
    assert.equal(value.base64, true);
  });

  it('accepts empty data in both encodings', () => {
    assert.equal(decoded('data:,').data.length, 0);
    assert.equal(decoded('data:;base64,').data.length, 0);
  });

  it('accepts a quoted parameter value holding a comma', () => {
    assert.equal(text(decoded('data:text/plain;name="a,b",hi').data), 'hi');
  });

  it('accepts lower- and upper-case hex in escapes', () => {
    assert.deepEqual([...decoded('data:,%0a%0A%ff').data], [10, 10, 255]);
  });

  it('rejects malformed base64', () => {
    assert.equal(
      reason('data:;base64,SGk'),
      'malformed base64 data: length 3 is not a multiple of 4 (padding missing?)',
    );
    assert.equal(reason('data:;base64,SG=k'), 'malformed base64 data: "=" padding inside the data');
    assert.equal(reason('data:;base64,S Gk='), 'malformed base64 data: invalid character " "');
    assert.equal(reason('data:;base64,SGk=\n'), 'malformed base64 data: invalid character "\\n"');
    assert.equal(reason('data:;base64,SGk-'), 'malformed base64 data: invalid character "-"');
    assert.equal(reason('data:;base64,S==='), 'malformed base64 data: too much padding');
  });

  it('rejects bad percent-escapes', () => {
    assert.equal(reason('data:,100%'), 'truncated percent-escape "%" at offset 9');
    assert.equal(reason('data:,a%2'), 'truncated percent-escape "%2" at offset 7');
    assert.equal(reason('data:,a%G0'), 'bad percent-escape "%G0" at offset 7');
    assert.equal(reason('data:text/plain;charset=a%zz,x'), 'bad percent-escape "%zz" at offset 25');
  });

  it('rejects characters that must be percent-encoded', () => {
    assert.equal(reason('data:,a b'), 'invalid character " " at offset 7 in data (it must be percent-encoded)');
    assert.equal(reason('data:,a#b'), 'invalid character "#" at offset 7 in data (it must be percent-encoded)');
    assert.equal(reason('data:,é'), 'invalid character "é" at offset 6 in data (it must be percent-encoded)');
    assert.equal(reason('data:,a\nb'), 'invalid character "\\n" at offset 7 in data (it must be percent-encoded)');
  });

  it('rejects a malformed header', () => {
    assert.equal(reason('http://example.com'), 'missing "data:" prefix');
    assert.equal(reason('DATA:,x'), 'the scheme must be written "data:", in lower case');
    assert.equal(reason('data:text/plain'), 'missing comma before data');
    assert.equal(reason('data:'), 'missing comma before data');
    assert.equal(reason('data:text,x'), 'invalid character "," at offset 9 in media type');
    assert.equal(reason('data:text/,x'), 'invalid character "," at offset 10 in media subtype');
    assert.equal(
      reason('data:;foo,x'),
      'parameter "foo" has no value (only "base64" may stand alone, as the last parameter)',
    );
    assert.equal(reason('data:;base64;charset=x,SGk='), 'invalid character ";" at offset 12 in parameter name');
    assert.equal(reason('data:;=x,y'), 'invalid character "=" at offset 6 in parameter name');
    assert.equal(reason('data:text/plain;name="a,b'), 'unclosed quoted parameter value starting at offset 21');
  });
});

describe('textDataUrl and bytesDataUrl', () => {
  it('percent-encodes every byte outside the RFC 2396 unreserved set, in upper case', () => {
    assert.equal(textDataUrl("a b\n/%é-_.!~*'()"), "data:,a%20b%0A%2F%25%C3%A9-_.!~*'()");
  });

  it('base64-encodes bytes, honouring a view into a larger buffer', () => {
    assert.equal(bytesDataUrl(new Uint8Array([0, 255])), 'data:;base64,AP8=');
    assert.equal(bytesDataUrl(new Uint8Array([1, 0, 255, 2]).subarray(1, 3)), 'data:;base64,AP8=');
  });

  it('round-trips text and every byte value through the decoder', () => {
    const sample = 'line one\nline two\t"quoted" ünïcödé 🚀 %41';
    assert.equal(text(decoded(textDataUrl(sample)).data), sample);
    const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(decoded(bytesDataUrl(allBytes)).data, allBytes);
    assert.deepEqual(decoded(textDataUrl('')).data, new Uint8Array());
  });
});
