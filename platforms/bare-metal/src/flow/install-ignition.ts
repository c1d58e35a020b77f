// The Ignition config of the PXE-booted system that installs Container Linux
// to disk: it fetches the machine's real config (the `os=installed` group),
// runs flatcar-install with it and reboots into the installed system.
import { IgnitionBuilder } from '@strata/assets';
import { FLATCAR_ASSETS_DIR } from './flatcar.ts';

export interface InstallIgnitionInput {
  /** Boot server base URL, without a trailing slash. */
  readonly endpoint: string;
  /** Lower-case colon form, as the boot server matches it. */
  readonly mac: string;
  readonly channel: string;
  readonly version: string;
  readonly installDisk: string;
  readonly sshAuthorizedKeys: readonly string[];
}

/** The URL the installer fetches the installed system's Ignition config from. */
export function installedIgnitionUrl(endpoint: string, mac: string): string {
  const query = new URLSearchParams({ mac, os: 'installed' });
  return `${endpoint}/ignition?${query.toString()}`;
}

/** Single-quotes a word for bash, so that no value can break out of the script. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

function installerScript(input: InstallIgnitionInput): string {
  const config = '/run/strata/installed.ign';
  return [
    '#!/bin/bash',
    'set -euxo pipefail',
    `mkdir -p /run/strata`,
    `curl --fail --silent --show-error --retry 10 --retry-connrefused -o ${config} ${shellQuote(installedIgnitionUrl(input.endpoint, input.mac))}`,
    [
      'flatcar-install',
      `-d ${shellQuote(input.installDisk)}`,
      `-C ${shellQuote(input.channel)}`,
      `-V ${shellQuote(input.version)}`,
      // The disk image comes from the boot server's assets, like the PXE kernel: no internet needed.
      `-b ${shellQuote(`${input.endpoint}${FLATCAR_ASSETS_DIR}`)}`,
      `-i ${config}`,
    ].join(' '),
    'udevadm settle',
    'systemctl reboot',
    '',
  ].join('\n');
}

export function installIgnition(input: InstallIgnitionInput): string {
  return (
    new IgnitionBuilder()
      .file({ path: '/opt/strata/install', contents: installerScript(input), mode: 0o500 })
      .unit({
        name: 'strata-install.service',
        enabled: true,
        contents: [
          '[Unit]',
          'Description=Install Container Linux to disk and reboot into it',
          'Requires=network-online.target',
          'After=network-online.target',
          '[Service]',
          'Type=oneshot',
          'ExecStart=/opt/strata/install',
          '[Install]',
          'WantedBy=multi-user.target',
          '',
        ].join('\n'),
      })
      // sshd on another port while installing: whoever reaches port 22 reaches the installed system.
      .dropin('sshd.socket', {
        name: '10-strata-install-port.conf',
        contents: '[Socket]\nListenStream=\nListenStream=2222\n',
      })
      .user({ name: 'core', sshAuthorizedKeys: input.sshAuthorizedKeys })
      .render()
  );
}
