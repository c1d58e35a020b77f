// A release built as the main module (OpenTofu's kind): the module `go mod download` reports must carry the pinned
// checksum, or nothing is built. Uses the local Go toolchain and its module cache (or the module proxy).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMPONENTS, RELEASES, type ReleaseSpec } from './components.ts';
import { GoBuildError } from './errors.ts';
import { findGo, goBuild } from './go-build.ts';

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
