import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawIgnitionError, serveRawIgnition } from './raw-ignition.ts';

/** The empty parts Go writes for every 3.4 config: its structs are never omitted. */
const EMPTY_IGNITION = '"config":{"replace":{"verification":{}}},"proxy":{},"security":{"tls":{}},"timeouts":{}';

const served = (config: unknown) => JSON.parse(serveRawIgnition(JSON.stringify(config))) as Record<string, unknown>;

describe('serveRawIgnition (matchbox decodes .ign files as Ignition 3.0-3.4 and serves 3.4.0)', () => {
  it('answers byte for byte what matchbox answers for a 3.0 config with a comment, a null and an HTML character', () => {
    const file =
      '{"_comment":"x","ignition":{"version":"3.0.0"},"storage":{"files":[' +
      '{"path":"/a<b","contents":{"source":"data:,x"},"mode":420,"overwrite":null}]}}';
    assert.equal(
      serveRawIgnition(file),
      `{"ignition":{${EMPTY_IGNITION},"version":"3.4.0"},"kernelArguments":{},"passwd":{},` +
        '"storage":{"files":[{"group":{},"path":"/a\\u003cb","user":{},"contents":{"source":"data:,x","verification":{}},"mode":420}]},' +
        '"systemd":{}}',
    );
  });

  it('drops keys Ignition does not know, at any depth', () => {
    const config = served({
      _comment: 'top',
      ignition: { version: '3.4.0', _note: 1 },
      passwd: { users: [{ name: 'core', _comment: 'ops', sshAuthorizedKeys: ['ssh-ed25519 AAAA'] }] },
    });
    assert.equal('_comment' in config, false);
    assert.deepEqual(config.passwd, { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA'] }] });
    assert.equal(JSON.stringify(config).includes('_note'), false);
  });

  it('matches keys ignoring case, as Go does, and writes them in the spec spelling', () => {
    const config = served({ Ignition: { Version: '3.2.0' }, STORAGE: { Files: [{ Path: '/x' }] } });
    assert.deepEqual((config.storage as { files: { path: string }[] }).files[0]?.path, '/x');
    assert.equal((config.ignition as { version: string }).version, '3.4.0');
  });

  it('keeps fields only the declared version has, and those 3.4 added when the config declares 3.4', () => {
    const config = served({ ignition: { version: '3.4.0' }, kernelArguments: { shouldExist: ['quiet'] } });
    assert.deepEqual(config.kernelArguments, { shouldExist: ['quiet'] });
    const old = served({ ignition: { version: '3.0.0' }, kernelArguments: { shouldExist: ['quiet'] } });
    assert.deepEqual(old.kernelArguments, {}, 'Ignition 3.0 has no kernelArguments, so decoding drops them');
  });

  for (const [what, text] of [
    ['not JSON', 'not json'],
    ['version 3.5.0', '{"ignition":{"version":"3.5.0"}}'],
    ['version 2.3.0', '{"ignition":{"version":"2.3.0"}}'],
    ['no version', '{"storage":{}}'],
    [
      'a string where an integer belongs',
      '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/a","mode":"x"}]}}',
    ],
    ['a list where an object belongs', '{"ignition":{"version":"3.4.0"},"passwd":[]}'],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => serveRawIgnition(text), RawIgnitionError);
    });
  }

  it('names the field where decoding stopped', () => {
    assert.throws(
      () => serveRawIgnition('{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/a","mode":"x"}]}}'),
      (error: unknown) =>
        error instanceof RawIgnitionError &&
        error.message === 'config.storage.files.0.mode must be an integer, not a string',
    );
  });
});
