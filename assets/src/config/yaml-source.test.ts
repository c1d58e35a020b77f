// One test per kind of YAML syntax error: each must point the user at the line
// (and column) where the mistake is written, not where the parser gave up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigIssue } from './issue.ts';
import { readYaml } from './yaml-source.ts';

const HEAD = [
  'apiVersion: strata.dev/v1alpha1',
  'kind: Cluster',
  'name: demo',
  'baseDomain: example.com',
  'platform: local',
];

/** A config of `HEAD` and then `lines`, so that line 6 is the first of `lines`. */
const config = (...lines: string[]) => [...HEAD, ...lines, ''].join('\n');

function issuesOf(text: string): ConfigIssue[] {
  const result = readYaml(text);
  assert.equal(result.ok, false, `expected a syntax error in:\n${text}`);
  return result.ok ? [] : result.issues;
}

/** [line, column] of every issue, in the order reported. */
const positions = (text: string) => issuesOf(text).map((issue) => [issue.line, issue.column]);

describe('YAML syntax errors', () => {
  it('an unclosed double quote: at the opening quote, naming where the file ended', () => {
    const text = config('apiDnsName: "api.example.com', 'os:', '  name: flatcar', 'sshAuthorizedKeys: []');
    const [issue] = issuesOf(text);
    assert.deepEqual([issue?.line, issue?.column], [6, 13]);
    assert.equal(
      issue?.message,
      'invalid YAML: this " is never closed; the parser noticed at line 10, column 1: Missing closing "quote',
    );
    assert.equal(issuesOf(text).length, 1);
  });

  it('an unclosed single quote: at the opening quote', () => {
    const text = config("apiDnsName: 'api.example.com", 'os:', '  name: flatcar');
    assert.deepEqual(positions(text), [[6, 13]]);
    assert.match(issuesOf(text)[0]?.message ?? '', /this ' is never closed; the parser noticed at line 9, column 1/);
  });

  it('an unclosed flow mapping: at the "{", not on the next line', () => {
    const text = config('os: { name: flatcar, channel: stable', 'kubernetesVersion: v1.36.3');
    assert.deepEqual(positions(text), [[6, 5]]);
    assert.match(issuesOf(text)[0]?.message ?? '', /this \{ is never closed; the parser noticed at line 7, column 1/);
  });

  it('an unclosed flow sequence: at the "["', () => {
    const text = config('sshAuthorizedKeys: [ a, b', 'kubernetesVersion: v1.36.3');
    assert.deepEqual(positions(text), [[6, 20]]);
  });

  it('an unclosed flow mapping inside a list item: at the innermost "{"', () => {
    const text = config('workerPools:', '  - name: a', '    labels: {a: b', '  - name: b');
    assert.deepEqual(positions(text), [[8, 13]]);
  });

  it('a key indented deeper than its siblings: on that key, naming the value it seems to continue', () => {
    const text = config('os:', '  name: flatcar', '   channel: stable');
    assert.deepEqual(positions(text), [[8, 4]]);
    assert.match(issuesOf(text)[0]?.message ?? '', /continues the value at line 7, column 9/);
  });

  it('a key indented less than its siblings: on that key', () => {
    const text = config('os:', '    name: flatcar', '  channel: stable');
    assert.deepEqual(positions(text), [[8, 1]]);
    assert.equal(issuesOf(text)[0]?.message, 'invalid YAML: All mapping items must start at the same column');
  });

  it('a tab used for indentation: at the tab, with no echo elsewhere', () => {
    const text = config('os:', '\tname: flatcar');
    assert.deepEqual(positions(text), [[7, 1]]);
    assert.equal(issuesOf(text)[0]?.hint, 'indent with spaces; YAML does not allow tabs there');
  });

  it('a duplicate key: at the second one, naming it', () => {
    const text = config('os:', '  name: flatcar', '  name: fedora-coreos');
    assert.deepEqual(positions(text), [[8, 3]]);
    assert.equal(issuesOf(text)[0]?.message, 'invalid YAML: the key "name" appears more than once in this mapping');
  });

  it('an alias to an undefined anchor: at the alias', () => {
    const text = config('os: *base');
    assert.deepEqual(issuesOf(text), [
      {
        path: '',
        message: 'invalid YAML: the alias *base names no anchor &base above it',
        hint: 'define &base on a value before this line, or write the value out',
        line: 6,
        column: 5,
      },
    ]);
  });

  it('a stray "]": at the bracket, without one error per token after it', () => {
    const text = config('sshAuthorizedKeys: []]', 'os:', '  name: flatcar');
    assert.deepEqual(positions(text), [[6, 22]]);
  });

  it('a stray "}": at the brace', () => {
    assert.deepEqual(positions(config('os: }')), [[6, 5]]);
  });

  it('a mapping written after a value on one line: at the nested key', () => {
    assert.deepEqual(positions(config('os: name: flatcar')), [[6, 5]]);
  });

  it('a list item among mapping keys: at the item', () => {
    const text = config('os:', '  name: flatcar', '  - x');
    assert.deepEqual(positions(text)[0], [8, 1]);
  });

  it('a tag: at the tag', () => {
    const text = config('os: !custom flatcar');
    assert.deepEqual(positions(text), [[6, 5]]);
    assert.equal(issuesOf(text)[0]?.hint, 'remove the "!" tag; a cluster config uses plain values');
  });

  it('an unknown directive: at the directive', () => {
    assert.deepEqual(positions(`%FOO\n---\n${config()}`), [[1, 1]]);
  });

  it('a second document: at its separator', () => {
    assert.deepEqual(positions(`${config()}---\nname: other\n`), [[6, 1]]);
  });
});
