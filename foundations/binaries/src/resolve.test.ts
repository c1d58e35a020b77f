import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { resolveAllBinaries, resolveBinaries, resolveBinary, type ResolvedBinaries } from './resolve.ts';
import { BinariesUnavailableError, BinaryResolutionError } from './errors.ts';
import { BUTANE_VERSION, ETCD_VERSION, KUBERNETES_VERSION, PULUMI_VERSION } from './components.ts';

/** PATH without any directory that holds a `go` executable: a machine with no Go toolchain. */
function pathWithoutGo(): string {
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => {
      try {
        accessSync(join(dir, 'go'), constants.X_OK);
        return false;
      } catch {
        return true;
      }
    })
    .join(delimiter);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A tiny release mirror on loopback: path → body. */
async function serveMirror(files: Map<string, Uint8Array | string>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}` };
}

const quiet = () => undefined;

describe('control-plane binary resolution', () => {
  let real: ResolvedBinaries;
  let realPulumi: string;
  let scratch: string;

  before(async () => {
    // The real binaries, from the developer's cache (or built now, once).
    real = await resolveAllBinaries();
    realPulumi = await resolveBinary('pulumi');
    scratch = await mkdtemp(join(tmpdir(), 'strata-binaries-test-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('with no Go toolchain and no network, names the three ways to provide the binaries', async () => {
    const cacheRoot = await mkdtemp(join(scratch, 'empty-cache-'));
    // A port that was free a moment ago: nothing listens, the connection is refused at once.
    const { server } = await serveMirror(new Map());
    const address = server.address();
    const closedPort = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise((resolve) => server.close(resolve));
    const env = {
      PATH: pathWithoutGo(),
      HOME: scratch,
      STRATA_KUBERNETES_DOWNLOAD_URL: `http://127.0.0.1:${closedPort}/release`,
    };
    await assert.rejects(
      resolveBinaries({ components: ['kube-apiserver'], env, cacheRoot, progress: quiet }),
      (error: unknown) => {
        assert.ok(error instanceof BinariesUnavailableError, `expected BinariesUnavailableError, got ${String(error)}`);
        assert.match(error.message, /Cannot obtain kubernetes v1\.36\.3/);
        assert.match(error.message, /cache .*empty-cache-.*: no valid kubernetes v1\.36\.3 binaries/);
        assert.match(error.message, /`go` was not found on PATH/);
        assert.match(
          error.message,
          new RegExp(`GET http://127\\.0\\.0\\.1:${closedPort}/release/.* failed: ECONNREFUSED`),
        );
        assert.match(error.message, /1\. Point STRATA_BIN_DIR at a directory/);
        assert.match(error.message, /2\. Install Go/);
        assert.match(error.message, /3\. Allow this machine to reach http:\/\/127\.0\.0\.1:\d+\/release/);
        return true;
      },
    );
  });

  it('prefers STRATA_BIN_DIR over everything else', async () => {
    const dir = await mkdtemp(join(scratch, 'bin-dir-'));
    await symlink(real.kubectl, join(dir, 'kubectl'));
    const resolution = await resolveBinaries({
      components: ['kubectl'],
      env: { PATH: pathWithoutGo(), STRATA_BIN_DIR: dir },
      cacheRoot: join(scratch, 'unused-cache'),
      progress: quiet,
    });
    assert.equal(resolution.paths.kubectl, join(dir, 'kubectl'));
    assert.equal(resolution.sources.kubectl, 'directory');
  });

  it('refuses a STRATA_BIN_DIR binary of the wrong version, saying what it printed', async () => {
    const dir = await mkdtemp(join(scratch, 'wrong-bin-dir-'));
    await symlink(real.etcdctl, join(dir, 'kubectl'));
    await assert.rejects(
      resolveBinaries({
        components: ['kubectl'],
        env: { PATH: process.env['PATH'] ?? '', STRATA_BIN_DIR: dir },
        progress: quiet,
      }),
      (error: unknown) => {
        assert.ok(error instanceof BinaryResolutionError);
        assert.match(error.message, new RegExp(`is not kubectl ${KUBERNETES_VERSION}`));
        return true;
      },
    );
  });

  it('rebuilds a cached binary whose checksum does not match, and never runs it', async () => {
    const cacheRoot = await mkdtemp(join(scratch, 'corrupt-cache-'));
    const entry = join(cacheRoot, 'bin', `etcdctl-${ETCD_VERSION}`);
    await mkdir(entry, { recursive: true });
    // A binary that would leave a mark if it were ever executed.
    const marker = join(scratch, 'tampered-binary-ran');
    await writeFile(join(entry, 'etcdctl'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    await writeFile(join(entry, 'etcdctl.sha256'), `${'0'.repeat(64)}  etcdctl\n`);
    const messages: string[] = [];
    const resolution = await resolveBinaries({
      components: ['etcdctl'],
      env: process.env,
      cacheRoot,
      progress: (message) => messages.push(message),
    });
    assert.equal(resolution.sources.etcdctl, 'go-build');
    assert.ok(
      messages.some((message) => /cached etcdctl v3\.6\.16 is unusable \(checksum mismatch/.test(message)),
      messages.join('\n'),
    );
    const version = spawnSync(resolution.paths.etcdctl ?? '', ['version'], { encoding: 'utf8' });
    assert.match(version.stdout, /etcdctl version: 3\.6\.16/);
    await assert.rejects(readFile(marker), 'the tampered binary must never run');

    // The rebuilt entry is now valid and used as it is.
    const again = await resolveBinaries({ components: ['etcdctl'], env: process.env, cacheRoot, progress: quiet });
    assert.equal(again.sources.etcdctl, 'cache');
  });

  it('runs one build when several processes ask for the same version at once', async () => {
    const cacheRoot = await mkdtemp(join(scratch, 'concurrent-cache-'));
    const resolver = new URL('./resolve.ts', import.meta.url).href;
    const program = `
      const { resolveBinaries } = await import(${JSON.stringify(resolver)});
      const { sources } = await resolveBinaries({ components: ['etcdctl'] });
      process.stdout.write(JSON.stringify({ etcdctl: { source: sources.etcdctl } }));`;
    const ask = () =>
      new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--input-type=module', '--eval', program],
          { env: { ...process.env, STRATA_CACHE_DIR: cacheRoot } },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
        );
      });
    const answers = await Promise.all([ask(), ask()]);
    const sources = answers
      .map(({ stdout }) => (JSON.parse(stdout) as { etcdctl: { source: string } }).etcdctl.source)
      .sort();
    assert.deepEqual(sources, ['cache', 'go-build']);
    const builds = answers
      .flatMap(({ stderr }) => stderr.split('\n'))
      .filter((line) => line.includes('building etcdctl'));
    assert.equal(builds.length, 1, answers.map(({ stderr }) => stderr).join('\n---\n'));
  });

  it('downloads official release files and checks their published checksums', async () => {
    const kubectl = await readFile(real.kubectl);
    const path = `/release/${KUBERNETES_VERSION}/bin/linux/amd64/kubectl`;
    const { server, url } = await serveMirror(
      new Map<string, Uint8Array | string>([
        [path, kubectl],
        [`${path}.sha256`, sha256(kubectl)],
      ]),
    );
    try {
      const cacheRoot = await mkdtemp(join(scratch, 'download-cache-'));
      const resolution = await resolveBinaries({
        components: ['kubectl'],
        env: { PATH: pathWithoutGo(), STRATA_KUBERNETES_DOWNLOAD_URL: `${url}/release` },
        cacheRoot,
        progress: quiet,
      });
      assert.equal(resolution.sources.kubectl, 'download');
      assert.equal(sha256(await readFile(resolution.paths.kubectl ?? '')), sha256(kubectl));
    } finally {
      server.close();
    }
  });

  it('refuses a download whose checksum does not match what the release publishes', async () => {
    const path = `/release/${KUBERNETES_VERSION}/bin/linux/amd64/kube-scheduler`;
    const { server, url } = await serveMirror(
      new Map<string, Uint8Array | string>([
        [path, 'not the real kube-scheduler'],
        [`${path}.sha256`, sha256(Buffer.from('something else'))],
      ]),
    );
    try {
      await assert.rejects(
        resolveBinaries({
          components: ['kube-scheduler'],
          env: { PATH: pathWithoutGo(), STRATA_KUBERNETES_DOWNLOAD_URL: `${url}/release` },
          cacheRoot: await mkdtemp(join(scratch, 'bad-download-cache-')),
          progress: quiet,
        }),
        (error: unknown) => error instanceof BinariesUnavailableError && /checksum mismatch/.test(error.message),
      );
    } finally {
      server.close();
    }
  });

  it('downloads etcd from its release tarball', async () => {
    const staging = await mkdtemp(join(scratch, 'etcd-tarball-'));
    const folder = `etcd-${ETCD_VERSION}-linux-amd64`;
    await mkdir(join(staging, folder));
    await copyFile(real.etcd, join(staging, folder, 'etcd'));
    await copyFile(real.etcdctl, join(staging, folder, 'etcdctl'));
    const tar = spawnSync('tar', ['-czf', join(staging, `${folder}.tar.gz`), '-C', staging, folder]);
    assert.equal(tar.status, 0, String(tar.stderr));
    const tarball = await readFile(join(staging, `${folder}.tar.gz`));
    const { server, url } = await serveMirror(
      new Map<string, Uint8Array | string>([
        [`/etcd/${ETCD_VERSION}/${folder}.tar.gz`, tarball],
        [`/etcd/${ETCD_VERSION}/SHA256SUMS`, `${sha256(tarball)}  ${folder}.tar.gz\n`],
      ]),
    );
    try {
      const resolution = await resolveBinaries({
        components: ['etcd', 'etcdctl'],
        env: { PATH: pathWithoutGo(), STRATA_ETCD_DOWNLOAD_URL: `${url}/etcd` },
        cacheRoot: await mkdtemp(join(scratch, 'etcd-download-cache-')),
        progress: quiet,
      });
      assert.equal(resolution.sources.etcd, 'download');
      const version = spawnSync(resolution.paths.etcd ?? '', ['--version'], { encoding: 'utf8' });
      assert.match(version.stdout, /etcd Version: 3\.6\.16/);
    } finally {
      server.close();
    }
  });

  it('provides the Pulumi CLI by name, stamped with its release version, but not among the control-plane binaries', async () => {
    assert.equal('pulumi' in real, false, 'resolveAllBinaries is for the control plane only');
    const version = spawnSync(realPulumi, ['version'], {
      encoding: 'utf8',
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: 'true' },
    });
    assert.equal(version.stdout.trim(), PULUMI_VERSION);
    const again = await resolveBinaries({ components: ['pulumi'], progress: quiet });
    assert.deepEqual(again, { paths: { pulumi: realPulumi }, sources: { pulumi: 'cache' } });
  });

  it('builds Butane from Go modules, stamped with its version, checksummed in the cache, with no download to fall back on', async () => {
    const butane = await resolveBinary('butane');
    const version = spawnSync(butane, ['--version'], { encoding: 'utf8' });
    assert.equal(version.stdout.trim(), `Butane ${BUTANE_VERSION}`);
    const again = await resolveBinaries({ components: ['butane'], progress: quiet });
    assert.deepEqual(again, { paths: { butane }, sources: { butane: 'cache' } });
    // Without Go, the message offers the two ways that exist: Butane publishes no checksum list to download against.
    const cacheRoot = await mkdtemp(join(scratch, 'butane-no-go-'));
    await assert.rejects(
      resolveBinaries({ components: ['butane'], cacheRoot, env: { PATH: '/nonexistent' }, progress: quiet }),
      (error: unknown) =>
        error instanceof BinariesUnavailableError &&
        error.message.includes('Provide the binaries in one of two ways:') &&
        error.message.includes('download: butane publishes no release binaries with checksums'),
    );
  });

  it('takes pulumi from STRATA_BIN_DIR after checking its version', async () => {
    const dir = await mkdtemp(join(scratch, 'pulumi-bin-dir-'));
    await symlink(realPulumi, join(dir, 'pulumi'));
    const resolution = await resolveBinaries({
      components: ['pulumi'],
      env: { PATH: pathWithoutGo(), STRATA_BIN_DIR: dir },
      progress: quiet,
    });
    assert.deepEqual(resolution.sources, { pulumi: 'directory' });
  });

  it("downloads Pulumi from its release tarball, whose folder has the binary's own name", async () => {
    const staging = await mkdtemp(join(scratch, 'pulumi-tarball-'));
    const archive = `pulumi-${PULUMI_VERSION}-linux-x64.tar.gz`;
    await mkdir(join(staging, 'pulumi'));
    await copyFile(realPulumi, join(staging, 'pulumi', 'pulumi'));
    // Fastest compression: this test is about the layout, not the archive.
    const tar = spawnSync('tar', ['-I', 'gzip -1', '-cf', join(staging, archive), '-C', staging, 'pulumi']);
    assert.equal(tar.status, 0, String(tar.stderr));
    const tarball = await readFile(join(staging, archive));
    const { server, url } = await serveMirror(
      new Map<string, Uint8Array | string>([
        [`/sdk/${archive}`, tarball],
        [
          `/sdk/pulumi-${PULUMI_VERSION.slice(1)}-checksums.txt`,
          `${sha256(Buffer.from('other'))}  pulumi-${PULUMI_VERSION}-darwin-x64.tar.gz\n${sha256(tarball)}  ${archive}\n`,
        ],
      ]),
    );
    try {
      const resolution = await resolveBinaries({
        components: ['pulumi'],
        env: { PATH: pathWithoutGo(), STRATA_PULUMI_DOWNLOAD_URL: `${url}/sdk` },
        cacheRoot: await mkdtemp(join(scratch, 'pulumi-download-cache-')),
        progress: quiet,
      });
      assert.equal(resolution.sources.pulumi, 'download');
      assert.equal(sha256(await readFile(resolution.paths.pulumi ?? '')), sha256(await readFile(realPulumi)));
    } finally {
      server.close();
    }
  });
});
