// The flags' checks and the exit codes, without a cluster: each refusal names the flag and the value given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubernetesApiError } from '@strata/kube';
import { UnknownReleaseError, UpdateResourceNotFoundError } from '@strata/update-server';
import { exitCodeOf, UPDATE_EXIT } from './update-commands.ts';
import {
  parseUpdateOptions,
  pauseOptionsSchema,
  promoteOptionsSchema,
  statusOptionsSchema,
  UpdateUsageError,
} from './update-options.ts';
import { UpdateServerAnswerError } from './update-target.ts';

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UpdateUsageError, String(error));
    return error.message;
  }
  assert.fail('no refusal');
};

describe('strata update flags', () => {
  it('accepts a version or a release name for promote, and defaults --json and --limit', () => {
    assert.deepEqual(parseUpdateOptions(promoteOptionsSchema, { version: '4230.2.4', channel: 'stable' }), {
      version: '4230.2.4',
      channel: 'stable',
      json: false,
    });
    assert.equal(parseUpdateOptions(statusOptionsSchema, {}).limit, 50);
    assert.equal(parseUpdateOptions(statusOptionsSchema, { limit: '7' }).limit, 7);
  });

  it('names the flag and the value it refuses', () => {
    assert.equal(
      refusal(() => parseUpdateOptions(promoteOptionsSchema, { version: '4230..4', channel: 'stable' })),
      '<version>: must be a Container Linux version such as 4230.2.4 (got "4230..4")',
    );
    assert.match(
      refusal(() => parseUpdateOptions(promoteOptionsSchema, { version: '1.2.3', channel: 'Stable!' })),
      /^--channel: must be a Kubernetes object name .* \(got "Stable!"\)$/,
    );
    assert.match(
      refusal(() => parseUpdateOptions(promoteOptionsSchema, { channel: 'stable' })),
      /^--release: give either a <version> or --release <name>, not both and not neither$/,
    );
    assert.equal(
      refusal(() => parseUpdateOptions(statusOptionsSchema, { limit: '501' })),
      '--limit: must be at most 500 (got "501")',
    );
    assert.match(
      refusal(() => parseUpdateOptions(statusOptionsSchema, { server: 'ftp://example.test' })),
      /^--server: must be an http\(s\) URL/,
    );
    assert.match(
      refusal(() => parseUpdateOptions(pauseOptionsSchema, { group: '' })),
      /^<group>: /,
    );
  });
});

describe('strata update exit codes', () => {
  it('tells usage, refusal, absence and failure apart', () => {
    assert.equal(exitCodeOf(new UpdateUsageError('--limit: bad', {})), UPDATE_EXIT.usage);
    assert.equal(exitCodeOf(new UpdateResourceNotFoundError('UpdateGroup g does not exist', {})), UPDATE_EXIT.notFound);
    assert.equal(exitCodeOf(new UnknownReleaseError('version: none', {})), UPDATE_EXIT.notFound);
    const api = (status: number | undefined) =>
      new KubernetesApiError('x', { verb: 'patch', resource: 'updatechannels.update.strata.dev', status });
    assert.equal(exitCodeOf(api(403)), UPDATE_EXIT.refused);
    assert.equal(exitCodeOf(api(401)), UPDATE_EXIT.refused);
    assert.equal(exitCodeOf(api(undefined)), UPDATE_EXIT.failed);
    assert.equal(exitCodeOf(new UpdateServerAnswerError('403', 403)), UPDATE_EXIT.refused);
    assert.equal(exitCodeOf(new UpdateServerAnswerError('503', 503)), UPDATE_EXIT.failed);
    assert.equal(exitCodeOf(new Error('a bug')), UPDATE_EXIT.failed);
  });
});
