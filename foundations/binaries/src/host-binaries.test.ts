import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HostToolMissingError } from '@strata/host';
import {
  hostExecutableFiles,
  HostExecutableError,
  NETFILTER_TOOLS,
  parseLddOutput,
  type HostImageFile,
  type LddReport,
} from './host-binaries.ts';

/** ldd's report on Debian 12's xtables-nft-multi, as it prints it for one file. */
const XTABLES_NFT_MULTI = [
  '\tlinux-vdso.so.1 (0x00007ffd1b3f2000)',
  '\tlibxtables.so.12 => /lib/x86_64-linux-gnu/libxtables.so.12 (0x00007f647d727000)',
  '\tlibmnl.so.0 => /lib/x86_64-linux-gnu/libmnl.so.0 (0x00007f647d71f000)',
  '\tlibnftnl.so.11 => /lib/x86_64-linux-gnu/libnftnl.so.11 (0x00007f647d6ec000)',
  '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f647d50a000)',
  '\t/lib64/ld-linux-x86-64.so.2 (0x00007f647d7f3000)',
  '',
].join('\n');

const XTABLES_NFT_MULTI_REPORT: LddReport = {
  static: false,
  entries: [
    { kind: 'virtual', name: 'linux-vdso.so.1' },
    { kind: 'library', name: 'libxtables.so.12', path: '/lib/x86_64-linux-gnu/libxtables.so.12' },
    { kind: 'library', name: 'libmnl.so.0', path: '/lib/x86_64-linux-gnu/libmnl.so.0' },
    { kind: 'library', name: 'libnftnl.so.11', path: '/lib/x86_64-linux-gnu/libnftnl.so.11' },
    { kind: 'library', name: 'libc.so.6', path: '/lib/x86_64-linux-gnu/libc.so.6' },
    { kind: 'loader', path: '/lib64/ld-linux-x86-64.so.2' },
  ],
};

describe('ldd output', () => {
  it('reads one file: the vDSO, each library with the path the loader found, the loader', () => {
    const reports = parseLddOutput(XTABLES_NFT_MULTI, ['/usr/sbin/xtables-nft-multi']);
    assert.deepEqual([...reports], [['/usr/sbin/xtables-nft-multi', XTABLES_NFT_MULTI_REPORT]]);
  });

  it('reads several files by their `<file>:` lines; a file with no lines is not dynamic', () => {
    const output = [
      '/bin/busybox:',
      '/usr/sbin/xtables-nft-multi:',
      XTABLES_NFT_MULTI,
      '/usr/lib/x86_64-linux-gnu/xtables/libxt_connlabel.so:',
      '\tlibnetfilter_conntrack.so.3 => /lib/x86_64-linux-gnu/libnetfilter_conntrack.so.3 (0x00007f1b0b16a000)',
      '/opt/static-pie:',
      '\tstatically linked',
      '',
    ].join('\n');
    const files = [
      '/bin/busybox',
      '/usr/sbin/xtables-nft-multi',
      '/usr/lib/x86_64-linux-gnu/xtables/libxt_connlabel.so',
      '/opt/static-pie',
    ];
    assert.deepEqual(
      [...parseLddOutput(output, files)],
      [
        ['/bin/busybox', { static: true, entries: [] }],
        ['/usr/sbin/xtables-nft-multi', XTABLES_NFT_MULTI_REPORT],
        [
          '/usr/lib/x86_64-linux-gnu/xtables/libxt_connlabel.so',
          {
            static: false,
            entries: [
              {
                kind: 'library',
                name: 'libnetfilter_conntrack.so.3',
                path: '/lib/x86_64-linux-gnu/libnetfilter_conntrack.so.3',
              },
            ],
          },
        ],
        ['/opt/static-pie', { static: true, entries: [] }],
      ],
    );
  });

  it("reads a library that is not found, an older glibc's vDSO line and a path with a space", () => {
    const output = [
      '\tlinux-gate.so.1 =>  (0x00007ffd1b3f2000)',
      '\tlibgone.so.2 => not found',
      '\tlibodd.so.1 => /opt/odd dir/libodd.so.1 (0x00007f647d727000)',
      '',
    ].join('\n');
    assert.deepEqual(parseLddOutput(output, ['/opt/tool']).get('/opt/tool'), {
      static: false,
      entries: [
        { kind: 'virtual', name: 'linux-gate.so.1' },
        { kind: 'missing', name: 'libgone.so.2' },
        { kind: 'library', name: 'libodd.so.1', path: '/opt/odd dir/libodd.so.1' },
      ],
    });
  });

  it('refuses a line it cannot read, and a file it did not ask about', () => {
    assert.throws(
      () => parseLddOutput('\tsomething else entirely\n', ['/opt/tool']),
      (error: unknown) =>
        error instanceof HostExecutableError && /cannot read ldd's line for \/opt\/tool/.test(error.message),
    );
    assert.throws(
      () => parseLddOutput('/opt/other:\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n', ['/opt/tool', '/opt/more']),
      (error: unknown) =>
        error instanceof HostExecutableError && /names none of the files asked for/.test(error.message),
    );
  });
});

