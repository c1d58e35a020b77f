// A release built as the main module (OpenTofu's kind): the module `go mod download` reports must carry the pinned
// checksum, or nothing is built. Uses the local Go toolchain and its module cache (or the module proxy).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMPONENTS, RELEASES, type ReleaseSpec } from './components.ts';
import { GoBuildError } from './errors.ts';
import { emptyPackage, findGo, goBuild, goBuildArgs, goBuildEnvironment } from './go-build.ts';

const pinned = RELEASES.opentofu;

describe('main-module Go builds', () => {
  it('takes the minimum Go version from the pinned module, not from a wrapper go.mod', async () => {
    const go = await findGo(pinned, process.env);
    assert.ok(go.ok, go.ok ? '' : go.reason);
    const tooNew: ReleaseSpec = { ...pinned, mainModule: { path: 'example.invalid/m', sum: 'h1:x', go: '9.99.0' } };
    const refused = await findGo(tooNew, process.env);
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.reason, /needs go9\.99\.0 or newer/);
  });

  it('refuses a module whose checksum is not the pinned one, builds nothing and leaves no copy behind', async () => {
    const module = pinned.mainModule;
    assert.ok(module !== undefined);
    const tampered: ReleaseSpec = {
      ...pinned,
      mainModule: { ...module, sum: 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
    };
    const out = await mkdtemp(join(tmpdir(), 'strata-go-build-test-'));
    const copiesBefore = (await readdir(tmpdir())).filter((name) => name.startsWith('strata-go-main-module-'));
    try {
      await assert.rejects(
        goBuild(tampered, COMPONENTS.tofu, join(out, 'tofu'), process.env, () => undefined),
        (error: unknown) => {
          assert.ok(error instanceof GoBuildError);
          assert.match(
            error.message,
            new RegExp(`reported ${module.sum.replaceAll('+', '\\+')}, not the pinned h1:AAAA`),
          );
          return true;
        },
      );
      assert.deepEqual(await readdir(out), []);
      const copiesAfter = (await readdir(tmpdir())).filter((name) => name.startsWith('strata-go-main-module-'));
      assert.deepEqual(
        copiesAfter.filter((name) => !copiesBefore.includes(name)),
        [],
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('cgo builds', () => {
  const out = '/nowhere/bin';

  it('builds every release but runc, Ignition and flannel static with CGO_ENABLED=0 and no tags, whatever the caller set', () => {
    const env = { PATH: '/usr/bin', CGO_ENABLED: '1', GOFLAGS: '-buildvcs=false' };
    for (const component of [COMPONENTS.kubelet, COMPONENTS.containerd, COMPONENTS.bridge, COMPONENTS.crictl]) {
      const release = RELEASES[component.release];
      assert.equal(release.cgo, undefined);
      assert.deepEqual(goBuildEnvironment(release, env), {
        PATH: '/usr/bin',
        CGO_ENABLED: '0',
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-buildvcs=false -mod=readonly',
      });
      const args = goBuildArgs(release, component, out);
      assert.ok(!args.includes('-tags'), args.join(' '));
      assert.ok(!args.includes('-buildmode=pie'), args.join(' '));
      assert.doesNotMatch(args[args.indexOf('-ldflags') + 1] ?? '', /-linkmode/);
    }
  });

  it('builds runc with cgo, its seccomp tag, and links it as a static PIE', () => {
    const env = goBuildEnvironment(RELEASES.runc, { PATH: '/usr/bin' });
    assert.equal(env['CGO_ENABLED'], '1');
    assert.equal(env['GOFLAGS'], '-mod=readonly');
    assert.deepEqual(goBuildArgs(RELEASES.runc, COMPONENTS.runc, out), [
      'build',
      '-v',
      '-trimpath',
      '-buildmode=pie',
      '-tags',
      'seccomp,urfave_cli_no_docs,netgo,osusergo',
      '-ldflags',
      '-s -w -linkmode external -extldflags -static-pie',
      '-o',
      out,
      'github.com/opencontainers/runc',
    ]);
  });

  it('builds Ignition and ignition-validate with cgo and no tags (as its build script), linked as static PIEs', () => {
    const env = goBuildEnvironment(RELEASES.ignition, { PATH: '/usr/bin' });
    assert.equal(env['CGO_ENABLED'], '1');
    for (const component of [COMPONENTS.ignition, COMPONENTS['ignition-validate']]) {
      assert.deepEqual(goBuildArgs(RELEASES.ignition, component, out), [
        'build',
        '-v',
        '-trimpath',
        '-buildmode=pie',
        '-ldflags',
        '-s -w -linkmode external -extldflags -static-pie -X github.com/coreos/ignition/v2/internal/version.Raw=v2.24.0 -X github.com/coreos/ignition/v2/internal/distro.selinuxRelabel=false',
        '-o',
        out,
        component.goPackage,
      ]);
    }
    assert.deepEqual(RELEASES.ignition.cgo?.debianPackages, ['gcc', 'libc6-dev', 'pkg-config', 'libblkid-dev']);
  });

  it('a failed cgo build names the Debian packages it needs', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'strata-go-build-test-'));
    try {
      // A C compiler that always fails: what a machine without gcc, or without libseccomp-dev's headers, comes to.
      const env = { ...process.env, CC: 'false' };
      await assert.rejects(
        goBuild(RELEASES.runc, COMPONENTS.runc, join(scratch, 'runc'), env, () => undefined),
        (error: unknown) => {
          assert.ok(error instanceof GoBuildError, String(error));
          assert.match(error.message, /go build of runc v1\.5\.3 failed/);
          assert.match(
            error.message,
            /runc is built with cgo and linked static: it needs the Debian packages gcc, libc6-dev, pkg-config, libseccomp-dev/,
          );
          return true;
        },
      );
      assert.deepEqual(await readdir(scratch), []);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('release builds as their own builds make them', () => {
  const out = '/nowhere/bin';

  it("builds CoreDNS with CGO_ENABLED=0 and its Makefile's grpcnotrace tag, stamped with the tag's commit", () => {
    assert.equal(goBuildEnvironment(RELEASES.coredns, { PATH: '/usr/bin' })['CGO_ENABLED'], '0');
    assert.deepEqual(goBuildArgs(RELEASES.coredns, COMPONENTS.coredns, out), [
      'build',
      '-v',
      '-trimpath',
      '-tags',
      'grpcnotrace',
      '-ldflags',
      '-s -w -X github.com/coredns/coredns/coremain.GitCommit=dd1df4f',
      '-o',
      out,
      'github.com/coredns/coredns',
    ]);
  });

  it("builds flanneld as the main module with cgo, as flannel's amd64 release, linked as a static PIE", () => {
    const release = RELEASES.flannel;
    assert.equal(goBuildEnvironment(release, { PATH: '/usr/bin' })['CGO_ENABLED'], '1');
    assert.deepEqual(goBuildArgs(release, COMPONENTS.flanneld, out), [
      'build',
      '-v',
      '-trimpath',
      '-buildmode=pie',
      '-ldflags',
      '-s -w -linkmode external -extldflags -static-pie -X github.com/flannel-io/flannel/pkg/version.Version=v0.28.9',
      '-o',
      out,
      '.',
    ]);
    assert.equal(release.mainModule?.path, 'github.com/flannel-io/flannel');
    assert.deepEqual(
      release.mainModule.emptiedPackages?.map((emptied) => emptied.dir),
      ['pkg/backend/tencentvpc'],
    );
  });

  it('empties a package of a module copy: one file, the same package name, saying why', async () => {
    const module = await mkdtemp(join(tmpdir(), 'strata-go-build-test-'));
    try {
      const dir = join(module, 'pkg', 'backend', 'cloud');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'cloud.go'), '// Package cloud.\npackage cloud\n\nimport _ "example.invalid/sdk"\n');
      await writeFile(join(dir, 'cloud_windows.go'), 'package cloud\n');
      await writeFile(join(dir, 'cloud_test.go'), 'package cloud_test\n');
      await writeFile(join(dir, 'README.md'), 'kept\n');
      await emptyPackage(module, { dir: 'pkg/backend/cloud', why: 'its SDK is not served' });
      assert.deepEqual((await readdir(dir)).sort(), ['README.md', 'emptied.go']);
      assert.equal(
        await readFile(join(dir, 'emptied.go'), 'utf8'),
        "// Emptied by Strata's build (foundations/binaries): its SDK is not served.\npackage cloud\n",
      );
      await assert.rejects(emptyPackage(module, { dir: 'pkg/none', why: 'x' }), GoBuildError);
    } finally {
      await rm(module, { recursive: true, force: true });
    }
  });
});
