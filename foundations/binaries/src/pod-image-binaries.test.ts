// The pod images' binaries and the registry, as the resolver provides them: each prints its pinned version and
// is static, as an image of the binary alone (pause, kube-proxy, CoreDNS) has no C library to load. The netfilter
// tools that kube-proxy's and flannel's images carry come from this machine with what they load.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCommand } from '@strata/host';
import { COREDNS_VERSION, DISTRIBUTION_VERSION, FLANNEL_VERSION, KUBERNETES_VERSION } from './components.ts';
import { hostExecutableFiles, NETFILTER_TOOLS, type HostImageFile } from './host-binaries.ts';
import { PAUSE_VERSION, resolvePause } from './pause.ts';
import { resolveBinary } from './resolve.ts';
import { elfInterpreter } from './testing/elf.ts';

const quiet = (): undefined => undefined;

type PodImageBinary = 'registry' | 'kube-proxy' | 'pause' | 'flanneld' | 'coredns';

async function binaries(): Promise<Record<PodImageBinary, string>> {
  return {
    registry: await resolveBinary('registry', { progress: quiet }),
    'kube-proxy': await resolveBinary('kube-proxy', { progress: quiet }),
    pause: await resolvePause({ progress: quiet }),
    flanneld: await resolveBinary('flanneld', { progress: quiet }),
    coredns: await resolveBinary('coredns', { progress: quiet }),
  };
}

const escaped = (text: string): string => text.replaceAll('.', '\\.');

describe("the pod images' binaries", () => {
  it('print their pinned versions', async () => {
    const paths = await binaries();
    const printed = async (path: string, args: readonly string[]): Promise<string> => {
      const result = await runCommand(path, args);
      return result.stdout + result.stderr;
    };
    assert.match(
      await printed(paths.registry, ['--version']),
      new RegExp(` github\\.com/distribution/distribution/v3 ${escaped(DISTRIBUTION_VERSION)}$`, 'm'),
    );
    assert.equal(await printed(paths['kube-proxy'], ['--version']), `Kubernetes ${KUBERNETES_VERSION}\n`);
    // build/pause's Makefile stamps v<TAG>-<git describe>; here the Kubernetes release stands for the describe.
    assert.equal(await printed(paths.pause, ['-v']), `pause.c v${PAUSE_VERSION}-${KUBERNETES_VERSION}\n`);
    // flannel's Makefile stamps the tag; flanneld prints it alone.
    assert.equal(await printed(paths.flanneld, ['--version']), `${FLANNEL_VERSION}\n`);
    // CoreDNS compiles its version in; the build stamps the tag's commit, printed after the platform and Go release.
    assert.match(
      await printed(paths.coredns, ['-version']),
      new RegExp(`^CoreDNS-${escaped(COREDNS_VERSION.replace(/^v/, ''))}\nlinux/amd64, go[\\d.]+, dd1df4f\n$`),
    );
  });

  it('are static: none names a dynamic loader', async () => {
    for (const [name, path] of Object.entries(await binaries())) {
      assert.equal(await elfInterpreter(path), undefined, `${name} (${path}) is dynamically linked`);
    }
  });
});

describe("the netfilter tools of kube-proxy's and flannel's images", () => {
  /** The image's files by path: a link's target, or the host file a file's content comes from. */
  async function netfilterFiles(): Promise<Map<string, HostImageFile>> {
    return new Map((await hostExecutableFiles([NETFILTER_TOOLS])).map((file) => [file.path, file]));
  }

  it("are the nf_tables multi-call binary in /usr/sbin, run by iptables' names", async () => {
    const files = await netfilterFiles();
    for (const link of NETFILTER_TOOLS.links) {
      assert.deepEqual(files.get(`usr/sbin/${link}`), { path: `usr/sbin/${link}`, symlinkTo: 'xtables-nft-multi' });
    }
    const multi = files.get('usr/sbin/xtables-nft-multi');
    assert.ok(multi !== undefined && 'hostFile' in multi, 'usr/sbin/xtables-nft-multi is a file');
    assert.equal(multi.mode, 0o755);
    // The binary itself says which backend it is, whatever this machine's alternatives select.
    const version = await runCommand(multi.hostFile, ['iptables', '--version']);
    assert.match(version.stdout, /^iptables v1\.8\.\d+ \(nf_tables\)$/m);
  });

  it('bring the dynamic loader at the path the ELF header names, their libraries and their extensions', async () => {
    const files = await netfilterFiles();
    const multi = files.get('usr/sbin/xtables-nft-multi');
    assert.ok(multi !== undefined && 'hostFile' in multi);
    assert.equal(await elfInterpreter(multi.hostFile), '/lib64/ld-linux-x86-64.so.2');
    const needed = [
      'lib64/ld-linux-x86-64.so.2',
      'lib/x86_64-linux-gnu/libc.so.6',
      'lib/x86_64-linux-gnu/libxtables.so.12',
      'lib/x86_64-linux-gnu/libnftnl.so.11',
      'lib/x86_64-linux-gnu/libmnl.so.0',
      // Only extensions need these: libxt_connlabel.so.
      'lib/x86_64-linux-gnu/libnetfilter_conntrack.so.3',
      'lib/x86_64-linux-gnu/libnfnetlink.so.0',
      // The extensions kube-proxy's and flanneld's rules use.
      'usr/lib/x86_64-linux-gnu/xtables/libxt_conntrack.so',
      'usr/lib/x86_64-linux-gnu/xtables/libxt_comment.so',
      'usr/lib/x86_64-linux-gnu/xtables/libxt_statistic.so',
      'usr/lib/x86_64-linux-gnu/xtables/libxt_mark.so',
      'usr/lib/x86_64-linux-gnu/xtables/libxt_NAT.so',
      'usr/lib/x86_64-linux-gnu/xtables/libipt_REJECT.so',
    ];
    for (const path of needed) {
      const file = files.get(path);
      assert.ok(file !== undefined && 'hostFile' in file, `${path} is a file of the image`);
    }
    assert.deepEqual(files.get('usr/lib/x86_64-linux-gnu/xtables/libxt_MASQUERADE.so'), {
      path: 'usr/lib/x86_64-linux-gnu/xtables/libxt_MASQUERADE.so',
      symlinkTo: 'libxt_NAT.so',
    });
  });
});
