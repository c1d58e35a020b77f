// Finding Ignition's dracut module: through `go mod download -json`, here a stand-in `go` on PATH that answers for a
// module directory made by the test, so that neither Go nor its module cache is needed.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NodeImageBuildError } from './errors.ts';
import { IGNITION_GO_MODULE, ignitionDracutFiles } from './ignition-module.ts';

describe("Ignition's dracut module from its Go module source", () => {
  let root: string;
  let moduleDir: string;

  /** A `go` that prints `answer` and exits with `code`, whatever it is asked. */
  async function fakeGo(answer: unknown, code = 0): Promise<NodeJS.ProcessEnv> {
    const bin = await mkdtemp(join(root, 'bin-'));
    await writeFile(join(bin, 'answer.json'), JSON.stringify(answer));
    await writeFile(join(bin, 'go'), `#!/bin/sh\ncat '${join(bin, 'answer.json')}'\nexit ${String(code)}\n`);
    await chmod(join(bin, 'go'), 0o755);
    return { PATH: `${bin}:/usr/bin:/bin` };
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-ignition-module-'));
    moduleDir = join(root, 'ignition@v9.9.9');
    await mkdir(join(moduleDir, 'dracut', '30ignition'), { recursive: true });
    for (const name of [
      'module-setup.sh',
      'ignition-generator',
      'ignition-files.service',
      'ignition-complete.target',
    ]) {
      await writeFile(join(moduleDir, 'dracut', '30ignition', name), `${name}\n`, { mode: 0o444 });
    }
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists the module files sorted, with what dracut runs executable and the rest not', async () => {
    const env = await fakeGo({ Path: IGNITION_GO_MODULE, Version: 'v9.9.9', Dir: moduleDir });
    const files = await ignitionDracutFiles(env, 'v9.9.9');
    assert.deepEqual(
      files.map((file) => [file.name, file.mode.toString(8)]),
      [
        ['ignition-complete.target', '644'],
        ['ignition-files.service', '644'],
        ['ignition-generator', '755'],
        ['module-setup.sh', '755'],
      ],
    );
    assert.equal(files[0]?.source, join(moduleDir, 'dracut', '30ignition', 'ignition-complete.target'));
  });

  it('refuses an answer for another version, and a failed go', async () => {
    await assert.rejects(
      ignitionDracutFiles(await fakeGo({ Path: IGNITION_GO_MODULE, Version: 'v9.9.8', Dir: moduleDir }), 'v9.9.9'),
      (error: unknown) => error instanceof NodeImageBuildError && /said something else/.test(error.message),
    );
    await assert.rejects(
      ignitionDracutFiles(await fakeGo({ Error: 'no network' }, 1), 'v9.9.9'),
      (error: unknown) => error instanceof NodeImageBuildError && /failed \(exit 1\)/.test(error.message),
    );
  });

  it("reads Go's module cache where Go keeps it when there is no Go on PATH", async () => {
    const noGo = await mkdtemp(join(root, 'no-go-'));
    const cache = join(root, 'modcache');
    await mkdir(join(cache, 'github.com', 'coreos', 'ignition', 'v2@v9.9.9', 'dracut', '30ignition'), {
      recursive: true,
    });
    await writeFile(join(cache, 'github.com/coreos/ignition/v2@v9.9.9/dracut/30ignition/module-setup.sh'), 'x\n');
    const files = await ignitionDracutFiles({ PATH: noGo, GOMODCACHE: cache }, 'v9.9.9');
    assert.deepEqual(
      files.map((file) => file.source),
      [join(cache, 'github.com/coreos/ignition/v2@v9.9.9/dracut/30ignition/module-setup.sh')],
    );
    // GOPATH's first entry, then pkg/mod, when GOMODCACHE is not set.
    const gopath = join(root, 'gopath');
    await mkdir(join(gopath, 'pkg'), { recursive: true });
    await symlink(cache, join(gopath, 'pkg', 'mod'));
    assert.equal((await ignitionDracutFiles({ PATH: noGo, GOPATH: `${gopath}:/elsewhere` }, 'v9.9.9')).length, 1);
    await assert.rejects(
      ignitionDracutFiles({ PATH: noGo, GOMODCACHE: join(root, 'empty') }, 'v9.9.9'),
      /Go is not on PATH and Go's module cache has no/,
    );
  });

  it('refuses a directory without a dracut module', async () => {
    const env = await fakeGo({ Path: IGNITION_GO_MODULE, Version: 'v9.9.9', Dir: root });
    await assert.rejects(ignitionDracutFiles(env, 'v9.9.9'), /holds no dracut module/);
  });
});
