// Against the real Butane v0.25.1, built from Go modules (cached after the first run).
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveBinary } from '@strata/binaries';
import { temporaryDirectory, type TemporaryDirectory } from '../testing/data-dir.ts';
import { ButaneRunError, ButaneTranslator } from './butane.ts';

const flatcar = (hostname: string) =>
  `variant: flatcar\nversion: 1.1.0\nstorage:\n  files:\n    - path: /etc/hostname\n      contents:\n        inline: ${hostname}\n`;
const fcos =
  'variant: fcos\nversion: 1.5.0\npasswd:\n  users:\n    - name: core\n      ssh_authorized_keys: [ssh-ed25519 AAAA]\n';

const ignitionOf = (translation: { ok: boolean; ignition?: string }) => {
  assert.ok(translation.ok, JSON.stringify(translation));
  return JSON.parse(translation.ignition ?? '') as {
    ignition: { version: string };
    storage?: { files: { path: string; contents: { source: string } }[] };
    passwd?: { users: { name: string; sshAuthorizedKeys: string[] }[] };
  };
};

describe('ButaneTranslator (the real butane)', () => {
  let butanePath: string;
  let scratch: TemporaryDirectory;
  before(async () => {
    butanePath = await resolveBinary('butane');
    scratch = await temporaryDirectory();
  });
  after(() => scratch.remove());

  it('translates the flatcar and fcos variants to Ignition 3.4.0, written as matchbox writes it', async () => {
    const translator = new ButaneTranslator({ butanePath });
    const flat = ignitionOf(await translator.translate(flatcar('node1')));
    assert.equal(flat.ignition.version, '3.4.0');
    assert.deepEqual(
      flat.storage?.files.map((file) => [file.path, file.contents.source]),
      [['/etc/hostname', 'data:,node1']],
    );
    const core = ignitionOf(await translator.translate(fcos));
    assert.deepEqual(core.passwd?.users, [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA'] }]);
    // Go writes the empty structs of Ignition's types, which Butane's own output leaves out; matchbox answers Go's.
    const written = await translator.translate(fcos);
    assert.match(written.ok ? written.ignition : '', /"kernelArguments":\{\},/);
  });

  it('gives the reason for invalid YAML and for invalid Butane', async () => {
    const translator = new ButaneTranslator({ butanePath });
    const yaml = await translator.translate('variant: flatcar\nversion: [1.1.0\n');
    assert.equal(yaml.ok, false);
    assert.match(yaml.ok ? '' : yaml.reason, /yaml|line/i);
    const ignitionJson = await translator.translate('{"ignition":{"version":"3.4.0"}}');
    assert.equal(ignitionJson.ok, false, 'Ignition JSON is no Butane: it declares no variant');
    const relative = await translator.translate(
      'variant: flatcar\nversion: 1.1.0\nstorage:\n  files:\n    - path: relative\n',
    );
    assert.equal(relative.ok, false);
    assert.match(relative.ok ? '' : relative.reason, /path/);
  });

  it('caches by the rendered text, least recently used out first, and runs one process for concurrent asks', async () => {
    const translator = new ButaneTranslator({ butanePath, cacheEntries: 2 });
    const [a, b] = await Promise.all([translator.translate(flatcar('a')), translator.translate(flatcar('a'))]);
    assert.equal(a, b, 'the same translation object: one process');
    await translator.translate(flatcar('b'));
    assert.ok(translator.cached(flatcar('a')), 'a is now the most recently used');
    await translator.translate(flatcar('c'));
    assert.equal(translator.size, 2);
    assert.equal(translator.cached(flatcar('b')), undefined, 'b, the least recently used, went out');
    assert.ok(translator.cached(flatcar('a')));
    assert.ok(translator.cached(flatcar('c')));
  });

  it('kills a translator that takes too long, and reports a binary that cannot run', async () => {
    const hung = join(scratch.path, 'hung-butane');
    await writeFile(hung, '#!/bin/sh\nexec sleep 30\n');
    await chmod(hung, 0o755);
    const started = Date.now();
    const slow = await new ButaneTranslator({ butanePath: hung, timeoutMs: 200 }).translate(flatcar('x'));
    assert.deepEqual(slow, { ok: false, reason: 'butane took longer than 200 ms' });
    assert.ok(Date.now() - started < 5000);
    await assert.rejects(
      new ButaneTranslator({ butanePath: join(scratch.path, 'absent') }).translate(flatcar('x')),
      ButaneRunError,
    );
  });

  it('bounds the output it reads', async () => {
    const chatty = join(scratch.path, 'chatty-butane');
    await writeFile(chatty, '#!/bin/sh\nexec yes\n');
    await chmod(chatty, 0o755);
    const answer = await new ButaneTranslator({ butanePath: chatty, maxOutputBytes: 1024 * 1024 }).translate('x');
    assert.deepEqual(answer, { ok: false, reason: `butane wrote more than ${1024 * 1024} bytes` });
  });
});
