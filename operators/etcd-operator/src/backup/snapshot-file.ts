// What an etcd snapshot file is: etcd's bbolt database followed by a 32-byte sha256 of that database (etcd appends it
// when it streams `Maintenance.Snapshot`, and `etcdutl snapshot restore` refuses a file whose trailer does not match).
// Checking the trailer and reading the database's newest revision, as `etcdutl snapshot status` does, is what makes a
// stream of bytes a backup that counts.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StrataError } from '@strata/api';

/** The snapshot is not a whole etcd snapshot. `context.reason` names what is wrong. */
export class CorruptSnapshotError extends StrataError {
  readonly reason: string;

  constructor(path: string, reason: string, context: Record<string, unknown> = {}) {
    super(`${path} is not a valid etcd snapshot: ${reason}`, { path, reason, ...context });
    this.reason = reason;
  }
}

export interface VerifiedSnapshot {
  /** The whole file, trailer included: what is stored and what its sha256 covers. */
  readonly size: number;
  /** sha256 of the whole file (hex), as recorded in the backup's status and checked before a restore. */
  readonly sha256: string;
  /** The newest revision in the snapshot's key space (0 when it holds no key), as `etcdutl snapshot status` reads it. */
  readonly revision: number;
}

const TRAILER = 32;
const PAGE_HEADER = 16;
const BOLT_MAGIC = 0xed0cdaed;
const LEAF_PAGE = 0x02;
const BRANCH_PAGE = 0x01;
const BUCKET_LEAF_FLAG = 0x01;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

function fnv64a(bytes: Uint8Array): bigint {
  let hash = FNV_OFFSET;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return hash;
}

/**
 * Hashes a snapshot as it goes by, in one pass: the whole file's sha256 (what is recorded) and the database part's
 * (what the trailer must equal). The last 32 bytes seen are held back as the candidate trailer.
 */
export class SnapshotHasher {
  /** Fed every byte but the last 32 seen; a copy of it is the database's hash, and the trailer then ends the file's. */
  readonly #hash = createHash('sha256');
  #tail: Buffer = Buffer.alloc(0);
  #size = 0;

  update(chunk: Buffer): void {
    this.#size += chunk.length;
    if (chunk.length >= TRAILER) {
      this.#hash.update(this.#tail);
      this.#hash.update(chunk.subarray(0, chunk.length - TRAILER));
      this.#tail = Buffer.from(chunk.subarray(chunk.length - TRAILER));
      return;
    }
    const joined = Buffer.concat([this.#tail, chunk]);
    const cut = Math.max(0, joined.length - TRAILER);
    this.#hash.update(joined.subarray(0, cut));
    this.#tail = Buffer.from(joined.subarray(cut));
  }

  /** Checks the trailer; throws CorruptSnapshotError naming why the bytes are no whole snapshot. */
  finish(path: string): { readonly size: number; readonly sha256: string } {
    const size = this.#size;
    // etcd's own test for a snapshot with a trailer: the database is whole pages of at least 512 bytes, plus 32.
    if (size < 512 + TRAILER || size % 512 !== TRAILER) {
      throw new CorruptSnapshotError(path, 'it has no sha256 trailer (the size is not whole pages plus 32 bytes)', {
        size,
      });
    }
    if (!this.#hash.copy().digest().equals(this.#tail)) {
      throw new CorruptSnapshotError(path, 'its sha256 trailer does not match its content', { size });
    }
    return { size, sha256: this.#hash.update(this.#tail).digest('hex') };
  }
}

/** Reads the newest revision from the bbolt database: the largest key of the `key` bucket. */
class BoltReader {
  readonly #handle: FileHandle;
  readonly #path: string;
  readonly #databaseSize: number;
  #pageSize = 4096;

  constructor(handle: FileHandle, path: string, databaseSize: number) {
    this.#handle = handle;
    this.#path = path;
    this.#databaseSize = databaseSize;
  }

  #corrupt(reason: string, context: Record<string, unknown> = {}): CorruptSnapshotError {
    return new CorruptSnapshotError(this.#path, reason, context);
  }

  async #read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset + length > this.#databaseSize) {
      throw this.#corrupt('a database page lies outside the file', { offset, length });
    }
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.#handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw this.#corrupt('the database is shorter than its pages say', { offset, length });
    return buffer;
  }

  /** The root bucket's page of the newest valid meta page (bbolt keeps two and writes them alternately). */
  async #rootPage(): Promise<bigint> {
    const first = await this.#read(0, 4096);
    this.#pageSize = first.readUInt32LE(PAGE_HEADER + 8);
    if (first.readUInt32LE(PAGE_HEADER) !== BOLT_MAGIC) throw this.#corrupt('no bbolt database at its start');
    if (this.#pageSize < 512 || this.#pageSize > 65536 || this.#databaseSize % this.#pageSize !== 0) {
      throw this.#corrupt('the database size is not a whole number of pages', { pageSize: this.#pageSize });
    }
    const metas = [first.subarray(0, this.#pageSize), await this.#read(this.#pageSize, this.#pageSize)]
      .map((page) => page.subarray(PAGE_HEADER, PAGE_HEADER + 64))
      .filter(
        (meta) => meta.readUInt32LE(0) === BOLT_MAGIC && fnv64a(meta.subarray(0, 56)) === meta.readBigUInt64LE(56),
      )
      .sort((a, b) => (b.readBigUInt64LE(48) > a.readBigUInt64LE(48) ? 1 : -1));
    const meta = metas[0];
    if (meta === undefined) throw this.#corrupt('neither bbolt meta page has a valid checksum');
    return meta.readBigUInt64LE(16);
  }

  async #page(id: bigint): Promise<Buffer> {
    const offset = Number(id) * this.#pageSize;
    const header = await this.#read(offset, PAGE_HEADER);
    const overflow = header.readUInt32LE(12);
    return this.#read(offset, (overflow + 1) * this.#pageSize);
  }

  /** The value stored under `name` in the leaf chain below `page`, or undefined. */
  async #find(page: Buffer, name: Buffer): Promise<{ flags: number; value: Buffer } | undefined> {
    const flags = page.readUInt16LE(8);
    const count = page.readUInt16LE(10);
    if (flags & BRANCH_PAGE) {
      // The last branch whose first key is not after `name` holds it.
      let child: bigint | undefined;
      for (let index = 0; index < count; index += 1) {
        const element = PAGE_HEADER + index * 16;
        const key = page.subarray(
          element + page.readUInt32LE(element),
          element + page.readUInt32LE(element) + page.readUInt32LE(element + 4),
        );
        if (Buffer.compare(key, name) > 0) break;
        child = page.readBigUInt64LE(element + 8);
      }
      return child === undefined ? undefined : this.#find(await this.#page(child), name);
    }
    if (!(flags & LEAF_PAGE)) throw this.#corrupt('a bucket points at a page that is neither branch nor leaf');
    for (let index = 0; index < count; index += 1) {
      const element = PAGE_HEADER + index * 16;
      const position = element + page.readUInt32LE(element + 4);
      const keySize = page.readUInt32LE(element + 8);
      const valueSize = page.readUInt32LE(element + 12);
      const key = page.subarray(position, position + keySize);
      if (key.equals(name)) {
        return {
          flags: page.readUInt32LE(element),
          value: page.subarray(position + keySize, position + keySize + valueSize),
        };
      }
    }
    return undefined;
  }

