import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { StrataError } from '@strata/api';
import { resolveBinary } from '@strata/binaries';
import { freePorts, ManagedProcess, waitFor } from '@strata/host';

export class S3ServerError extends StrataError {}

/** MinIO's error code while it starts: the request may be repeated. */
const NOT_INITIALIZED = 'XMinioServerNotInitialized';

/** MinIO answers in this region unless told otherwise; S3 clients must sign for it. */
export const S3_REGION = 'us-east-1';

export interface S3ServerOptions {
  /** Where MinIO keeps the objects; default a new temporary directory, removed by `stop()`. */
  readonly dataDir?: string;
  /** Buckets created before the server is handed out; default one, `strata-test`. */
  readonly buckets?: readonly string[];
  /** A loopback address; default 127.0.0.1. */
  readonly address?: string;
  /** The MinIO binary; default the pinned one from @strata/binaries. */
  readonly minio?: string;
  readonly startTimeoutMs?: number;
}

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface S3Server {
  /** http://<address>:<port>; S3 clients need path-style addressing (`forcePathStyle`). */
  readonly endpoint: string;
  readonly region: string;
  readonly buckets: readonly string[];
  /** Generated for this server; never logged. */
  readonly credentials: S3Credentials;
  readonly dataDir: string;
  /** MinIO's log: beside a temporary data directory (removed by `stop()`), else `<dataDir>.log`. */
  readonly logFile: string;
  /** A client for this server, signed with its credentials. */
  client(): S3Client;
  stop(): Promise<void>;
}

/**
 * Starts a MinIO server, a real S3-compatible object store, on loopback with
 * fresh credentials and the given buckets, under a guardian (it dies with
 * this process). For tests and for the local platform's backups.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const address = options.address ?? '127.0.0.1';
  if (!address.startsWith('127.')) {
    throw new S3ServerError(`the S3 server listens on loopback only, not ${address}`, { address });
  }
  const minio = options.minio ?? (await resolveBinary('minio'));
  const temporary = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'strata-s3-')) : undefined;
  const dataDir = temporary === undefined ? (options.dataDir ?? '') : join(temporary, 'data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logFile = temporary === undefined ? `${dataDir}.log` : join(temporary, 'minio.log');
  // MinIO would otherwise create ~/.minio/certs in the home of whoever runs it.
  const certsDir = temporary === undefined ? `${dataDir}.certs` : join(temporary, 'certs');
  const credentials: S3Credentials = {
    accessKeyId: `strata-${randomBytes(6).toString('hex')}`,
    secretAccessKey: randomBytes(24).toString('base64url'),
  };
  const [port, consolePort] = await freePorts(2, address);
  const endpoint = `http://${address}:${port}`;
  const process = ManagedProcess.start({
    name: 'minio',
    command: minio,
    args: [
      'server',
      dataDir,
      '--quiet',
      '--certs-dir',
      certsDir,
      '--address',
      `${address}:${port}`,
      '--console-address',
      `${address}:${consolePort}`,
    ],
    // Credentials go in the environment, where no process listing shows them.
    env: {
      MINIO_ROOT_USER: credentials.accessKeyId,
      MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_REGION: S3_REGION,
    },
    logFile,
    gracePeriodMs: 5_000,
  });
  const client = (): S3Client =>
    new S3Client({ endpoint, region: S3_REGION, credentials, forcePathStyle: true, maxAttempts: 1 });
  const stop = async (): Promise<void> => {
    await process.stop();
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
  };
  const buckets = options.buckets ?? ['strata-test'];
  try {
    await waitFor(
      `MinIO to answer on ${endpoint}`,
      async () => {
        if (!process.running) throw await process.failure(`exited while starting (waiting for ${endpoint})`);
        try {
          const answer = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(2_000) });
          return answer.status === 200 ? true : undefined;
        } catch {
          // Not listening yet.
          return undefined;
        }
      },
      { timeoutMs: options.startTimeoutMs ?? 30_000, intervalMs: 100 },
    );
    const s3 = client();
    try {
      for (const bucket of buckets) {
        // MinIO answers health checks a moment before its object layer is up, and says so.
        await waitFor(
          `MinIO on ${endpoint} to create bucket ${bucket}`,
          async () => {
            try {
              await s3.send(new CreateBucketCommand({ Bucket: bucket }));
              return true;
            } catch (error) {
              if (error instanceof Error && error.name === NOT_INITIALIZED) return undefined;
              throw error;
            }
          },
          { timeoutMs: options.startTimeoutMs ?? 30_000, intervalMs: 100 },
        );
      }
    } catch (error) {
      throw new S3ServerError(
        `MinIO on ${endpoint} refused to create the buckets ${buckets.join(', ')}: ${error instanceof Error ? error.message : String(error)}`,
        { endpoint, buckets },
        { cause: error },
      );
    } finally {
      s3.destroy();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, region: S3_REGION, buckets, credentials, dataDir, logFile, client, stop };
}
