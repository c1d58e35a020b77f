import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { osRelease } from './os-release.ts';
import { FEDORA_COREOS, FLATCAR } from './test-fixtures.ts';

describe('osRelease', () => {
  it('names Flatcar as its os-release does, with a configurable codename', () => {
    const release = osRelease('flatcar', FLATCAR.current, 'stable');
    assert.deepEqual(release, {
      id: 'flatcar',
      version: FLATCAR.current,
      group: 'stable',
      prettyName: `Flatcar Container Linux by Kinvolk ${FLATCAR.current} (${FLATCAR.codename})`,
      kernelVersion: '6.6.95-flatcar',
    });
    assert.equal(
      osRelease('flatcar', FLATCAR.current, 'stable', 'Rhyolite').prettyName,
      `Flatcar Container Linux by Kinvolk ${FLATCAR.current} (Rhyolite)`,
    );
  });

  it('gives each Flatcar version one kernel, newer for newer versions', () => {
    const kernel = (version: string): string => osRelease('flatcar', version, 'stable').kernelVersion;
    assert.equal(kernel(FLATCAR.current), kernel(FLATCAR.current));
    assert.notEqual(kernel(FLATCAR.next), kernel(FLATCAR.current));
    assert.match(kernel(FLATCAR.later), /^6\.12\.\d+-flatcar$/);
    assert.match(kernel('3510.2.8'), /^5\.15\.\d+-flatcar$/);
  });

  it('names Fedora CoreOS with a Fedora kernel of its release and build date', () => {
    const release = osRelease('fedora-coreos', FEDORA_COREOS.current, 'stable');
    assert.equal(release.prettyName, `Fedora CoreOS ${FEDORA_COREOS.current}`);
    assert.match(release.kernelVersion, /^6\.15\.\d+-200\.fc42\.\w+$/);
    assert.equal(osRelease('fedora-coreos', FEDORA_COREOS.current, 'stable').kernelVersion, release.kernelVersion);
  });
});