  /** The largest key below `page` (the rightmost leaf's last element), or undefined for an empty bucket. */
  async #lastKey(page: Buffer): Promise<Buffer | undefined> {
    const flags = page.readUInt16LE(8);
    const count = page.readUInt16LE(10);
    if (count === 0) return undefined;
    const element = PAGE_HEADER + (count - 1) * 16;
    if (flags & BRANCH_PAGE) return this.#lastKey(await this.#page(page.readBigUInt64LE(element + 8)));
    if (!(flags & LEAF_PAGE)) throw this.#corrupt('a bucket points at a page that is neither branch nor leaf');
    const position = element + page.readUInt32LE(element + 4);
    return page.subarray(position, position + page.readUInt32LE(element + 8));
  }

  async newestRevision(): Promise<number> {
    const root = await this.#page(await this.#rootPage());
    const bucket = await this.#find(root, Buffer.from('key'));
    if (bucket === undefined || !(bucket.flags & BUCKET_LEAF_FLAG))
      throw this.#corrupt('the database has no key bucket');
    const rootId = bucket.value.readBigUInt64LE(0);
    // A small bucket is stored inline: its page follows the bucket's 16-byte header in the value.
    const bucketPage = rootId === 0n ? bucket.value.subarray(16) : await this.#page(rootId);
    const last = await this.#lastKey(bucketPage);
    if (last === undefined) return 0;
    // etcd's revision keys: 8 bytes main revision (big-endian), '_', 8 bytes sub revision, and a 't' for a tombstone.
    if (last.length < 17 || last[8] !== 0x5f) throw this.#corrupt('the key bucket holds a key that is not a revision');
    return Number(last.readBigUInt64BE(0));
  }
}

/** The newest revision of the snapshot file at `path` whose database is its first `size - 32` bytes. */
export async function readSnapshotRevision(path: string, size: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    return await new BoltReader(handle, path, size - TRAILER).newestRevision();
  } finally {
    await handle.close();
  }
}

/**
 * Checks a snapshot file as etcd's restore would (the sha256 trailer over the database) and reads its revision.
 * Throws CorruptSnapshotError naming why when it is not a whole snapshot.
 */
export async function verifySnapshotFile(path: string): Promise<VerifiedSnapshot> {
  const hasher = new SnapshotHasher();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if (!(chunk instanceof Buffer)) throw new TypeError('a file stream without an encoding yields Buffers');
    hasher.update(chunk);
  }
  const { size, sha256 } = hasher.finish(path);
  return { size, sha256, revision: await readSnapshotRevision(path, size) };
}
