import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crudProvider } from './crud.ts';

const endpoint = {
  url: 'https://127.0.0.1:8081',
  caPem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  certPem: '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n',
};

describe('the providers check their inputs before anything reaches the boot server', () => {
  it('fills matchbox defaults for a valid profile and keeps the serialized provider', async () => {
    const result = await crudProvider('profile').check?.({}, { __provider: 'code', endpoint, profileId: 'worker' });
    assert.deepEqual(result, {
      inputs: {
        endpoint,
        profileId: 'worker',
        name: '',
        boot: { kernel: '', initrd: [], args: [] },
        ignitionId: '',
        genericId: '',
        __provider: 'code',
      },
    });
  });

  it('names every bad property, and never echoes a credential', async () => {
    const result = await crudProvider('group').check?.(
      {},
      {
        __provider: 'code',
        endpoint: { ...endpoint, url: 'http://127.0.0.1:8081', certPem: 'not a pem SECRET-CERT' },
        groupId: '../etc',
        profile: '',
        selector: { mac: 7 },
      },
    );
    assert.deepEqual(
      result?.failures?.map((failure) => failure.property),
      ['endpoint.url', 'endpoint.certPem', 'groupId', 'profile', 'selector.mac'],
    );
    assert.match(result?.failures?.[0]?.reason ?? '', /https:\/\/ URL/);
    assert.doesNotMatch(JSON.stringify(result?.failures), /SECRET/);
  });

  it('refuses Ignition config names that would leave the ignition/ directory', async () => {
    const result = await crudProvider('ignition').check?.({}, { endpoint, templateName: '..', content: '{}' });
    assert.deepEqual(
      result?.failures?.map((failure) => failure.property),
      ['templateName'],
    );
  });
});
