import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRenderPlan, loadClusterConfig, planClusterRender } from '@strata/assets';
import { localConfigYaml } from '../testing/install-sandbox.ts';
import { InstallDirectory } from './cluster-dir.ts';
import { withScratchRender } from './scratch-render.ts';

const caOf = async (assetsDir: string) =>
  new X509Certificate(await readFile(join(assetsDir, 'tls', 'ca.crt'))).fingerprint256;

/** Every file under `dir` with its content, to prove a directory unchanged. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, await readFile(path, 'utf8'));
  }
  return files;
}

describe('withScratchRender', () => {
  const roots: string[] = [];
  const aRoot = async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-scratch-test-'));
    roots.push(root);
    return root;
  };
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  it('renders a fresh directory into a private scratch directory that is gone afterwards', async () => {
    const root = await aRoot();
    const configPath = join(root, 'cluster.yaml');
    await writeFile(configPath, localConfigYaml({ name: 'scratch' }));
    const config = await loadClusterConfig(configPath, { hostNetworks: [] });
    const directory = new InstallDirectory(join(root, 'cluster'));
    const seen = await withScratchRender(
      { config, configPath, directory, progress: () => undefined },
      async (scratch) => {
        assert.equal((await stat(scratch.root)).mode & 0o777, 0o700);
        assert.ok(!scratch.root.startsWith(directory.path));
        return { root: scratch.root, ca: await caOf(scratch.assetsDir) };
      },
    );
    assert.match(seen.ca, /^[0-9A-F:]+$/);
    await assert.rejects(stat(seen.root), { code: 'ENOENT' });
    await assert.rejects(stat(directory.path), { code: 'ENOENT' });
  });

  it("reuses an installed directory's keys, changes nothing in it, and cleans up after a failure too", async () => {
    const root = await aRoot();
    const configPath = join(root, 'cluster.yaml');
    await writeFile(configPath, localConfigYaml({ name: 'scratch', workers: 1 }));
    const directory = new InstallDirectory(join(root, 'cluster'));
    await applyRenderPlan(
      await planClusterRender({
        config: await loadClusterConfig(configPath, { hostNetworks: [] }),
        dir: directory.assetsDir,
      }),
    );
    const before = await snapshot(directory.path);
    const changedPath = join(root, 'three.yaml');
    await writeFile(changedPath, localConfigYaml({ name: 'scratch', workers: 3 }));
    const changed = await loadClusterConfig(changedPath, { hostNetworks: [] });
    let scratchRoot = '';
    await assert.rejects(
      withScratchRender(
        { config: changed, configPath: changedPath, directory, progress: () => undefined },
        async (scratch) => {
          scratchRoot = scratch.root;
          assert.equal(await caOf(scratch.assetsDir), await caOf(directory.assetsDir));
          // The render is of the changed config: the new workers have their files in the scratch only.
          const scratchFiles = [...(await snapshot(scratch.assetsDir)).keys()].map((path) =>
            path.slice(scratch.assetsDir.length),
          );
          const installedFiles = [...before.keys()].map((path) => path.slice(directory.assetsDir.length));
          assert.ok(scratchFiles.length > installedFiles.length, `${scratchFiles.length} vs ${installedFiles.length}`);
          throw new Error('the preview failed');
        },
      ),
      /the preview failed/,
    );
    await assert.rejects(stat(scratchRoot), { code: 'ENOENT' });
    assert.deepEqual(await snapshot(directory.path), before);
  });
});
