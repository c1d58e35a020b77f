import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterConfigYaml, TEST_SSH_KEYS, validConfig } from './fixtures.ts';
import { parseClusterConfigBytes } from './parse.ts';
import { firstInvalidUtf8Byte } from './utf8.ts';

const encoder = new TextEncoder();

/** The config's YAML as UTF-8 bytes with `bad` spliced in right after the first `marker`. */
function withBytes(text: string, marker: string, bad: readonly number[]): Uint8Array {
  const bytes = encoder.encode(text);
  const at = Buffer.from(bytes).indexOf(marker) + Buffer.byteLength(marker);
  return new Uint8Array([...bytes.subarray(0, at), ...bad, ...bytes.subarray(at)]);
}

function parse(bytes: Uint8Array) {
  return parseClusterConfigBytes(bytes, { hostNetworks: [] });
}

function onlyIssue(bytes: Uint8Array) {
  const result = parse(bytes);
  assert.equal(result.ok, false, 'expected the bytes to be refused');
  assert.equal(result.ok ? 0 : result.issues.length, 1);
  return result.ok ? undefined : result.issues[0];
}

const keyLine = (comment: string) => `${TEST_SSH_KEYS.ed25519.split(' ').slice(0, 2).join(' ')} ${comment}`;

describe('config bytes', () => {
  it('refuses a Latin-1 byte, at its line and column', () => {
    // "José" as a Latin-1 editor saves it: é is the single byte 0xE9.
    const text = clusterConfigYaml(validConfig('aws'), { sshAuthorizedKeys: [keyLine('Jos@laptop')] });
    const issue = onlyIssue(withBytes(text, 'Jos', [0xe9]));
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('Jos@laptop'));
    assert.deepEqual(issue, {
      path: '',
      message: 'is not valid UTF-8: byte 0xE9 does not start a well-formed character',
      hint: 'save the file as UTF-8; such a byte usually comes from an editor that wrote Latin-1 or Windows-1252 (é is 0xE9 there)',
      line: line + 1,
      column: (lines[line] ?? '').indexOf('Jos') + 4,
    });
  });

  it('counts characters, not bytes, in the column of a line with other non-ASCII text', () => {
    const text = clusterConfigYaml(validConfig('aws'), { sshAuthorizedKeys: [keyLine('Zoë-Jos@laptop')] });
    const issue = onlyIssue(withBytes(text, 'Zoë-Jos', [0xe9]));
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('Zoë-Jos@laptop'));
    assert.equal(issue?.line, line + 1);
    assert.equal(issue?.column, (lines[line] ?? '').indexOf('Zoë-Jos') + 8);
  });

  it('refuses a multi-byte character cut short at the end of the file', () => {
    const text = `${clusterConfigYaml(validConfig())}# café`;
    const bytes = encoder.encode(text);
    const cut = bytes.subarray(0, bytes.length - 1); // "é" is C3 A9; keep only C3
    const issue = onlyIssue(cut);
    const lines = text.split('\n');
    assert.equal(issue?.line, lines.length);
    assert.equal(issue?.column, '# caf'.length + 1);
    assert.match(issue?.message ?? '', /byte 0xC3/);
  });

  it('refuses an overlong encoding', () => {
    // "/" written in two bytes (C0 AF): the classic path-traversal disguise; UTF-8 forbids it.
    const issue = onlyIssue(withBytes(`name: demo\n# a\n`, '# a', [0xc0, 0xaf]));
    assert.deepEqual([issue?.line, issue?.column], [2, 4]);
    assert.match(issue?.message ?? '', /byte 0xC0/);
    // A three-byte overlong form is refused at its first byte too.
    assert.equal(firstInvalidUtf8Byte(new Uint8Array([0x61, 0xe0, 0x80, 0xaf])), 1);
    // And so are UTF-16 surrogates and code points above U+10FFFF.
    assert.equal(firstInvalidUtf8Byte(new Uint8Array([0xed, 0xa0, 0x80])), 0);
    assert.equal(firstInvalidUtf8Byte(new Uint8Array([0xf4, 0x90, 0x80, 0x80])), 0);
    assert.equal(firstInvalidUtf8Byte(encoder.encode('ok: é € 𝄞')), undefined);
  });

  it('accepts a byte-order mark, and positions after it are unchanged', () => {
    const text = clusterConfigYaml(validConfig());
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode(text)]);
    const result = parse(withBom);
    assert.ok(result.ok, result.ok ? '' : result.message);
    // A mistake on line 1 is reported at the same column with or without the mark.
    const broken = `name: Demo\n${text.replace(/^name: .*\n/m, '')}`;
    const plain = parse(encoder.encode(broken));
    const marked = parse(new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode(broken)]));
    assert.ok(!plain.ok && !marked.ok);
    assert.deepEqual(
      marked.issues.map((issue) => [issue.path, issue.line, issue.column]),
      [['name', 1, 7]],
    );
    assert.deepEqual(marked.issues, plain.issues);
    // A bad byte on the first line is counted without the mark.
    const bad = onlyIssue(new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('# ab'), 0xff]));
    assert.deepEqual([bad?.line, bad?.column], [1, 5]);
  });

  it('accepts CRLF line ends, and positions stay right', () => {
    const text = clusterConfigYaml(validConfig()).replaceAll('\n', '\r\n');
    const result = parse(encoder.encode(text));
    assert.ok(result.ok, result.ok ? '' : result.message);
    const broken = text.replace('baseDomain: example.com', 'baseDomain: Example.com');
    const refused = parse(encoder.encode(broken));
    assert.ok(!refused.ok);
    const line = broken.split('\r\n').findIndex((l) => l.startsWith('baseDomain:')) + 1;
    assert.deepEqual(
      refused.issues.map((issue) => [issue.path, issue.line, issue.column]),
      [['baseDomain', line, 13]],
    );
    const bad = onlyIssue(withBytes(text, 'baseDomain: ex', [0xe9]));
    assert.deepEqual([bad?.line, bad?.column], [line, 'baseDomain: ex'.length + 1]);
  });
});
