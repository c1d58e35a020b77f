import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, watch } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IgnitionBuilder } from '@strata/assets';
import { waitFor } from '@strata/host';
import { materializeIgnition } from './rendered-node.ts';

const KEY_DIR = '/etc/strata/tls';
const KEY_COUNT = 8;

/** An Ignition config with private keys (mode 0600) and one public certificate. */
function aNodeWithKeys(): string {
  const builder = new IgnitionBuilder();
  for (let index = 0; index < KEY_COUNT; index++)
    builder.file({ path: `${KEY_DIR}/key-${index}.key`, contents: `PRIVATE KEY ${index}\n`, mode: 0o600 });
  builder.file({ path: `${KEY_DIR}/ca.crt`, contents: 'CERTIFICATE\n', mode: 0o644 });
  return builder.render();
}

describe('materializeIgnition', () => {
  it('never lets a key file exist with a mode others can read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-rendered-node-'));
    try {
      const ignitionPath = join(dir, 'node.ign');
      await writeFile(ignitionPath, aNodeWithKeys());
      const root = join(dir, 'root');
      const keyDir = join(root, KEY_DIR);
      await mkdir(keyDir, { recursive: true });

      // Every file that appears in the key directory (the final names and any
      // temporary ones) is looked at the moment its event arrives.
      const seen = new Map<string, number[]>();
      const watcher = watch(keyDir, (_event, name) => {
        if (name === null) return;
        try {
          const mode = lstatSync(join(keyDir, name)).mode & 0o777;
          seen.set(name, [...(seen.get(name) ?? []), mode]);
        } catch (error) {
          // Renamed away already: the file that replaced it gets its own event.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      });
      try {
        const written = await materializeIgnition(ignitionPath, root);
        assert.equal(written.length, KEY_COUNT + 1);
        // The last event (the certificate's) has arrived: so have those before it.
        await waitFor('the watcher to see the certificate', () => (seen.has('ca.crt') ? true : undefined));
      } finally {
        watcher.close();
      }

      const keyNames = [...seen.keys()].filter((name) => name.includes('.key'));
      for (let index = 0; index < KEY_COUNT; index++)
        assert.ok(seen.has(`key-${index}.key`), `the watcher saw key-${index}.key`);
      const readable = keyNames.flatMap((name) =>
        (seen.get(name) ?? []).filter((mode) => (mode & 0o077) !== 0).map((mode) => `${name}: ${mode.toString(8)}`),
      );
      assert.deepEqual(readable, []);
      for (let index = 0; index < KEY_COUNT; index++)
        assert.equal((await stat(join(keyDir, `key-${index}.key`))).mode & 0o777, 0o600);
      assert.equal((await stat(join(keyDir, 'ca.crt'))).mode & 0o777, 0o644);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes the directories of the config with their mode, as Ignition does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-rendered-node-'));
    try {
      const ignitionPath = join(dir, 'node.ign');
      await writeFile(
        ignitionPath,
        new IgnitionBuilder()
          .directory({ path: '/var/lib/strata-update-server', mode: 0o700, user: { id: 65532 }, group: { id: 65532 } })
          .render(),
      );
      const root = join(dir, 'root');
      assert.deepEqual(await materializeIgnition(ignitionPath, root), ['/var/lib/strata-update-server']);
      const made = await stat(join(root, 'var/lib/strata-update-server'));
      assert.ok(made.isDirectory());
      assert.equal(made.mode & 0o777, 0o700);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
