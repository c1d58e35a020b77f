import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InstallUsageError } from '../errors.ts';
import { defaultSshIdentities, parseBareMetalOptions } from './options.ts';

describe('bare-metal install options', () => {
  it('defaults to port 22 and the core user, with no write API and the default identities', () => {
    const options = parseBareMetalOptions({});
    assert.deepEqual(options, { sshPort: 22, sshUser: 'core' });
    assert.deepEqual(defaultSshIdentities('/home/ada'), ['/home/ada/.ssh/id_ed25519', '/home/ada/.ssh/id_rsa']);
  });

  it('takes the write API with its three files, and a port as text', () => {
    const options = parseBareMetalOptions({
      bootApi: 'https://boot.example.com:8081',
      bootApiCa: 'ca.crt',
      bootApiCert: 'installer.crt',
      bootApiKey: 'installer.key',
      sshPort: '2222',
    });
    assert.deepEqual(options.bootApi, {
      url: 'https://boot.example.com:8081',
      caFile: 'ca.crt',
      certFile: 'installer.crt',
      keyFile: 'installer.key',
    });
    assert.equal(options.sshPort, 2222);
  });

  it('names each flag that is wrong or missing (exit 2)', () => {
    assert.throws(
      () => parseBareMetalOptions({ bootApi: 'http://boot.example.com:8081', bootApiCa: 'ca.crt', sshPort: '70000' }),
      (error: unknown) =>
        error instanceof InstallUsageError &&
        error.exitCode === 2 &&
        /--boot-api: must be an https:\/\/ URL/.test(error.message) &&
        /--boot-api-cert: /.test(error.message) &&
        /--boot-api-key: /.test(error.message) &&
        /--ssh-port: /.test(error.message),
    );
  });
});
