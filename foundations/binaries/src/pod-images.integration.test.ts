// Pod images from a local OCI registry, end to end and with nothing from the internet: the pinned distribution
// registry serves TLS with a throwaway CA; Kubernetes' pause, compiled here, is packed as an image and pushed through
// the distribution API; the pinned containerd, in a network namespace of its own wired to the registry by a veth
// pair, pulls it through a registry mirror (CRI's hosts.toml `config_path`) and runs a pod sandbox with it as CRI's
// pinned sandbox image. kube-proxy, flannel and CoreDNS are served the same way and run from their images (the
// netfilter tools from kube-proxy's and flannel's; CoreDNS, as its nonroot user, binding port 53 by its file
// capability). A tampered blob and an untrusted registry fail with the registry's (or TLS's) answer.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findHostTool, hostIp, httpsRequest, logTail, NetworkNamespace, runCommand, waitFor } from '@strata/host';
import { COREDNS_IMAGE_REPOSITORY, COREDNS_IMAGE_TAG, corednsImageSpec } from './coredns-image.ts';
import { FLANNEL_IMAGE_REPOSITORY, FLANNEL_IMAGE_TAG, FLANNELD_PATH, flannelImageSpec } from './flannel-image.ts';
import {
  KUBE_PROXY_IMAGE_REPOSITORY,
  KUBE_PROXY_IMAGE_TAG,
  KUBE_PROXY_PATH,
  kubeProxyImageSpec,
} from './kube-proxy-image.ts';
import { bundleNodeProgram } from './node-bundle.ts';
import { nodeProgramImageSpec, pinnedNodeRuntime } from './node-program-image.ts';
import { buildImage, OCI_MANIFEST_MEDIA_TYPE, sha256Digest, type ImageSpec, type OciImage } from './oci/image.ts';
import { pushBlob, pushImage, RegistryPushError, type PushedImage } from './oci/push.ts';
import { PAUSE_IMAGE_REPOSITORY, PAUSE_VERSION, pauseImageSpec, resolvePause } from './pause.ts';
import { startRegistry, type RunningRegistry } from './registry.ts';
import { resolveBinary } from './resolve.ts';
import {
  ctrRunArguments,
  startContainerd,
  writePodSandboxConfig,
  type RunningContainerd,
} from './testing/containerd-lab.ts';
import { throwawayTls, type ThrowawayTls } from './testing/throwaway-tls.ts';

/** A /30 of a documentation range (RFC 5737): the registry's end of the veth pair and containerd's. */
const REGISTRY_IP = '198.51.100.1';
const CONTAINERD_IP = '198.51.100.2';
const REGISTRY = `${REGISTRY_IP}:5443`;
/** The name images carry, as a node's would: only the mirror in hosts.toml makes it reachable (`.test` resolves nowhere). */
const MIRRORED = 'registry.strata.test';
const PAUSE_REFERENCE = `${MIRRORED}/${PAUSE_IMAGE_REPOSITORY}:${PAUSE_VERSION}`;

/** The capabilities of a `ctr run` container: containerd's default set (oci.populateDefaultUnixSpec). */
const CTR_DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

/** The registry's name in a mirror configuration whose CA is not the registry's. */
const UNTRUSTED = 'untrusted.strata.test';

/** containerd 2's hosts.toml for a registry name: pull and resolve from the local registry, trusting `caFile` alone. */
function hostsToml(name: string, caFile: string): string {
  return [
    `server = "https://${name}"`,
    '',
    `[host."https://${REGISTRY}"]`,
    '  capabilities = ["pull", "resolve"]',
    `  ca = ${JSON.stringify(caFile)}`,
    '',
  ].join('\n');
}

