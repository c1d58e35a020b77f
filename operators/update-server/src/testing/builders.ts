// Typed fixture builders: a release, channel, group and catalog with sensible
// defaults; payloads and Omaha requests come from @strata/omaha's.
import { aPayload } from '@strata/omaha/testing';
import type { CatalogInput, Group, Release } from '../policy/model.ts';

export { aPayload, anOmahaRequest, type EventFields, type RequestFields } from '@strata/omaha/testing';

export function aRelease(overrides: Partial<Release> = {}): Release {
  const payload = aPayload();
  return {
    version: '3374.2.1',
    payloadUrl: 'https://updates.example.test/flatcar/3374.2.1/flatcar_production_update.gz',
    sha256: payload.sha256,
    sha1: payload.sha1,
    size: payload.bytes.length,
    ...overrides,
  };
}

type PolicyInput = Partial<Group['policy']>;

export interface CatalogOptions {
  readonly release?: Release | undefined;
  readonly track?: string;
  readonly policy?: PolicyInput;
}

/** One channel, `stable`, and one group, `default`, following it on `track`. */
export function aCatalog(options: CatalogOptions = {}): CatalogInput {
  const release = 'release' in options ? options.release : aRelease();
  return {
    channels: [{ name: 'stable', ...(release === undefined ? {} : { release }) }],
    groups: [{ name: 'default', track: options.track ?? 'stable', channel: 'stable', policy: options.policy ?? {} }],
  };
}
