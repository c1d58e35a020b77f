import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamicProviderScript, engineBackendUrl } from './workspace.ts';

describe('the dynamic provider plugin script', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("runs the provider host with Strata's Node and passes the engine's arguments unchanged, whatever the paths", async () => {
    const dir = await mkdtemp(join(tmpdir(), "strata plugin 'quoted' $HOME-"));
    dirs.push(dir);
    const host = join(dir, 'host.js');
    await writeFile(
      host,
      'process.stdout.write(JSON.stringify({ node: process.execPath, args: process.argv.slice(2) }));\n',
    );
    const script = join(dir, 'pulumi-resource-pulumi-nodejs');
    await writeFile(script, dynamicProviderScript(process.execPath, host));
    await chmod(script, 0o755);
    const run = spawnSync(script, ['--logtostderr', 'an argument with spaces', '$PATH'], {
      encoding: 'utf8',
      env: { PATH: '/nonexistent' },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      node: process.execPath,
      args: ['--logtostderr', 'an argument with spaces', '$PATH'],
    });
  });
});

describe("the engine's backend URL", () => {
  it('asks the file backend to write no metadata sidecars, which it writes in place', () => {
    assert.equal(engineBackendUrl('file:///var/lib/strata/state'), 'file:///var/lib/strata/state?metadata=skip');
    assert.equal(
      engineBackendUrl('file:///srv/state%20dir?create_dir=1'),
      'file:///srv/state%20dir?create_dir=1&metadata=skip',
    );
  });

  it("keeps a file URL's own metadata choice, and every other backend's URL, as given", () => {
    assert.equal(engineBackendUrl('file:///srv/state?metadata=skip'), 'file:///srv/state?metadata=skip');
    for (const url of [
      's3://bucket/prefix?region=eu-west-1',
      'gs://bucket',
      'azblob://container',
      'https://api.pulumi.com',
    ])
      assert.equal(engineBackendUrl(url), url);
  });
});
