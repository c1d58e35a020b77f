import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidWriteError } from '@strata/api';
import { aGroup, aProfile } from '../api/testing/index.ts';
import { resourceField } from './api-errors.ts';
import {
  assertObjectName,
  assertTemplateKey,
  fromMachineGroup,
  fromMachineProfile,
  templateConfigMapName,
  toMachineGroup,
  toMachineProfile,
} from './resources.ts';

describe('conversions between matchbox resources and Kubernetes objects', () => {
  it('a profile and a group survive the round trip', () => {
    const profile = aProfile({ id: 'worker' });
    assert.deepEqual(fromMachineProfile(toMachineProfile(profile, 'boot')), { ok: true, value: profile });
    const group = aGroup({ id: 'node1', metadata: { nested: { list: [1, 'a'] } } });
    assert.deepEqual(fromMachineGroup(toMachineGroup(group, 'boot')), { ok: true, value: group });
    assert.deepEqual(toMachineProfile(profile, 'boot').metadata, { name: 'worker', namespace: 'boot' });
  });

  it('an object with a bad spec is reported, not thrown', () => {
    const converted = fromMachineProfile({
      apiVersion: 'boot.strata.dev/v1alpha1',
      kind: 'MachineProfile',
      metadata: { name: 'x' },
      spec: { boot: { initrd: 'x' } } as never,
    });
    assert.equal(converted.ok, false);
    assert.match(converted.ok ? '' : converted.problem, /boot\.initrd/);
  });

  it('ids must be Kubernetes names; the refusal suggests one', () => {
    assert.doesNotThrow(() => assertObjectName('node-1.example', 'group'));
    for (const [id, suggestion] of [
      ['Worker_1', 'worker-1'],
      ['-x-', 'x'],
      ['a b', 'a-b'],
    ] as const) {
      assert.throws(
        () => assertObjectName(id, 'profile'),
        (error: unknown) =>
          error instanceof InvalidWriteError && error.field === 'id' && error.message.includes(`e.g. "${suggestion}"`),
      );
    }
    assert.throws(() => assertObjectName('a'.repeat(254), 'profile'), InvalidWriteError);
  });

  it('template names must be ConfigMap keys', () => {
    assert.doesNotThrow(() => assertTemplateKey('Worker_1.ign'));
    for (const name of ['a b', 'a/b', '..', 'ü.ign'])
      assert.throws(
        () => assertTemplateKey(name),
        (error: unknown) => error instanceof InvalidWriteError && error.field === 'name',
      );
  });

  it('names a template ConfigMap readably and uniquely', () => {
    assert.match(templateConfigMapName('ignition', 'worker.ign'), /^ignition-worker-ign-[0-9a-f]{10}$/);
    assert.notEqual(templateConfigMapName('ignition', 'Worker.ign'), templateConfigMapName('ignition', 'worker.ign'));
    assert.notEqual(templateConfigMapName('ignition', 'x'), templateConfigMapName('generic', 'x'));
    assert.match(templateConfigMapName('generic', '___'), /^generic-[0-9a-f]{10}$/);
    assert.ok(templateConfigMapName('generic', 'x'.repeat(253)).length <= 253);
  });

  it('maps the API server’s field paths to the resource’s', () => {
    assert.equal(resourceField('spec.boot.args'), 'boot.args');
    assert.equal(resourceField('metadata.name'), 'id');
    assert.equal(resourceField('data[worker.ign]'), 'body');
  });
});
