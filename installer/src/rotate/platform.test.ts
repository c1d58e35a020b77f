import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EncryptionRotationError } from './encryption-key.ts';
import { rotationPath } from './platform.ts';

describe('which clusters the rotation reaches', () => {
  it('local and bare-metal clusters each have their path', () => {
    assert.equal(rotationPath('local'), 'local');
    assert.equal(rotationPath('bare-metal'), 'bare-metal');
  });

  it('refuses each cloud, naming the missing route to the controllers and the config objects left stale', () => {
    const missing = { aws: /S3 object/, gcp: /IAP/, azure: /blob/ } as const;
    for (const [platform, where] of Object.entries(missing) as [keyof typeof missing, RegExp][]) {
      assert.throws(
        () => rotationPath(platform),
        (error: unknown) =>
          error instanceof EncryptionRotationError &&
          error.message.includes(`a ${platform} cluster is not built`) &&
          /SSH address/.test(error.message) &&
          /old keys only/.test(error.message) &&
          where.test(error.message) &&
          error.context['platform'] === platform,
      );
    }
  });
});
