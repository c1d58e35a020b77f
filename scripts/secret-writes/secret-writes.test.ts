import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { checkSecretWrites, findSecretWrites } from './secret-writes.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const messages = (source: string) =>
  findSecretWrites('x.ts', source).map((finding) => `${finding.line}: ${finding.message}`);

describe('secret file writes', () => {
  it('all go through writeFileAtomic in the whole tree', async () => {
    const findings = await checkSecretWrites(ROOT);
    assert.deepEqual(
      findings.map((finding) => `${finding.file}:${finding.line}: ${finding.message}`),
      [],
    );
  });
});

describe('findSecretWrites', () => {
  it('finds a chmod after a write, whatever the mode expression', () => {
    assert.deepEqual(messages('await writeFile(target, data);\nawait chmod(target, file.mode ?? 0o644);\n'), [
      '2: chmod(…, file.mode ?? 0o644) after a write: the file was readable until then; use writeFileAtomic with the final mode',
    ]);
    assert.equal(messages('fs.chmodSync(key, SECRET_FILE_MODE);').length, 1);
    assert.equal(messages('await handle.chmod(SECRET_FILE_MODE);').length, 1);
  });

  it('finds a write that sets a private mode itself', () => {
    assert.deepEqual(messages('await writeFile(partial, text, { mode: SECRET_FILE_MODE });'), [
      '1: writeFile with mode SECRET_FILE_MODE: a private file must be created through writeFileAtomic',
    ]);
    assert.equal(messages("const handle = await open(path, 'wx', mode);").length, 1);
    assert.equal(messages('createWriteStream(path, { flags: "a", mode: keyMode })').length, 1);
  });

  it('finds the literal private modes', () => {
    assert.deepEqual(messages('await writeFileAtomic(path, text, 0o600);'), [
      '1: the literal 0o600: use SECRET_FILE_MODE with writeFileAtomic',
    ]);
    assert.equal(messages('const mode = 0o400;').length, 1);
  });

  it('lets public and executable modes, and the helper, pass', () => {
    assert.deepEqual(
      messages(
        [
          'await chmod(cli, 0o755);',
          'await writeFile(path, bytes, { mode: 0o755 });',
          "await open(path, 'r');",
          'await writeFileAtomic(path, key, SECRET_FILE_MODE);',
          'if ((info.mode & 0o044) !== 0) throw new Error("chmod 600 the key");',
        ].join('\n'),
      ),
      [],
    );
  });
});
