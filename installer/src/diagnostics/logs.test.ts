import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  aCertificateAuthority,
  aServingCertificate,
  aTemporaryDirectory,
  type TemporaryDirectory,
} from './test-fixtures.ts';
import { tailLogs } from './logs.ts';
import { REDACTED_KEY, REDACTED_TOKEN, redactSecrets } from './redact.ts';

const numbered = (count: number, prefix = 'line'): string =>
  Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`).join('\n') + '\n';

/** A real private key in PEM, as a misconfigured component might log it. */
async function aPrivateKeyPem(): Promise<string> {
  const { privateKeyPem } = await aServingCertificate(await aCertificateAuthority('log-ca'));
  return privateKeyPem.trim();
}

describe('redactSecrets', () => {
  let keyPem: string;
  before(async () => {
    keyPem = await aPrivateKeyPem();
  });

  it('replaces a PEM private key block, whole, cut at its end, or cut at its beginning', () => {
    const keyBody = keyPem.split('\n').slice(1, -1).join('\n');
    assert.equal(redactSecrets(`before\n${keyPem}\nafter`), `before\n${REDACTED_KEY}\nafter`);
    assert.equal(redactSecrets(`before\n${keyPem.split('\n').slice(0, 2).join('\n')}`), `before\n${REDACTED_KEY}`);
    assert.equal(redactSecrets(`${keyBody}\n-----END PRIVATE KEY-----\nafter`), `${REDACTED_KEY}\nafter`);
    for (const line of keyBody.split('\n')) {
      assert.ok(!redactSecrets(`x\n${keyPem}\ny`).includes(line));
    }
  });

  it('replaces a key escaped on one line (a JSON log) and one encoded in base64 (a kubeconfig)', () => {
    const escaped = JSON.stringify({ msg: 'loaded', key: keyPem });
    const redacted = redactSecrets(escaped);
    assert.ok(!redacted.includes('PRIVATE KEY-----\\n'), redacted);
    assert.ok(redacted.includes(REDACTED_KEY));
    const encoded = Buffer.from(keyPem).toString('base64');
    assert.equal(redactSecrets(`client-key-data: ${encoded}`), 'client-key-data: [redacted base64 PEM]');
  });

  it('replaces bootstrap tokens and bearer tokens, and leaves other text alone', () => {
    assert.equal(
      redactSecrets('joining with token abcdef.0123456789abcdef now'),
      `joining with token ${REDACTED_TOKEN} now`,
    );
    assert.equal(redactSecrets('Authorization: Bearer eyJhbGciOi.x-y_z'), `Authorization: Bearer ${REDACTED_TOKEN}`);
    const plain = 'E1204 16:00:00.000 1 reflector.go:1] failed to list v1.Node: connection refused at 10.0.0.1:6443';
    assert.equal(redactSecrets(plain), plain);
  });
});

describe('tailLogs', () => {
  let dir: TemporaryDirectory;
  before(async () => {
    dir = await aTemporaryDirectory();
  });
  after(async () => {
    await dir.remove();
  });

  it('keeps the last lines of each file, prefixed with its name, most relevant file first', async () => {
    const apiserver = join(dir.path, 'kube-apiserver.log');
    const etcd = join(dir.path, 'etcd.log');
    await writeFile(apiserver, numbered(50, 'api'));
    await writeFile(etcd, numbered(3, 'etcd'));
    const tail = await tailLogs([apiserver, etcd]);
    assert.deepEqual(tail, [
      ...Array.from({ length: 20 }, (_, index) => `kube-apiserver.log: api ${index + 31}`),
      'etcd.log: etcd 1',
      'etcd.log: etcd 2',
      'etcd.log: etcd 3',
    ]);
  });

  it('reports a missing file and an empty one instead of failing', async () => {
    const empty = join(dir.path, 'empty.log');
    await writeFile(empty, '');
    const missing = join(dir.path, 'never-written.log');
    assert.deepEqual(await tailLogs([missing, empty]), [
      `never-written.log: (missing: ${missing} does not exist)`,
      'empty.log: (empty)',
    ]);
  });

  it('bounds the lines in all and says which files it left out', async () => {
    const files = await Promise.all(
      ['a.log', 'b.log', 'c.log'].map(async (name) => {
        const path = join(dir.path, name);
        await writeFile(path, numbered(10, name));
        return path;
      }),
    );
    const tail = await tailLogs(files, { linesPerFile: 10, maxLines: 15 });
    assert.equal(tail.filter((line) => line.startsWith('a.log: ')).length, 10);
    assert.deepEqual(
      tail.filter((line) => line.startsWith('b.log: ')),
      ['b.log: b.log 6', 'b.log: b.log 7', 'b.log: b.log 8', 'b.log: b.log 9', 'b.log: b.log 10'],
    );
    assert.equal(tail.at(-1), '(1 more log file(s) not shown: c.log)');
  });

  it('reads only the end of a large file and drops the cut first line', async () => {
    const big = join(dir.path, 'big.log');
    await writeFile(big, 'x'.repeat(200_000) + '\n' + numbered(5));
    const tail = await tailLogs([big], { maxBytesPerFile: 100 });
    assert.deepEqual(tail, [
      'big.log: line 1',
      'big.log: line 2',
      'big.log: line 3',
      'big.log: line 4',
      'big.log: line 5',
    ]);
  });

  it('never shows a private key or a bootstrap token that a log holds, even one cut by the tail', async () => {
    const keyPem = await aPrivateKeyPem();
    const keyLines = keyPem.split('\n');
    const leaky = join(dir.path, 'leaky.log');
    await writeFile(
      leaky,
      [
        'starting',
        'loaded key:',
        keyPem,
        'kubelet bootstrap token abcdef.0123456789abcdef',
        'a second key, cut off by the end of the log:',
        ...keyLines.slice(0, 3),
      ].join('\n') + '\n',
    );
    // Few lines per file: the first key's BEGIN line falls outside the tail.
    const tail = await tailLogs([leaky], { linesPerFile: 4 });
    const text = tail.join('\n');
    for (const line of keyLines.slice(1, -1)) assert.ok(!text.includes(line), `a key line leaked: ${text}`);
    assert.ok(!text.includes('abcdef.0123456789abcdef'));
    assert.ok(text.includes(REDACTED_TOKEN));
    assert.equal(tail.at(-1), `leaky.log: ${REDACTED_KEY}`);
    // A tail that begins inside a key, its BEGIN line beyond the bytes read.
    const cut = join(dir.path, 'cut.log');
    await writeFile(cut, `${'y'.repeat(5_000)}\n${keyPem}\nafter the key\n`);
    const start = keyPem.indexOf('\n', 60);
    const cutTail = await tailLogs([cut], { maxBytesPerFile: keyPem.length - start + 'after the key\n'.length + 1 });
    const cutText = cutTail.join('\n');
    for (const line of keyLines.slice(1, -1)) assert.ok(!cutText.includes(line), `a key line leaked: ${cutText}`);
    assert.ok(cutText.includes('after the key'));
  });
});
