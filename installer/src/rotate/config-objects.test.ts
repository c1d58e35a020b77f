// Which previewed changes a rotation step refuses: anything but the
// controllers' config objects being updated or replaced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTROLLER_CONFIG_TYPE as AWS_OBJECT } from '@strata/platform-aws';
import type { ResourceChange } from '../install/events.ts';
import { foreignChanges } from './config-objects.ts';

/** A previewed change of one resource, as changeOf reports it. */
function aChange(overrides: Partial<ResourceChange> & Pick<ResourceChange, 'type' | 'name'>): ResourceChange {
  return {
    urn: `urn:pulumi:demo::strata::${overrides.type}::${overrides.name}`,
    op: 'update',
    diffs: [],
    ...overrides,
  };
}

describe("a rotation step's preview", () => {
  it('lets the config objects be updated or replaced', () => {
    const changes = [
      aChange({ type: AWS_OBJECT, name: 'demo-controller-0.ign', diffs: ['content'] }),
      aChange({ type: AWS_OBJECT, name: 'demo-controller-1.ign', op: 'replace', diffs: ['content'] }),
    ];
    assert.deepEqual(foreignChanges(changes, AWS_OBJECT), []);
  });

  it('refuses any other resource changing, and a config object made or removed', () => {
    const instance = aChange({ type: 'aws:ec2/instance:Instance', name: 'demo-controller-0', op: 'replace' });
    const group = aChange({ type: 'aws:autoscaling/group:Group', name: 'demo-worker', diffs: ['desiredCapacity'] });
    const created = aChange({ type: AWS_OBJECT, name: 'demo-controller-3.ign', op: 'create' });
    const deleted = aChange({ type: AWS_OBJECT, name: 'demo-controller-2.ign', op: 'delete' });
    const kept = aChange({ type: AWS_OBJECT, name: 'demo-controller-0.ign', diffs: ['content'] });
    assert.deepEqual(foreignChanges([kept, instance, group, created, deleted], AWS_OBJECT), [
      instance,
      group,
      created,
      deleted,
    ]);
  });

  it("one cloud's object type is another's foreign resource", () => {
    const object = aChange({ type: AWS_OBJECT, name: 'demo-controller-0.ign' });
    assert.deepEqual(foreignChanges([object], 'gcp:storage/bucketObject:BucketObject'), [object]);
  });
});
