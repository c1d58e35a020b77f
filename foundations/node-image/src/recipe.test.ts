import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CNI_PLUGIN_NAMES, NODE_IMAGE_NAMES } from '@strata/binaries';
import { findHostTool } from './host-tools.ts';
import { NodeImageHostToolMissingError } from './errors.ts';
import {
  ADDON_CNI_BIN_DIR,
  CNI_BIN_DIR,
  CONTAINERD_CONFIG,
  CONTAINERD_CONFIG_PATH,
  CONTAINERD_UNIT,
  DEBIAN_PACKAGES,
  DRACUT_CONF,
  IMAGE_DIRECTORIES,
  IMAGE_FILES,
  INITRAMFS_FILES,
  installPathOf,
  OS_RELEASE,
  STRATA_DRACUT_MODULE_DIR,
  STRATA_DRACUT_MODULE_NAME,
  STRATA_DRACUT_MODULE_SETUP,
} from './recipe.ts';
import { STRATA_NODE_IMAGE_VERSION } from './version.ts';

describe('the node image recipe', () => {
  it('adds an empty /efi, where systemd-gpt-auto-generator mounts the ESP a disk boot came from', () => {
    assert.deepEqual(IMAGE_DIRECTORIES, [{ path: '/efi', mode: 0o755 }]);
    assert.equal(
      IMAGE_FILES.find((file) => file.path === '/etc/fstab')?.content,
      'LABEL=strata-root / ext4 defaults 0 1\n',
    );
    assert.ok(DEBIAN_PACKAGES.includes('systemd-boot-efi') && DEBIAN_PACKAGES.includes('systemd-boot'));
  });

  it('puts the CNI plugins under /usr/libexec/cni and every other binary in /usr/bin', () => {
    for (const name of NODE_IMAGE_NAMES) {
      const expected = (CNI_PLUGIN_NAMES as readonly string[]).includes(name)
        ? `${CNI_BIN_DIR}/${name}`
        : `/usr/bin/${name}`;
      assert.equal(installPathOf(name), expected);
    }
  });

  it("points containerd's config at the installed runc and CNI plugins, and its unit at the config", () => {
    assert.match(CONTAINERD_CONFIG, new RegExp(`BinaryName = '${installPathOf('runc')}'`));
    assert.match(CONTAINERD_CONFIG, new RegExp(`bin_dirs = \\['${CNI_BIN_DIR}', '${ADDON_CNI_BIN_DIR}'\\]`));
    assert.match(
      CONTAINERD_UNIT,
      new RegExp(`ExecStart=${installPathOf('containerd')} --config ${CONTAINERD_CONFIG_PATH}\\n`),
    );
    assert.ok(IMAGE_FILES.some((file) => file.path === CONTAINERD_CONFIG_PATH && file.content === CONTAINERD_CONFIG));
  });

  it("runs DHCP on the machine's Ethernet links but leaves the pods' veth links to the CNI plugins", () => {
    const network = IMAGE_FILES.find((file) => file.path === '/usr/lib/systemd/network/zz-default.network');
    const match = /\[Match\]\n([^[]*)/.exec(network?.content ?? '')?.[1] ?? '';
    assert.deepEqual(match.trim().split('\n'), ['Type=ether', 'Driver=!veth']);
    assert.match(network?.content ?? '', /^DHCP=yes$/m);
  });

  it('names the image and its version in os-release', () => {
    const fields = new Map(
      OS_RELEASE.trim()
        .split('\n')
        .map((line) => {
          const at = line.indexOf('=');
          return [line.slice(0, at), line.slice(at + 1).replace(/^"|"$/g, '')] as const;
        }),
    );
    assert.equal(fields.get('ID'), 'strata');
    assert.equal(fields.get('VERSION_ID'), STRATA_NODE_IMAGE_VERSION);
    assert.equal(fields.get('NAME'), 'Strata node image');
  });
});

describe("the initramfs's dracut configuration and Strata's module", () => {
  it('installs dracut, not initramfs-tools, with what the network modules need', () => {
    for (const name of ['dracut', 'dracut-network', 'curl', 'procps']) assert.ok(DEBIAN_PACKAGES.includes(name), name);
    assert.ok(!DEBIAN_PACKAGES.includes('initramfs-tools'));
  });

  it("builds a generic initramfs from a fixed list of modules that names Strata's, without ifcfg", () => {
    assert.match(DRACUT_CONF, /^hostonly="no"$/m);
    const modules = /^dracutmodules\+=" (.*) "$/m.exec(DRACUT_CONF)?.[1]?.split(' ') ?? [];
    assert.ok(modules.includes(STRATA_DRACUT_MODULE_NAME), modules.join(' '));
    assert.ok(modules.includes('network-legacy') && modules.includes('rootfs-block'), modules.join(' '));
    assert.match(DRACUT_CONF, /^omit_dracutmodules\+=" ifcfg "$/m);
  });

  it("has Strata's module depend on network-legacy before ignition, and ship every file it installs", () => {
    assert.match(STRATA_DRACUT_MODULE_SETUP, /^ {4}echo network-legacy ignition$/m);
    const installed = [...STRATA_DRACUT_MODULE_SETUP.matchAll(/"\$moddir\/([^"]+)"/g)].map((match) => match[1]);
    assert.ok(installed.length > 0);
    for (const name of installed) {
      assert.ok(
        INITRAMFS_FILES.some((file) => file.path === `${STRATA_DRACUT_MODULE_DIR}/${name}`),
        `${name} is installed by the module but not in INITRAMFS_FILES`,
      );
    }
    const setup = INITRAMFS_FILES.find((file) => file.path === `${STRATA_DRACUT_MODULE_DIR}/module-setup.sh`);
    assert.equal(setup?.mode, 0o755);
  });
});

describe('findHostTool', () => {
  it('names the Debian package of a program it cannot find', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'strata-empty-path-'));
    try {
      await assert.rejects(findHostTool('mmdebstrap', { PATH: empty }), (error: unknown) => {
        assert.ok(error instanceof NodeImageHostToolMissingError);
        assert.match(error.message, /apt-get install mmdebstrap/);
        return true;
      });
      await assert.rejects(findHostTool('qemu-system-x86_64', { PATH: empty }), /apt-get install qemu-system-x86/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
