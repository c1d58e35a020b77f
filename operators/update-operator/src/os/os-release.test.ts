import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OsReleaseError } from './errors.ts';
import { osReleaseFrom, parseEnvironmentFile } from './os-release.ts';

// As Flatcar 4230.2.3 and Fedora CoreOS 42 ship them.
const FLATCAR_OS_RELEASE = `NAME="Flatcar Container Linux by Kinvolk"
ID=flatcar
ID_LIKE=coreos
VERSION=4230.2.3
VERSION_ID=4230.2.3
BUILD_ID=2025-09-01-0001
SYSEXT_LEVEL=1.0
PRETTY_NAME="Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)"
ANSI_COLOR="38;5;75"
HOME_URL="https://flatcar.org/"
`;
const FEDORA_COREOS_OS_RELEASE = `NAME="Fedora Linux"
VERSION="42.20250901.3.0 (CoreOS)"
ID=fedora
VERSION_ID=42
VARIANT="CoreOS"
VARIANT_ID=coreos
PRETTY_NAME="Fedora CoreOS 42.20250901.3.0"
OSTREE_VERSION='42.20250901.3.0'
`;

describe('os-release', () => {
  it('reads os-release syntax: quotes, escapes, comments', () => {
    assert.deepEqual(
      parseEnvironmentFile(
        `# comment\nA=plain\nB="two words"\nC='single "q"'\nD="esc \\"x\\" \\\\ \\$"\n\nnot a line\n`,
      ),
      {
        A: 'plain',
        B: 'two words',
        C: 'single "q"',
        D: 'esc "x" \\ $',
      },
    );
  });

  it('describes Flatcar, the group from update.conf with /etc overriding /usr/share', () => {
    const release = osReleaseFrom({
      osRelease: FLATCAR_OS_RELEASE,
      updateConfs: ['GROUP=stable\nSERVER=https://public.update.flatcar-linux.net/v1/update/\n', 'GROUP=beta\n'],
      kernelVersion: '6.6.95-flatcar',
    });
    assert.deepEqual(release, {
      id: 'flatcar',
      version: '4230.2.3',
      group: 'beta',
      prettyName: 'Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)',
      kernelVersion: '6.6.95-flatcar',
    });
  });

  it('describes Fedora CoreOS by its OSTree version', () => {
    const release = osReleaseFrom({
      osRelease: FEDORA_COREOS_OS_RELEASE,
      updateConfs: [],
      kernelVersion: '6.15.4-200.fc42.x86_64',
    });
    assert.equal(release.id, 'fedora-coreos');
    assert.equal(release.version, '42.20250901.3.0');
    assert.equal(release.group, '');
  });

  it("describes Strata's node image as Flatcar: its VERSION_ID, the group from update.conf", () => {
    const release = osReleaseFrom({
      osRelease:
        'NAME="Strata node image"\nID=strata\nID_LIKE=debian\nVERSION_ID=0.7.0\nPRETTY_NAME="Strata node image 0.7.0"\n',
      updateConfs: ['GROUP=stable\nSERVER=https://10.213.0.1:8443/v1/update/\n'],
      kernelVersion: '6.1.0-44-amd64',
    });
    assert.deepEqual(release, {
      id: 'strata',
      version: '0.7.0',
      group: 'stable',
      prettyName: 'Strata node image 0.7.0',
      kernelVersion: '6.1.0-44-amd64',
    });
  });

  it('refuses another OS, naming what it found', () => {
    assert.throws(
      () => osReleaseFrom({ osRelease: 'ID=debian\nVERSION_ID=12\n', updateConfs: [], kernelVersion: '6.1.0' }),
      (error: unknown) => error instanceof OsReleaseError && /os-release says ID=debian/.test(error.message),
    );
    assert.throws(
      () =>
        osReleaseFrom({
          osRelease: 'ID=fedora\nVERSION_ID=42\nVARIANT_ID=workstation\n',
          updateConfs: [],
          kernelVersion: '6',
        }),
      /VARIANT_ID=workstation/,
    );
  });
});
