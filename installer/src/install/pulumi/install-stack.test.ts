import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InstallDirectory } from '../cluster-dir.ts';
import { removeTornSidecars } from './install-stack.ts';

describe("a killed run's torn state metadata", () => {
  const roots: string[] = [];
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  async function aDirectoryWithSidecars(sidecars: Record<string, string>): Promise<InstallDirectory> {
    const root = await mkdtemp(join(tmpdir(), 'strata-install-stack-'));
    roots.push(root);
    const directory = new InstallDirectory(root);
    for (const [path, text] of Object.entries(sidecars)) {
      const file = join(directory.stateDir, '.pulumi', path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    }
    return directory;
  }

  const identity = (backend: string) => ({
    cluster: 'lab',
    platform: 'bare-metal' as const,
    backend,
    createdAt: '2026-12-07T21:00:00.000Z',
  });

  it('removes the sidecars that are not JSON (a write cut short) and keeps whole ones and the checkpoints', async () => {
    const directory = await aDirectoryWithSidecars({
      'stacks/strata/lab.json': '{"version":3}',
      'stacks/strata/lab.json.attrs': '',
      'stacks/strata/lab.json.bak.attrs': '{"user.content_type":"application/octet',
      'meta.yaml.attrs': '{"user.content_type":"application/octet-stream"}\n',
    });
    const removed = await removeTornSidecars(directory, identity(`file://${directory.stateDir}`));
    const pulumiDir = join(directory.stateDir, '.pulumi');
    assert.deepEqual(removed.sort(), [
      join(pulumiDir, 'stacks/strata/lab.json.attrs'),
      join(pulumiDir, 'stacks/strata/lab.json.bak.attrs'),
    ]);
    assert.deepEqual((await readdir(pulumiDir, { recursive: true })).sort(), [
      'meta.yaml.attrs',
      'stacks',
      'stacks/strata',
      'stacks/strata/lab.json',
    ]);
  });

  it('touches nothing of a backend that is not a local directory, nor a directory with no state yet', async () => {
    const directory = await aDirectoryWithSidecars({ 'stacks/strata/lab.json.attrs': '' });
    assert.deepEqual(await removeTornSidecars(directory, identity('s3://bucket/state')), []);
    assert.deepEqual(await readdir(join(directory.stateDir, '.pulumi', 'stacks', 'strata')), ['lab.json.attrs']);
    const empty = new InstallDirectory(join(directory.path, 'not-yet'));
    assert.deepEqual(await removeTornSidecars(empty, identity('file:///nowhere')), []);
  });
});
