import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IpxeScriptError } from './errors.ts';
import { expandSettings, runIpxeScript, type IpxeSettings } from './ipxe.ts';

const SETTINGS: IpxeSettings = { mac: '52:54:00:1a:00:01', uuid: '0b1c7a52-1f7e-4c2a-9d2b-5d4b2a8f0c11' };
const SCRIPT_URL = 'http://boot.example.test:8080/boot.ipxe';

describe('the simulated firmware runs iPXE scripts', () => {
  it('expands settings in the forms the boot server asks for', () => {
    assert.equal(
      expandSettings(
        'mac=${mac:hexhyp}&net=${net0/mac}&raw=${mac}&uuid=${uuid}&arch=${buildarch:uristring}&h=${hostname}',
        SETTINGS,
      ),
      'mac=52-54-00-1a-00-01&net=52:54:00:1a:00:01&raw=52:54:00:1a:00:01&uuid=0b1c7a52-1f7e-4c2a-9d2b-5d4b2a8f0c11&arch=x86_64&h=',
    );
  });

  it('follows a chain relative to the script it came from', () => {
    assert.deepEqual(runIpxeScript('#!ipxe\nchain ipxe?mac=${mac:hexhyp}\n', SCRIPT_URL, SETTINGS), {
      kind: 'chain',
      url: 'http://boot.example.test:8080/ipxe?mac=52-54-00-1a-00-01',
    });
  });

  it('boots a kernel with its arguments expanded and its initrds', () => {
    const script =
      '#!ipxe\nkernel /assets/vmlinuz initrd=image.cpio.gz flatcar.config.url=http://b/ignition?uuid=${uuid}&mac=${mac:hexhyp} console=ttyS0\ninitrd /assets/image.cpio.gz\nboot\n';
    assert.deepEqual(runIpxeScript(script, SCRIPT_URL, SETTINGS), {
      kind: 'boot',
      kernel: 'http://boot.example.test:8080/assets/vmlinuz',
      args: [
        'initrd=image.cpio.gz',
        'flatcar.config.url=http://b/ignition?uuid=0b1c7a52-1f7e-4c2a-9d2b-5d4b2a8f0c11&mac=52-54-00-1a-00-01',
        'console=ttyS0',
      ],
      initrd: ['http://boot.example.test:8080/assets/image.cpio.gz'],
    });
  });

  it('names the line of a command it does not run', () => {
    assert.throws(
      () => runIpxeScript('#!ipxe\nkernel /k\nimgfetch /x\nboot\n', SCRIPT_URL, SETTINGS),
      (error: unknown) =>
        error instanceof IpxeScriptError &&
        error.message ===
          `${SCRIPT_URL} line 3: command "imgfetch" is not one the simulated firmware runs (only chain, kernel, initrd, boot): "imgfetch /x"`,
    );
  });

  it('refuses what is not an iPXE script, and boot without a kernel', () => {
    assert.throws(() => runIpxeScript('<html>', SCRIPT_URL, SETTINGS), /line 1: not an iPXE script/);
    assert.throws(() => runIpxeScript('#!ipxe\nboot\n', SCRIPT_URL, SETTINGS), /line 2: boot before any kernel/);
    assert.throws(() => runIpxeScript('#!ipxe\n', SCRIPT_URL, SETTINGS), /ended without chain or boot/);
  });
});
