import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { pushImage, RegistryPushError, type PushTarget } from './oci/push.ts';
import { buildImage } from './oci/image.ts';
import {
  registryConfig,
  registryOptionsSchema,
  RegistryStartError,
  startRegistry,
  type RegistryOptions,
} from './registry.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function registryOptions(overrides: Partial<RegistryOptions> = {}): RegistryOptions {
  return {
    binary: '/cache/registry-v3.1.2/registry',
    address: '198.51.100.1:5443',
    storageDir: '/lab/registry/storage',
    workDir: '/lab/registry',
    tls: { certFile: '/lab/tls/server.pem', keyFile: '/lab/tls/server.key', ca: PEM },
    ...overrides,
  };
}

function pushTarget(overrides: Partial<PushTarget> = {}): PushTarget {
  return { registry: '198.51.100.1:5443', repository: 'strata/pause', tag: '3.10.2', ca: PEM, ...overrides };
}

describe('registryConfig', () => {
  it('serves TLS on the address from filesystem storage', () => {
    const config = parse(registryConfig(registryOptionsSchema.parse(registryOptions()))) as Record<string, unknown>;
    assert.deepEqual(config['http'], {
      addr: '198.51.100.1:5443',
      tls: { certificate: '/lab/tls/server.pem', key: '/lab/tls/server.key' },
      secret: 'strata-lab-registry',
    });
    assert.deepEqual(config['storage'], {
      filesystem: { rootdirectory: '/lab/registry/storage' },
      maintenance: { uploadpurging: { enabled: false } },
    });
    assert.equal(config['version'], 0.1);
  });

  it('refuses options without a port or a PEM CA before starting anything', async () => {
    await assert.rejects(startRegistry(registryOptions({ address: '198.51.100.1' })), (error: unknown) => {
      return error instanceof RegistryStartError && /host:port/.test(error.message);
    });
    await assert.rejects(
      startRegistry(registryOptions({ tls: { certFile: 'c', keyFile: 'k', ca: 'not a PEM' } })),
      (error: unknown) => error instanceof RegistryStartError && /a PEM certificate/.test(error.message),
    );
  });
});

describe('pushImage', () => {
  it('refuses a target that is no repository name, tag or host:port before any request', async () => {
    const image = await buildImage({ files: [{ path: 'pause', content: 'x', mode: 0o755 }] });
    const cases: [Partial<PushTarget>, RegExp][] = [
      [{ repository: 'Strata/Pause' }, /repository name/],
      [{ tag: '-latest' }, /a tag such as/],
      [{ registry: 'https://198.51.100.1:5443' }, /host:port/],
    ];
    for (const [overrides, message] of cases) {
      await assert.rejects(
        pushImage(image, pushTarget(overrides)),
        (error: unknown) => error instanceof RegistryPushError && message.test(error.message),
        JSON.stringify(overrides),
      );
    }
  });
});
