// Backups in S3-compatible storage (AWS S3, MinIO, ...). An object exists only once its upload completed: a single PUT
// is atomic, and a multipart upload that breaks off is aborted by lib-storage and never becomes an object, so an
// interrupted upload is never listed, let alone taken for the latest backup.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { z } from 'zod';
import { BackupStoreError, SNAPSHOT_SUFFIX, type BackupStore, type StoredObject } from './store.ts';

export interface S3StoreOptions {
  readonly endpoint: string;
  readonly bucket: string;
  /** Key prefix without a trailing slash; backups are `<prefix>/<name>`. */
  readonly prefix?: string;
  readonly region?: string;
  readonly forcePathStyle: boolean;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const sdkErrorSchema = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  Code: z.string().optional(),
  $metadata: z.looseObject({ httpStatusCode: z.number().optional() }).optional(),
});

/** The server's own words for a failure: its error code and HTTP status, or the connection error. */
export function describeS3Error(error: unknown): string {
  const parsed = sdkErrorSchema.safeParse(error);
  if (!parsed.success) return String(error);
  const status = parsed.data.$metadata?.httpStatusCode;
  const code = parsed.data.Code ?? parsed.data.name;
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return [status === undefined ? undefined : `HTTP ${status}`, code, `${parsed.data.message ?? ''}${cause}`]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
}

export class S3Store implements BackupStore {
  readonly #options: S3StoreOptions;
  readonly #client: S3Client;
  readonly #prefix: string;

  constructor(options: S3StoreOptions) {
    this.#options = options;
    this.#prefix =
      options.prefix === undefined || options.prefix === '' ? '' : `${options.prefix.replace(/\/+$/, '')}/`;
    this.#client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle,
      credentials: { ...options.credentials },
      // The controller retries with its own back-off; the SDK's retries would only hide a refusing endpoint longer.
      maxAttempts: 1,
    });
  }

  #key(name: string): string {
    return `${this.#prefix}${name}`;
  }

  #location(name: string): string {
    return `s3://${this.#options.bucket}/${this.#key(name)}`;
  }

  #fail(action: string, name: string, error: unknown): BackupStoreError {
    return new BackupStoreError(
      `S3 at ${this.#options.endpoint} refused to ${action} ${this.#location(name)}: ${describeS3Error(error)}`,
      { endpoint: this.#options.endpoint, bucket: this.#options.bucket, key: this.#key(name), action },
      { cause: error },
    );
  }

  async put(path: string, name: string, metadata: { sha256: string; revision: number }): Promise<string> {
    try {
      const upload = new Upload({
        client: this.#client,
        params: {
          Bucket: this.#options.bucket,
          Key: this.#key(name),
          Body: createReadStream(path),
          ContentType: 'application/octet-stream',
          Metadata: { sha256: metadata.sha256, revision: String(metadata.revision) },
        },
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (error) {
      throw this.#fail('store', name, error);
    }
    return this.#location(name);
  }

  async list(): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let continuationToken: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#options.bucket,
            Prefix: this.#prefix,
            ...(continuationToken === undefined ? {} : { ContinuationToken: continuationToken }),
          }),
        );
        for (const object of page.Contents ?? []) {
          const name = (object.Key ?? '').slice(this.#prefix.length);
          if (name.includes('/') || !name.endsWith(SNAPSHOT_SUFFIX)) continue;
          objects.push({ name, location: this.#location(name) });
        }
        continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (continuationToken !== undefined);
    } catch (error) {
      throw this.#fail('list', '', error);
    }
    return objects.sort((a, b) => a.name.localeCompare(b.name));
  }

  async remove(name: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(name) }));
    } catch (error) {
      throw this.#fail('remove', name, error);
    }
  }

  /** The sha256 recorded with the object when it was stored. */
  async recordedSha256(name: string): Promise<string | undefined> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(name) }),
      );
      return head.Metadata?.['sha256'];
    } catch (error) {
      throw this.#fail('read', name, error);
    }
  }

  /** Copies one backup into the local file `path`, which must lie in a directory only its owner can enter. */
  async get(name: string, path: string): Promise<void> {
    try {
      const object = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(name) }),
      );
      if (!(object.Body instanceof Readable)) throw new TypeError('the object has no readable body');
      await pipeline(object.Body, createWriteStream(path, { flags: 'wx' }));
    } catch (error) {
      throw this.#fail('read', name, error);
    }
  }

  close(): void {
    this.#client.destroy();
  }
}
