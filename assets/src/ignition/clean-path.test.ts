import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath } from './clean-path.ts';

// The table of Go's own src/path/path_test.go (TestClean), input → Clean(input).
const GO_CLEAN_TESTS: ReadonlyArray<readonly [string, string]> = [
  // Already clean
  ['', '.'],
  ['abc', 'abc'],
  ['abc/def', 'abc/def'],
  ['a/b/c', 'a/b/c'],
  ['.', '.'],
  ['..', '..'],
  ['../..', '../..'],
  ['../../abc', '../../abc'],
  ['/abc', '/abc'],
  ['/', '/'],
  // Remove trailing slash
  ['abc/', 'abc'],
  ['abc/def/', 'abc/def'],
  ['a/b/c/', 'a/b/c'],
  ['./', '.'],
  ['../', '..'],
  ['../../', '../..'],
  ['/abc/', '/abc'],
  // Remove doubled slash
  ['abc//def//ghi', 'abc/def/ghi'],
  ['//abc', '/abc'],
  ['///abc', '/abc'],
  ['//abc//', '/abc'],
  ['abc//', 'abc'],
  // Remove . elements
  ['abc/./def', 'abc/def'],
  ['/./abc/def', '/abc/def'],
  ['abc/.', 'abc'],
  // Remove .. elements
  ['abc/def/ghi/../jkl', 'abc/def/jkl'],
  ['abc/def/../ghi/../jkl', 'abc/jkl'],
  ['abc/def/..', 'abc'],
  ['abc/def/../..', '.'],
  ['/abc/def/../..', '/'],
  ['abc/def/../../..', '..'],
  ['/abc/def/../../..', '/'],
  ['abc/def/../../../ghi/jkl/../../../mno', '../../mno'],
  // Combinations
  ['abc/./../def', 'def'],
  ['abc//./../def', 'def'],
  ['abc/../../././../def', '../../def'],
];

// The examples of Go's documentation for path.Clean (ExampleClean).
const GO_CLEAN_EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['a/c', 'a/c'],
  ['a//c', 'a/c'],
  ['a/c/.', 'a/c'],
  ['a/c/b/..', 'a/c'],
  ['/../a/c', '/a/c'],
  ['/../a/b/../././/c', '/a/c'],
  ['', '.'],
];

describe('cleanPath', () => {
  it("matches Go's path.Clean on Go's own test table, and is idempotent on every result", () => {
    for (const [input, expected] of GO_CLEAN_TESTS) {
      assert.equal(cleanPath(input), expected, `Clean(${JSON.stringify(input)})`);
      assert.equal(cleanPath(expected), expected, `Clean(${JSON.stringify(expected)})`);
    }
  });

  it("matches Go's documented examples", () => {
    for (const [input, expected] of GO_CLEAN_EXAMPLES) {
      assert.equal(cleanPath(input), expected, `Clean(${JSON.stringify(input)})`);
    }
  });

  it('treats names that merely start with dots as ordinary elements', () => {
    assert.equal(cleanPath('/etc/.hidden'), '/etc/.hidden');
    assert.equal(cleanPath('/etc/...'), '/etc/...');
    assert.equal(cleanPath('/etc/..x/y'), '/etc/..x/y');
    assert.equal(cleanPath('/a/b../..'), '/a');
  });

  it('leaves non-ASCII elements intact', () => {
    assert.equal(cleanPath('/srv/données//été/'), '/srv/données/été');
  });
});
