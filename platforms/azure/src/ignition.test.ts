// The controllers' pointer config and the custom data encoding.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { validateIgnition } from '@strata/assets';
import { blobUrl, customData, pointerConfig, renderedIgnition } from './ignition.ts';

const FULL = JSON.stringify({
  ignition: { version: '3.4.0', proxy: { httpsProxy: 'http://proxy.example.com:3128', noProxy: ['10.0.0.0/16'] } },
  storage: { files: [{ path: '/etc/kubernetes/pki/ca.key', mode: 384, contents: { source: 'data:,key' } }] },
});

describe('pointerConfig', () => {
  const url = blobUrl('blueign0123abcd', 'controller-0', 'config.ign');
  const pointer = JSON.parse(pointerConfig(url, renderedIgnition(new Map([['c', FULL]]), 'c'))) as unknown;

  test('replaces the config with the blob, pinned by the sha512 of its exact bytes', () => {
    assert.deepEqual(validateIgnition(pointer), []);
    assert.deepEqual((pointer as { ignition: { config: unknown } }).ignition.config, {
      replace: {
        source: 'https://blueign0123abcd.blob.core.windows.net/controller-0/config.ign',
        verification: { hash: `sha512-${createHash('sha512').update(FULL).digest('hex')}` },
      },
    });
  });

  test('carries the proxy Ignition needs to reach the blob, and nothing of the files', () => {
    assert.deepEqual((pointer as { ignition: { proxy: unknown } }).ignition.proxy, {
      httpsProxy: 'http://proxy.example.com:3128',
      noProxy: ['10.0.0.0/16'],
    });
    assert.doesNotMatch(JSON.stringify(pointer), /ca\.key/);
  });
});

describe('customData', () => {
  test('is the text in base64', () => {
    assert.equal(Buffer.from(customData(FULL, 'c'), 'base64').toString('utf8'), FULL);
  });
});

describe('renderedIgnition', () => {
  test('refuses text that is not an Ignition config, naming the target', () => {
    assert.throws(
      () => renderedIgnition(new Map([['w', '{"passwd":{}}']]), 'w'),
      /Ignition config of w is not an Ignition/,
    );
    assert.throws(() => renderedIgnition(new Map([['w', 'nope']]), 'w'), /Ignition config of w is not JSON/);
  });
});
