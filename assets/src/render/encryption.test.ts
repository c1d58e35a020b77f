import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderConfig } from '../testing/fixtures.ts';
import {
  EncryptionKeyRotationError,
  encryptionConfiguration,
  generateEncryptionKey,
  parseEncryptionKeys,
  rotateEncryptionKeys,
  type EncryptionKey,
} from './encryption.ts';
import { ASSET_PATHS } from './layout.ts';
import { applyRenderPlan, planClusterRender } from './render.ts';

const names = (keys: readonly EncryptionKey[]) => keys.map((key) => key.name);

describe('encryption key rotation, step by step', () => {
  const first = generateEncryptionKey('strata-1');

  it('adds a key that reads before it writes, then promotes it, then retires the old one', () => {
    const added = rotateEncryptionKeys([first], 'add');
    assert.deepEqual(names(added), ['strata-1', 'strata-2']);
    assert.notEqual(added[1]?.secret, first.secret);
    const promoted = rotateEncryptionKeys(added, 'promote');
    assert.deepEqual(names(promoted), ['strata-2', 'strata-1']);
    assert.deepEqual(names(rotateEncryptionKeys(promoted, 'retire')), ['strata-2']);
  });

  it('makes every step safe to run again after a rotation that stopped', () => {
    const added = rotateEncryptionKeys([first], 'add');
    assert.deepEqual(rotateEncryptionKeys(added, 'add'), added);
    const promoted = rotateEncryptionKeys(added, 'promote');
    assert.deepEqual(rotateEncryptionKeys(promoted, 'promote'), promoted);
    const retired = rotateEncryptionKeys(promoted, 'retire');
    assert.deepEqual(rotateEncryptionKeys(retired, 'retire'), retired);
  });

  it('resumes a rotation that stopped after promoting, with the same key, instead of adding another', () => {
    const promoted = rotateEncryptionKeys(rotateEncryptionKeys([first], 'add'), 'promote');
    assert.deepEqual(rotateEncryptionKeys(promoted, 'add'), promoted);
    // Once the old key is retired, the next rotation adds a new one.
    const retired = rotateEncryptionKeys(promoted, 'retire');
    assert.deepEqual(names(rotateEncryptionKeys(retired, 'add')), ['strata-2', 'strata-3']);
  });

  it('never retires the key that still writes', () => {
    const added = rotateEncryptionKeys([first], 'add');
    assert.throws(() => rotateEncryptionKeys(added, 'retire'), EncryptionKeyRotationError);
  });

  it('reads back what it writes, and refuses a hand-made configuration without echoing its keys', () => {
    const keys = [generateEncryptionKey('strata-3'), generateEncryptionKey('strata-2')];
    assert.deepEqual(parseEncryptionKeys(encryptionConfiguration(keys)), keys);
    const foreign = encryptionConfiguration([first]).replace('secretbox', 'aescbc');
    assert.throws(
      () => parseEncryptionKeys(foreign),
      (error: unknown) =>
        error instanceof EncryptionKeyRotationError &&
        !error.message.includes(first.secret) &&
        /by hand/.test(error.message),
    );
  });
});

describe('a rotation step through the renderer', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-encryption-rotation-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rewrites the stored keys and the controllers that carry them, and a plain render keeps them', async () => {
    const config = renderConfig({ name: 'rotate' });
    const read = async () => parseEncryptionKeys(await readFile(join(dir, ASSET_PATHS.encryptionConfig), 'utf8'));
    await applyRenderPlan(await planClusterRender({ config, dir }));
    const [original] = await read();
    assert.ok(original);

    const plan = await planClusterRender({ config, dir, encryptionKeyRotation: 'add' });
    const written = plan.writes.map((file) => file.path);
    assert.ok(written.includes(ASSET_PATHS.encryptionConfig));
    assert.ok(
      written.includes(ASSET_PATHS.ignition('rotate-controller-0')),
      'the controller Ignition carries the keys',
    );
    await applyRenderPlan(plan);
    assert.deepEqual(names(await read()), ['strata-1', 'strata-2']);
    assert.equal((await read())[0]?.secret, original.secret);

    const plain = await planClusterRender({ config, dir });
    assert.deepEqual(
      plain.writes.map((file) => file.path).filter((path) => path.startsWith('tls/')),
      [],
    );
    await applyRenderPlan(plain);
    assert.deepEqual(names(await read()), ['strata-1', 'strata-2']);
  });
});
