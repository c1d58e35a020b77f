import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidOsInputError } from './errors.ts';
import { parseUpdateConf, readUpdateConf, UPDATE_CONF_PATH } from './update-conf.ts';

describe('parseUpdateConf', () => {
  it('reads SERVER and GROUP, skipping comments and blank lines, the last assignment winning', () => {
    const conf = parseUpdateConf(
      '# written by Ignition\n\nGROUP=beta\nSERVER=https://updates.example.test/v1/update/\nGROUP=stable\n',
      'update.conf',
    );
    assert.deepEqual(conf, { server: 'https://updates.example.test/v1/update/', group: 'stable' });
  });

  it('has neither when the file names neither', () =>
    assert.deepEqual(parseUpdateConf('REBOOT_STRATEGY=off\n', 'u'), { server: undefined, group: undefined }));

  it('refuses a SERVER that is not an http(s) URL ending in /, naming the field', () => {
    for (const server of ['ftp://x/v1/update/', 'updates.example.test', 'https://x/v1/update'])
      assert.throws(
        () => parseUpdateConf(`SERVER=${server}\n`, 'update.conf'),
        (error: unknown) => error instanceof InvalidOsInputError && /SERVER/.test(error.message),
        server,
      );
  });

  it('refuses a GROUP with quotes or spaces, and a line that is not KEY=VALUE', () => {
    assert.throws(() => parseUpdateConf('GROUP=team "blue"\n', 'u'), /GROUP/);
    assert.throws(() => parseUpdateConf('just words\n', 'u'), /not KEY=VALUE/);
  });
});

describe('readUpdateConf', () => {
  it("reads the file under a machine's root, and treats a missing file as empty", async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-update-conf-'));
    try {
      assert.deepEqual(await readUpdateConf(root), { server: undefined, group: undefined });
      const path = join(root, UPDATE_CONF_PATH);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, 'SERVER=http://127.0.0.1:8080/v1/update/\nGROUP=canary\n');
      assert.deepEqual(await readUpdateConf(root), { server: 'http://127.0.0.1:8080/v1/update/', group: 'canary' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
