import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { validateIgnition } from '@strata/assets';
import { gcsUrl, ignitionPointer } from './ignition-pointer.ts';

test('a pointer replaces the config by the object, verified by its sha512, and holds nothing else', () => {
  const full = JSON.stringify({ ignition: { version: '3.4.0' }, storage: { files: [{ path: '/etc/secret' }] } });
  const pointer: unknown = JSON.parse(ignitionPointer(gcsUrl('bucket-1', 'node.ign'), full));
  assert.deepEqual(validateIgnition(pointer), []);
  assert.deepEqual(pointer, {
    ignition: {
      version: '3.4.0',
      config: {
        replace: {
          source: 'gs://bucket-1/node.ign',
          verification: { hash: `sha512-${createHash('sha512').update(full).digest('hex')}` },
        },
      },
    },
  });
});

test('a pointer to something Ignition cannot fetch is refused', () => {
  assert.throws(() => ignitionPointer('ftp://bucket/node.ign', '{}'));
});