describe('the netfilter tools', () => {
  it("are Debian's nf_tables multi-call binary under the names kube-proxy and flanneld exec, with its extensions", () => {
    assert.deepEqual(NETFILTER_TOOLS, {
      program: 'xtables-nft-multi',
      debianPackage: 'iptables',
      links: ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'],
      pluginDirs: ['/usr/lib/x86_64-linux-gnu/xtables'],
    });
  });
});

describe('host executables as image files', () => {
  let dir: string;
  let bin: string;
  let plugins: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    // Realpath: the image paths are the real directories' (a tmpdir may be a link).
    dir = await realpath(await mkdtemp(join(tmpdir(), 'strata-host-binaries-')));
    bin = join(dir, 'bin');
    plugins = join(dir, 'plugins');
    await mkdir(bin);
    await mkdir(plugins);
    // A script is no dynamic executable: ldd reports no library for it, so only the files themselves come in.
    await writeFile(join(bin, 'strata-fixture-tool'), '#!/bin/sh\nexit 0\n');
    await chmod(join(bin, 'strata-fixture-tool'), 0o4755);
    await writeFile(join(plugins, 'libfx_a.so'), 'not an ELF file');
    await symlink('libfx_a.so', join(plugins, 'libfx_b.so'));
    await writeFile(join(dir, 'elsewhere.so'), 'followed for its content');
    await symlink(join(dir, 'elsewhere.so'), join(plugins, 'libfx_c.so'));
    await writeFile(join(plugins, 'README'), 'not a plugin');
    // The fixture's directory first; ldd from the system's.
    env = { PATH: `${bin}:/usr/bin:/bin` };
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('places the program, its links, and its plugins (links between them kept), permission bits only', async () => {
    const files = await hostExecutableFiles(
      [
        {
          program: 'strata-fixture-tool',
          debianPackage: 'strata-fixture',
          links: ['fx', 'fx-save'],
          pluginDirs: [plugins],
        },
      ],
      env,
    );
    const at = (path: string): string => join(dir, path).slice(1);
    const expected: HostImageFile[] = [
      { path: at('bin/fx'), symlinkTo: 'strata-fixture-tool' },
      { path: at('bin/fx-save'), symlinkTo: 'strata-fixture-tool' },
      { path: at('bin/strata-fixture-tool'), hostFile: join(bin, 'strata-fixture-tool'), mode: 0o755 },
      { path: at('plugins/libfx_a.so'), hostFile: join(plugins, 'libfx_a.so'), mode: 0o644 },
      { path: at('plugins/libfx_b.so'), symlinkTo: 'libfx_a.so' },
      { path: at('plugins/libfx_c.so'), hostFile: join(dir, 'elsewhere.so'), mode: 0o644 },
    ];
    assert.deepEqual(files, expected);
  });

  it('fails naming the Debian package when the program is missing', async () => {
    await assert.rejects(
      hostExecutableFiles([{ program: 'strata-no-such-tool', debianPackage: 'strata-fixture' }], env),
      (error: unknown) => {
        assert.ok(error instanceof HostToolMissingError, String(error));
        assert.match(error.message, /strata-no-such-tool was not found .*apt-get install strata-fixture/);
        return true;
      },
    );
  });

  it('fails naming the Debian package when a plugin directory is missing', async () => {
    await assert.rejects(
      hostExecutableFiles(
        [{ program: 'strata-fixture-tool', debianPackage: 'strata-fixture', pluginDirs: [join(dir, 'gone')] }],
        env,
      ),
      (error: unknown) => {
        assert.ok(error instanceof HostExecutableError, String(error));
        assert.match(error.message, /plugin directory .*gone cannot be read .*apt-get install strata-fixture/);
        assert.equal(error.context['package'], 'strata-fixture');
        return true;
      },
    );
  });
});
