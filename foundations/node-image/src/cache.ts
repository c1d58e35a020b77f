// The image cache outside the clone, beside the binaries': `<root>/node-image/<version>-<inputs hash>/` holds the
// kernel, the initramfs, the root file system and the GPT disk, their SHA-256 sums (`sha256sum -c` format) and the inputs they
// were built from. Every lookup checks the artifacts against their sums, hashing each unless its verification stamp
// shows it is the very file hashed before (the binaries' rule, ADR 0041): an entry whose sums do not match is removed
// and rebuilt, never booted.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkFileSum, formatChecksumLine, sha256File } from '@strata/binaries';

export const ARTIFACTS = ['vmlinuz', 'initrd.img', 'rootfs.ext4', 'usr.ext4', 'disk.img', 'disk.img.zst'] as const;
export type Artifact = (typeof ARTIFACTS)[number];

export const SUMS_FILE = 'SHA256SUMS';
/**
 * How many images the cache keeps, the one just built among them: each is about 4 GiB, and every version bump or
 * changed input adds one. A few stay so that switching between nearby checkouts does not rebuild each time.
 */
export const NODE_IMAGE_CACHE_RETAIN = 3;
export const INPUTS_FILE = 'inputs.json';

export type ImageLookup =
  | { readonly state: 'valid'; readonly dir: string }
  | { readonly state: 'missing' }
  | { readonly state: 'corrupt'; readonly reason: string };

export class NodeImageCache {
  readonly root: string;

  constructor(cacheRoot: string) {
    this.root = join(cacheRoot, 'node-image');
  }

  entryDir(version: string, inputsHash: string): string {
    return join(this.root, `${version}-${inputsHash.slice(0, 16)}`);
  }

  async lookup(version: string, inputsHash: string): Promise<ImageLookup> {
    const dir = this.entryDir(version, inputsHash);
    let sums: string;
    try {
      sums = await readFile(join(dir, SUMS_FILE), 'utf8');
    } catch {
      return { state: 'missing' };
    }
    const recorded = parseSums(sums);
    for (const artifact of ARTIFACTS) {
      const expected = recorded.get(artifact);
      if (expected === undefined) return { state: 'corrupt', reason: `${SUMS_FILE} records no sum for ${artifact}` };
      const verdict = await checkFileSum(join(dir, artifact), expected, join(dir, `${artifact}.verified`));
      if (verdict.state === 'missing') return { state: 'corrupt', reason: `${artifact} is missing` };
      if (verdict.state === 'corrupt') return { state: 'corrupt', reason: `${artifact}: ${verdict.reason}` };
    }
    return { state: 'valid', dir };
  }

  /**
   * Removes the installed entries beyond the `retain` most recently built (their sums' time), never `keepDir`; an
   * entry being assembled (`.partial-`) or built (`.build-`, under its lock) is not an installed one and is left alone.
   * Returns the directories removed.
   */
  async prune(keepDir: string, retain: number = NODE_IMAGE_CACHE_RETAIN): Promise<string[]> {
    const entries: { dir: string; builtMs: number }[] = [];
    for (const name of await readdir(this.root)) {
      if (name.startsWith('.') || name.includes('.partial-')) continue;
      const dir = join(this.root, name);
      if (dir === keepDir) continue;
      const sums = await stat(join(dir, SUMS_FILE)).catch(() => undefined);
      // Without its sums an entry is a missing one to lookup(): nothing uses it.
      entries.push({ dir, builtMs: sums?.mtimeMs ?? 0 });
    }
    entries.sort((a, b) => b.builtMs - a.builtMs);
    const removed = entries.slice(Math.max(0, retain - 1)).map((entry) => entry.dir);
    for (const dir of removed) await rm(dir, { recursive: true, force: true });
    return removed;
  }

  async remove(version: string, inputsHash: string): Promise<void> {
    await rm(this.entryDir(version, inputsHash), { recursive: true, force: true });
  }

  /**
   * Moves built artifacts from `builtDir` into the cache with their sums and inputs. The entry appears whole or not
   * at all: it is assembled under a temporary name and renamed into place.
   */
  async install(builtDir: string, version: string, inputsHash: string, inputsJson: string): Promise<string> {
    const finalDir = this.entryDir(version, inputsHash);
    const assembling = `${finalDir}.partial-${process.pid}`;
    await rm(assembling, { recursive: true, force: true });
    await mkdir(assembling, { recursive: true });
    let sums = '';
    for (const artifact of ARTIFACTS) {
      await rename(join(builtDir, artifact), join(assembling, artifact));
      sums += formatChecksumLine(await sha256File(join(assembling, artifact)), artifact);
    }
    await writeFile(join(assembling, INPUTS_FILE), inputsJson);
    // Written last: an entry without its sums is a missing one.
    await writeFile(join(assembling, SUMS_FILE), sums);
    await rm(finalDir, { recursive: true, force: true });
    await rename(assembling, finalDir);
    return finalDir;
  }
}

function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) sums.set(match[2], match[1]);
  }
  return sums;
}