describe('pod images from a local OCI registry', () => {
  let dir: string;
  let tls: ThrowawayTls;
  let netns: NetworkNamespace | undefined;
  let registry: RunningRegistry | undefined;
  let runtime: RunningContainerd | undefined;
  let image: OciImage;
  let pushed: PushedImage;
  const target = (): { registry: string; repository: string; tag: string; ca: string } => ({
    registry: REGISTRY,
    repository: PAUSE_IMAGE_REPOSITORY,
    tag: PAUSE_VERSION,
    ca: tls.ca,
  });
  const containerd = (): RunningContainerd => {
    assert.ok(runtime !== undefined, 'containerd runs');
    return runtime;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-pod-images-'));
    tls = await throwawayTls({ dir, ipAddresses: [REGISTRY_IP] });
    netns = await NetworkNamespace.create({ name: 'pod-images', logDir: dir });
    // The pair dies with the namespace, which dies with its holder.
    const hostEnd = `spi${process.pid % 100000}`;
    const nsEnd = `spn${process.pid % 100000}`;
    await hostIp(['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd, 'netns', String(netns.pid)]);
    await hostIp(['addr', 'add', `${REGISTRY_IP}/30`, 'dev', hostEnd]);
    await hostIp(['link', 'set', hostEnd, 'up']);
    await netns.ip(['addr', 'add', `${CONTAINERD_IP}/30`, 'dev', nsEnd]);
    await netns.ip(['link', 'set', nsEnd, 'up']);

    registry = await startRegistry({
      binary: await resolveBinary('registry', { progress: () => undefined }),
      address: REGISTRY,
      storageDir: join(dir, 'registry-storage'),
      workDir: join(dir, 'registry'),
      tls: { certFile: tls.certFile, keyFile: tls.keyFile, ca: tls.ca },
    });
    image = await buildImage(pauseImageSpec(await resolvePause({ progress: () => undefined })));
    const started = performance.now();
    pushed = await pushImage(image, target());
    process.stderr.write(`pushed ${pushed.reference} in ${(performance.now() - started).toFixed(0)} ms\n`);

    const hostsDir = join(dir, 'hosts.d');
    await mkdir(join(hostsDir, MIRRORED), { recursive: true });
    await writeFile(join(hostsDir, MIRRORED, 'hosts.toml'), hostsToml(MIRRORED, tls.caFile));
    // The same registry under another name, trusting a CA that did not sign its certificate.
    const other = await throwawayTls({ dir, ipAddresses: [REGISTRY_IP], name: 'untrusted' });
    await mkdir(join(hostsDir, UNTRUSTED), { recursive: true });
    await writeFile(join(hostsDir, UNTRUSTED, 'hosts.toml'), hostsToml(UNTRUSTED, other.caFile));
    runtime = await startContainerd({
      prefix: 'strata-pimg-',
      sandboxImage: PAUSE_REFERENCE,
      registryHostsDir: hostsDir,
      netns,
    });
  });

  after(async () => {
    await runtime?.cleanUp();
    await registry?.stop();
    await netns?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('the registry serves the pushed manifest; a second push uploads no blob', async () => {
    const answer = await httpsRequest(
      `https://${REGISTRY}/v2/${PAUSE_IMAGE_REPOSITORY}/manifests/${PAUSE_VERSION}`,
      { ca: tls.ca },
      { headers: { Accept: OCI_MANIFEST_MEDIA_TYPE } },
    );
    assert.equal(answer.status, 200, answer.body);
    assert.equal(sha256Digest(Buffer.from(answer.body, 'utf8')), pushed.digest);
    assert.equal(pushed.blobsSkipped, 0);
    const again = await pushImage(image, target());
    assert.deepEqual(again, { ...pushed, blobsSkipped: 2 });
  });

  it('crictl pulls the pause image through the mirror, from the local registry', async () => {
    const { ok, crictl } = containerd();
    await ok('crictl pull', await crictl(['pull', PAUSE_REFERENCE]));
    const inspected = JSON.parse(await ok('crictl inspecti', await crictl(['inspecti', PAUSE_REFERENCE]))) as {
      status?: { repoDigests?: string[] };
    };
    assert.deepEqual(inspected.status?.repoDigests, [`${MIRRORED}/${PAUSE_IMAGE_REPOSITORY}@${pushed.digest}`]);
    assert.ok(registry !== undefined);
    // The mirror answered, not the (unresolvable) upstream name.
    assert.match(await logTail(registry.process.spec.logFile, 200), /GET \/v2\/strata\/pause\/manifests\/3\.10\.2/);
  });

  it("runs a pod sandbox with the local pause image as CRI's pinned sandbox image", async () => {
    const { ok, crictl, lab } = containerd();
    const pod = (
      await ok('crictl runp', await crictl(['runp', await writePodSandboxConfig(lab, { name: 'paused' })]))
    ).trim();
    try {
      const inspected = JSON.parse(await ok('crictl inspectp', await crictl(['inspectp', pod]))) as {
        status?: { state?: string };
      };
      assert.equal(inspected.status?.state, 'SANDBOX_READY');
      // The sandbox's process is Kubernetes' pause, as the image's USER.
      const paused = await processesRunning('/pause', lab.cgroupParent);
      assert.equal(paused.length, 1, `one /pause in ${lab.cgroupParent}: ${JSON.stringify(paused)}`);
      assert.equal(paused[0]?.uid, 65535);
    } finally {
      await ok('crictl stopp', await crictl(['stopp', pod]));
      await ok('crictl rmp', await crictl(['rmp', pod]));
    }
  });

  /** Builds and pushes an image under a repository and tag, pulls it through the mirror; its mirrored reference. */
  const servedImage = async (spec: ImageSpec, repository: string, tag: string): Promise<string> => {
    const { ok, crictl } = containerd();
    const built = await buildImage(spec);
    const started = performance.now();
    await pushImage(built, { ...target(), repository, tag });
    process.stderr.write(
      `pushed ${repository} (${(built.layer.size / 1e6).toFixed(1)} MB layer) in ${(performance.now() - started).toFixed(0)} ms\n`,
    );
    const reference = `${MIRRORED}/${repository}:${tag}`;
    const pulling = performance.now();
    await ok('crictl pull', await crictl(['pull', reference]));
    // The native time of the pull a lab machine makes under TCG (e2e/README.md compares them).
    process.stderr.write(`pulled ${reference} in ${(performance.now() - pulling).toFixed(0)} ms\n`);
    return reference;
  };

  /** `ctr run`'s arguments for a container of a pulled image with the lab's runc, in a cgroup of the lab's. */
  const ctrRun = (reference: string, id: string, options: readonly string[], command: readonly string[]): string[] =>
    ctrRunArguments(containerd().lab, { reference, id, options, command });

  /** Runs a command in a pulled image to its end; its output, stdout then stderr, less ctr's own log lines. */
  const runInImage = async (reference: string, id: string, command: readonly string[]): Promise<string> => {
    const { ok, ctr } = containerd();
    // CRI pulls into containerd's k8s.io namespace; ctr runs the image from there.
    const result = await ctr(ctrRun(reference, id, ['--rm'], command), 'k8s.io');
    const stderr = result.stderr
      .split('\n')
      .filter((line) => !/^time="[^"]*" level=/.test(line))
      .join('\n');
    return (await ok(`ctr run ${command.join(' ')}`, result)) + stderr;
  };

  it('serves kube-proxy as an image: pushed, pulled through the mirror, and run, with its netfilter tools', async () => {
    const reference = await servedImage(
      kubeProxyImageSpec(await resolveBinary('kube-proxy', { progress: () => undefined })),
      KUBE_PROXY_IMAGE_REPOSITORY,
      KUBE_PROXY_IMAGE_TAG,
    );
    assert.equal(
      await runInImage(reference, 'kube-proxy-version', [KUBE_PROXY_PATH, '--version']),
      `Kubernetes ${KUBE_PROXY_IMAGE_TAG}\n`,
    );
    // The loader, libraries and the nf_tables backend, from the image alone.
    assert.match(
      await runInImage(reference, 'kube-proxy-iptables', ['/usr/sbin/iptables-restore', '--version']),
      /^iptables-restore v1\.8\.\d+ \(nf_tables\)$/m,
    );
  });

  it("serves flannel's image: flanneld runs, and its netfilter tools program rules with their extensions", async () => {
    const busybox = await findHostTool('busybox', 'busybox-static');
    const flanneld = await resolveBinary('flanneld', { progress: () => undefined });
    const reference = await servedImage(
      flannelImageSpec({ flanneld, busybox }),
      FLANNEL_IMAGE_REPOSITORY,
      FLANNEL_IMAGE_TAG,
    );
    assert.equal(
      await runInImage(reference, 'flanneld-version', [FLANNELD_PATH, '--version']),
      `${FLANNEL_IMAGE_TAG}\n`,
    );
    // flanneld's own masquerade rule, in the container's network namespace (privileged: NET_ADMIN there).
    const rules = [
      'iptables -t nat -A POSTROUTING -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully',
      'iptables -A FORWARD -s 10.244.0.0/16 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      'iptables-save',
    ].join(' && ');
    const { ok, ctr } = containerd();
    const saved = await ctr(
      ctrRun(reference, 'flannel-rules', ['--rm', '--privileged'], ['/bin/busybox', 'sh', '-c', rules]),
      'k8s.io',
    );
    const output = await ok('ctr run iptables', saved);
    assert.match(output, /^# Generated by iptables-save v1\.8\.\d+ \(nf_tables\)/m);
    assert.match(output, /^-A POSTROUTING -s 10\.244\.0\.0\/16 ! -d 224\.0\.0\.0\/4 .*-j MASQUERADE --random-fully$/m);
    assert.match(output, /^-A FORWARD -s 10\.244\.0\.0\/16 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT$/m);
  });

  /**
   * Starts a server image detached, its output in a file; returns the output once the server says it serves or has
   * failed, after killing and removing the container.
   */
  const serve = async (reference: string, id: string, options: readonly string[]): Promise<string> => {
    const { ok, ctr, lab } = containerd();
    const log = join(lab.dir, `${id}.log`);
    const run = ctrRun(reference, id, ['--detach', '--log-uri', `file://${log}`, ...options], []);
    await ok(`ctr run --detach ${id}`, await ctr(run, 'k8s.io'));
    try {
      return await waitFor(
        `${id} serving or failing`,
        async () => {
          const output = await readFile(log, 'utf8').catch(() => '');
          return /^CoreDNS-|permission denied/m.test(output) ? output : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    } finally {
      // A failed server has exited already; --force kills one that serves.
      await ok(`ctr task delete --force ${id}`, await ctr(['task', 'delete', '--force', id], 'k8s.io'));
      await ok(`ctr container delete ${id}`, await ctr(['container', 'delete', id], 'k8s.io'));
    }
  };

  it("serves CoreDNS's image: run as nonroot with CAP_NET_BIND_SERVICE alone, it binds port 53 by its file capability", async () => {
    const coredns = await resolveBinary('coredns', { progress: () => undefined });
    const reference = await servedImage(corednsImageSpec(coredns), COREDNS_IMAGE_REPOSITORY, COREDNS_IMAGE_TAG);
    // The Deployment's capabilities: every one of ctr's defaults dropped (ctr takes no ALL) but NET_BIND_SERVICE.
    // With no Corefile in / CoreDNS serves its default (whoami on :53).
    const capabilities = CTR_DEFAULT_CAPABILITIES.filter((name) => name !== 'CAP_NET_BIND_SERVICE').flatMap((name) => [
      '--cap-drop',
      name,
    ]);
    assert.match(await serve(reference, 'coredns-serves', capabilities), /^CoreDNS-1\.14\.2$/m);
    // The same binary without the file capability: the process, not root, has nothing to bind with.
    const plain = corednsImageSpec(coredns);
    const withoutCapability: ImageSpec = {
      ...plain,
      files: plain.files.map((file) =>
        'hostFile' in file ? { path: file.path, hostFile: file.hostFile, mode: file.mode } : file,
      ),
    };
    const control = await servedImage(withoutCapability, 'strata/coredns-without-capability', COREDNS_IMAGE_TAG);
    assert.match(
      await serve(control, 'coredns-refused', capabilities),
      /listen (tcp|udp) :53: bind: permission denied/,
    );
  });

  it("serves a Strata program's image: the pinned Node.js runtime runs its bundle as nonroot, from the image alone", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-node-program-'));
    try {
      const entry = join(dir, 'hello.ts');
      await writeFile(
        entry,
        "import { createHash } from 'node:crypto';\nconsole.log(`${process.version} ${process.getuid?.()} ${createHash('sha256').update('').digest('hex').slice(0, 8)}`);\n",
      );
      const bundle = await bundleNodeProgram({ name: 'hello', entry, cacheRoot: dir });
      const reference = await servedImage(nodeProgramImageSpec({ name: 'hello', bundle }), 'strata/hello', 'v1');
      const runtime = (await runCommand(pinnedNodeRuntime(), ['--version'])).stdout.trim();
      assert.equal(await runInImage(reference, 'node-program', []), `${runtime} 65532 e3b0c442\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a blob whose bytes are not its digest's, with the registry's answer", async () => {
    const bytes = Buffer.from('the bytes that were built');
    const tampered = { digest: sha256Digest(bytes), bytes: Buffer.from('the bytes that were sent') };
    await assert.rejects(pushBlob(target(), tampered), (error: unknown) => {
      assert.ok(error instanceof RegistryPushError, String(error));
      assert.equal(error.context['status'], 400);
      assert.match(String(error.context['body']), /DIGEST_INVALID/);
      assert.match(error.message, /answered PUT .* with 400: .*DIGEST_INVALID/);
      return true;
    });
  });

  it('refuses a registry whose certificate the given CA did not sign', async () => {
    const other = await throwawayTls({ dir, ipAddresses: [REGISTRY_IP], name: 'other' });
    await assert.rejects(pushImage(image, { ...target(), ca: other.ca }), (error: unknown) => {
      assert.ok(error instanceof RegistryPushError, String(error));
      assert.equal(error.context['status'], undefined);
      assert.match(
        error.message,
        /HEAD https:\/\/198\.51\.100\.1:5443\/v2\/strata\/pause\/blobs\/sha256:\w+ failed: .*certificate/,
      );
      return true;
    });
  });

  it('a pull through a mirror whose CA did not sign the registry fails on the certificate', async () => {
    const { crictl } = containerd();
    const pulled = await crictl(['pull', `${UNTRUSTED}/${PAUSE_IMAGE_REPOSITORY}:${PAUSE_VERSION}`]);
    assert.notEqual(pulled.code, 0, pulled.stdout);
    // The mirror's answer, not the unresolvable upstream name's: containerd names the registry and the failed check.
    assert.match(
      pulled.stderr,
      /Head \\?"https:\/\/198\.51\.100\.1:5443\/v2\/strata\/pause\/manifests\/3\.10\.2.*x509: certificate signed by unknown authority/,
    );
  });

  it('leaves no process, mount or cgroup of containerd behind', async () => {
    assert.deepEqual(await containerd().cleanUp(), { processes: [], mounts: [], cgroups: [] });
  });
});

/** Processes whose command line is `command` alone and whose cgroup lies under `cgroupParent`, with their uid. */
async function processesRunning(command: string, cgroupParent: string): Promise<{ pid: number; uid: number }[]> {
  const found: { pid: number; uid: number }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    if (cmdline !== `${command}\0`) continue;
    const cgroup = await readFile(join('/proc', entry, 'cgroup'), 'utf8').catch(() => '');
    if (!cgroup.includes(cgroupParent)) continue;
    const status = await readFile(join('/proc', entry, 'status'), 'utf8').catch(() => '');
    found.push({ pid: Number(entry), uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1) });
  }
  return found;
}
