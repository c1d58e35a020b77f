import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { assertValidIgnition, decodeDataUrl } from '@strata/assets';
import { TEST_SSH_KEY } from './fixtures.ts';
import { installedIgnitionUrl, installIgnition, type InstallIgnitionInput } from './install-ignition.ts';

function anInstall(overrides: Partial<InstallIgnitionInput> = {}): InstallIgnitionInput {
  return {
    endpoint: 'http://boot.example.com:8080',
    mac: '52:54:00:1a:00:01',
    channel: 'stable',
    version: '4230.2.3',
    installDisk: '/dev/sda',
    sshAuthorizedKeys: [TEST_SSH_KEY],
    ...overrides,
  };
}

function installerScript(input: InstallIgnitionInput): string {
  const config = assertValidIgnition(JSON.parse(installIgnition(input)));
  const source = config.storage?.files?.find((file) => file.path === '/opt/strata/install')?.contents?.source;
  assert.ok(source);
  const decoded = decodeDataUrl(source);
  assert.ok(decoded.ok);
  return new TextDecoder().decode(decoded.value.data);
}

/** The words bash passes to a command line of the script, as bash itself splits them. */
function argumentsOf(script: string, command: string): string[] {
  const line = script.split('\n').find((candidate) => candidate.startsWith(`${command} `));
  assert.ok(line, `no ${command} line in:\n${script}`);
  const result = spawnSync('bash', ['-c', `printf '%s\\n' ${line.slice(command.length + 1)}`], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').slice(0, -1);
}

describe('the install Ignition config', () => {
  it('is a valid Ignition config whose installer script bash accepts', () => {
    const script = installerScript(anInstall());
    const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
    assert.match(script, /^#!\/bin\/bash\nset -euxo pipefail\n/);
  });

  it('hands flatcar-install exactly the disk, channel, version, image base and config, however odd the disk name', () => {
    const script = installerScript(anInstall({ installDisk: "/dev/disk/by-label/it's $HOME" }));
    assert.deepEqual(argumentsOf(script, 'flatcar-install'), [
      '-d',
      "/dev/disk/by-label/it's $HOME",
      '-C',
      'stable',
      '-V',
      '4230.2.3',
      '-b',
      'http://boot.example.com:8080/assets/flatcar',
      '-i',
      '/run/strata/installed.ign',
    ]);
  });

  it('fetches the installed config from the os=installed group of this MAC', () => {
    assert.equal(
      installedIgnitionUrl('http://boot.example.com:8080', '52:54:00:1a:00:01'),
      'http://boot.example.com:8080/ignition?mac=52%3A54%3A00%3A1a%3A00%3A01&os=installed',
    );
    const curl = argumentsOf(installerScript(anInstall()), 'curl');
    assert.equal(curl.at(-1), 'http://boot.example.com:8080/ignition?mac=52%3A54%3A00%3A1a%3A00%3A01&os=installed');
    assert.deepEqual(curl.slice(-3, -1), ['-o', '/run/strata/installed.ign']);
  });

  it('moves sshd to port 2222 while installing, so that port 22 always means the installed system', () => {
    const config = assertValidIgnition(JSON.parse(installIgnition(anInstall())));
    const sshd = config.systemd?.units?.find((unit) => unit.name === 'sshd.socket');
    assert.deepEqual(sshd?.dropins, [
      { name: '10-strata-install-port.conf', contents: '[Socket]\nListenStream=\nListenStream=2222\n' },
    ]);
  });
});
