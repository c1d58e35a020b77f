import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issueLines } from './etcd-forms.ts';
import { machineIdSchema, promoteFormSchema, updateObjectNameSchema } from './update-server-forms.ts';

const problems = (input: unknown): string[] => {
  const parsed = promoteFormSchema.safeParse(input);
  assert.equal(parsed.success, false, JSON.stringify(input));
  return parsed.success ? [] : issueLines(parsed.error);
};

describe('promoteFormSchema', () => {
  it('makes the update server body of a version or a release name, trimmed', () => {
    assert.deepEqual(promoteFormSchema.parse({ by: 'version', value: ' 4230.2.4 ' }), { version: '4230.2.4' });
    assert.deepEqual(promoteFormSchema.parse({ by: 'release', value: 'flatcar-4230.2.4' }), {
      release: 'flatcar-4230.2.4',
    });
  });

  it('refuses an empty value, a version that is not one, a bad release name and an unknown choice', () => {
    assert.deepEqual(problems({ by: 'version', value: '  ' }), ['value: must not be empty']);
    assert.deepEqual(problems({ by: 'version', value: 'latest' }), ['version: must be a Container Linux version']);
    assert.deepEqual(problems({ by: 'release', value: 'Not_A_Name' }), ['release: must be a Kubernetes object name']);
    assert.equal(problems({ by: 'channel', value: 'x' }).length, 1);
    assert.equal(problems({ by: 'version', value: '4230.2.4', extra: 1 }).length, 1);
  });
});

describe('the names the routes forward', () => {
  it('takes object names and machine IDs, and nothing that could change the path', () => {
    assert.equal(updateObjectNameSchema.safeParse('stable').success, true);
    assert.equal(updateObjectNameSchema.safeParse('../groups').success, false);
    assert.equal(updateObjectNameSchema.safeParse('a/b').success, false);
    assert.equal(machineIdSchema.safeParse('{8f2e6a3c-1d4b-4e5f-9a7b-0c1d2e3f4a5b}').success, true);
    assert.equal(machineIdSchema.safeParse('a/b').success, false);
    assert.equal(machineIdSchema.safeParse('a?b').success, false);
    assert.equal(machineIdSchema.safeParse('').success, false);
    assert.equal(machineIdSchema.safeParse('..').success, false);
  });
});
