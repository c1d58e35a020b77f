import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IgnitionBuilder, assertValidIgnition } from '@strata/assets';
import { MachineBootError } from './errors.ts';
import { installedConfigUrl } from './install-profile.ts';

function anInstallConfig(script: string, enabled = true) {
  const builder = new IgnitionBuilder()
    .file({ path: '/opt/install', contents: script, mode: 0o500 })
    .unit({ name: 'install.service', enabled, contents: '[Service]\nType=oneshot\nExecStart=/opt/install\n' });
  return assertValidIgnition(JSON.parse(builder.render()));
}

describe('the install profile', () => {
  it('yields the URL its enabled unit downloads the installed config from', () => {
    const config = anInstallConfig(
      "#!/bin/bash\ncurl --fail -o /run/x.ign 'http://boot:8080/ignition?mac=52%3A54&os=installed'\nflatcar-install -i /run/x.ign\n",
    );
    assert.equal(
      installedConfigUrl(config, 'http://boot/ignition'),
      'http://boot:8080/ignition?mac=52%3A54&os=installed',
    );
  });

  it('fails, naming the units, when no enabled unit downloads one', () => {
    assert.throws(
      () => installedConfigUrl(anInstallConfig("curl -o /x 'http://boot/ignition'", false), 'http://boot/ignition'),
      (error: unknown) =>
        error instanceof MachineBootError && /no enabled unit runs a script.*no enabled units/.test(error.message),
    );
  });
});
