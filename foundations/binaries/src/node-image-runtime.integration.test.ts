// The node image's container runtime, for real on this machine: the resolved containerd (with its runc shim, runc and
// the CNI plugins) runs as a child process with its own root, state, sockets and configuration, in a network
// namespace of its own (src/testing/containerd-lab.ts), and runs containers from an image built here with no network.
// Nothing outside its temporary directory and its own cgroups is touched, and all of it is removed at the end.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { logTail, runCommand, type CommandResult } from '@strata/host';
import { CONTAINERD_VERSION } from './components.ts';
import {
  ctrRunArguments,
  type ContainerdLab,
  type RunningContainerd,
  startContainerd,
  writePodSandboxConfig,
} from './testing/containerd-lab.ts';
import { buildOciImage, busyboxImage } from './testing/oci-image.ts';

const IMAGE = 'strata.test/busybox:lab';
const PAUSE_IMAGE = 'strata.test/pause:lab';

describe("the node image's container runtime", () => {
  let running: RunningContainerd | undefined;
  let lab: ContainerdLab;

  const ctr = (args: readonly string[], namespace?: string): Promise<CommandResult> => {
    assert.ok(running !== undefined, 'containerd runs');
    return running.ctr(args, namespace);
  };
  const crictl = (args: readonly string[]): Promise<CommandResult> => {
    assert.ok(running !== undefined, 'containerd runs');
    return running.crictl(args);
  };
  const containerdLog = (): Promise<string> => logTail(lab.log);
  const ok = (what: string, result: CommandResult): Promise<string> => {
    assert.ok(running !== undefined, 'containerd runs');
    return running.ok(what, result);
  };
  /** `ctr run` of the test image: its own exit code is the container's. */
  const run = (id: string, command: readonly string[]): Promise<CommandResult> =>
    ctr(
      ctrRunArguments(lab, {
        reference: IMAGE,
        id,
        options: ['--rm', '--runtime', 'io.containerd.runc.v2'],
        command,
      }),
    );

  before(async () => {
    // Short: the shim socket directory below it may have at most 42 characters.
    running = await startContainerd({ prefix: 'strata-ctrd-', sandboxImage: PAUSE_IMAGE });
    lab = running.lab;
    const image = join(lab.dir, 'busybox.tar');
    await buildOciImage(busyboxImage(IMAGE, ['/bin/sh'], ['sh', 'echo', 'ls']), image);
    await ok('ctr image import', await ctr(['image', 'import', image]));
    const pause = join(lab.dir, 'pause.tar');
    // A pod's sandbox only holds its namespaces: a process that sleeps does that.
    await buildOciImage(busyboxImage(PAUSE_IMAGE, ['/bin/sleep', '86400'], ['sleep']), pause);
    await ok('ctr image import (k8s.io)', await ctr(['image', 'import', pause], 'k8s.io'));
  });

  after(async () => {
    await running?.cleanUp();
  });

  it(`is containerd ${CONTAINERD_VERSION}, with the imported image`, async () => {
    const version = await ok('ctr version', await ctr(['version']));
    assert.match(version, new RegExp(`Server:\\s+Version:\\s+${CONTAINERD_VERSION.replaceAll('.', '\\.')}\\s`));
    const images = await ok('ctr image ls', await ctr(['image', 'ls', '--quiet']));
    assert.deepEqual(images.trim().split('\n'), [IMAGE]);
  });

  it('runs a container that prints and exits 0', async () => {
    const result = await run('hello', ['/bin/echo', 'hello from the node image']);
    assert.equal(result.code, 0, `ctr run: ${result.stderr}\ncontainerd's log ends:\n${await containerdLog()}`);
    assert.equal(result.stdout, 'hello from the node image\n');
  });

  it("reports a container's nonzero exit code", async () => {
    const result = await run('fails', ['/bin/sh', '-c', 'echo about to fail >&2; exit 7']);
    assert.equal(result.code, 7, `ctr run: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /about to fail/);
  });

  it('isolates the container: its own PID namespace and root file system', async () => {
    // PID 1 is the container's shell, and the root holds only what the image put there (the host's has /usr).
    const result = await run('isolated', [
      '/bin/sh',
      '-c',
      'echo $$; ls /bin/busybox; ls -d /usr 2>/dev/null || echo no /usr',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '1\n/bin/busybox\nno /usr\n');
  });

  it('runs a pod sandbox through CRI as the kubelet does: crictl, the bridge, host-local, portmap and loopback', async () => {
    const info = JSON.parse(await ok('crictl info', await crictl(['info']))) as {
      status?: { conditions?: { type: string; status: boolean; message?: string }[] };
    };
    const conditions = info.status?.conditions ?? [];
    // What the kubelet waits for. (On cgroup v1, as here, containerd adds a false ContainerdHasNoDeprecationWarnings.)
    const ready = (type: string): boolean | undefined =>
      conditions.find((condition) => condition.type === type)?.status;
    assert.equal(ready('RuntimeReady'), true, JSON.stringify(conditions));
    // The network is ready only once CRI has loaded the bridge configuration and found its plugins.
    assert.equal(ready('NetworkReady'), true, JSON.stringify(conditions));
    const podConfig = await writePodSandboxConfig(lab, {
      name: 'lab',
      portMappings: [{ protocol: 0, container_port: 80, host_port: 18080 }],
    });
    const pod = (await ok('crictl runp', await crictl(['runp', podConfig]))).trim();
    try {
      const inspected = JSON.parse(await ok('crictl inspectp', await crictl(['inspectp', pod]))) as {
        status?: { state?: string; network?: { ip?: string } };
      };
      assert.equal(inspected.status?.state, 'SANDBOX_READY');
      // host-local's first address after the bridge's gateway (.1).
      assert.equal(inspected.status?.network?.ip, '192.0.2.2');
      // portmap wrote the mapping into nftables, in containerd's network namespace only.
      const pid = await running?.containerd.pid;
      assert.ok(pid !== undefined, 'containerd runs');
      const ruleset = await runCommand('nsenter', [`--net=/proc/${pid}/ns/net`, 'nft', 'list', 'ruleset']);
      assert.equal(ruleset.code, 0, ruleset.stderr);
      assert.match(ruleset.stdout, /tcp dport 18080 .*192\.0\.2\.2.*80/);
    } finally {
      await ok('crictl stopp', await crictl(['stopp', pod]));
      await ok('crictl rmp', await crictl(['rmp', pod]));
    }
    assert.equal((await ok('crictl pods', await crictl(['pods', '--quiet']))).trim(), '');
  });

  it('leaves no process, mount or cgroup behind', async () => {
    assert.ok(running !== undefined, 'containerd runs');
    const leftovers = await running.cleanUp();
    assert.deepEqual(leftovers, { processes: [], mounts: [], cgroups: [] });
  });
});
