import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from './s3-server.ts';

describe('the S3-compatible server (MinIO)', () => {
  let server: S3Server;

  before(async () => {
    server = await startS3Server({ buckets: ['backups', 'other'] });
  });
  after(async () => {
    await server?.stop();
  });

  it('is MinIO, listening on loopback', async () => {
    assert.match(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const live = await fetch(`${server.endpoint}/minio/health/live`);
    assert.equal(live.status, 200);
    assert.equal(live.headers.get('server'), 'MinIO');
  });

  it('puts an object into a bucket it created and gets the same bytes back', async () => {
    const s3 = server.client();
    try {
      const body = new Uint8Array(256 * 1024).map((_, index) => (index * 31) % 251);
      await s3.send(new PutObjectCommand({ Bucket: 'backups', Key: 'etcd/snapshot-1.db', Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'backups', Key: 'etcd/snapshot-1.db' }));
      assert.deepEqual(Buffer.from((await got.Body?.transformToByteArray()) ?? []), Buffer.from(body));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'etcd/' }));
      assert.deepEqual(
        listed.Contents?.map((object) => [object.Key, object.Size]),
        [['etcd/snapshot-1.db', body.length]],
      );
      const other = await s3.send(new ListObjectsV2Command({ Bucket: 'other' }));
      assert.equal(other.KeyCount, 0);
    } finally {
      s3.destroy();
    }
  });

  it('refuses a client with wrong credentials, with the server’s own error', async () => {
    const intruder = new S3Client({
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    try {
      await assert.rejects(intruder.send(new GetObjectCommand({ Bucket: 'backups', Key: 'etcd/snapshot-1.db' })), {
        name: 'SignatureDoesNotMatch',
      });
    } finally {
      intruder.destroy();
    }
  });

  it('keeps its objects under its data directory until stopped', async () => {
    assert.ok((await readdir(server.dataDir)).includes('backups'));
  });
});

describe('an S3 server with a data directory of its own', () => {
  it('stops listening when stopped and leaves the data directory in place', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'strata-s3-test-'));
    try {
      const dataDir = join(scratch, 'objects');
      const server = await startS3Server({ dataDir, buckets: ['kept'] });
      await server.stop();
      await assert.rejects(fetch(`${server.endpoint}/minio/health/live`), 'nothing listens after stop()');
      assert.ok((await readdir(dataDir)).includes('kept'));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
