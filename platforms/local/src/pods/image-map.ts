import { basename, isAbsolute } from 'node:path';
import { z } from 'zod';
import { StrataError } from '@strata/api';
import type { ResolvedBinaries } from '@strata/binaries';
import { effectiveTag, ImageReferenceError, parseImageReference, type ImageReference } from './image-reference.ts';

export class ImageMapError extends StrataError {}

const absolutePath = z.string().refine(isAbsolute, { message: 'must be an absolute path' });

/** The image's reference as a map key: a repository (any tag) or repository:tag; digests are not keys. */
const imageKey = z.string().superRefine((key, context) => {
  try {
    const reference = parseImageReference(key);
    if (reference.digest !== undefined)
      context.addIssue({ code: 'custom', message: 'must be a repository or repository:tag, not a digest' });
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof ImageReferenceError ? error.message : String(error) });
  }
});

export const imageEntrySchema = z.strictObject({
  /** The image's entrypoint as a local command; its first element is an absolute path. */
  command: z.tuple([absolutePath], z.string()),
  /** The image's default arguments (a Dockerfile's CMD), used when the container sets neither command nor args. */
  args: z.array(z.string()).optional(),
  /** The image's own environment (a Dockerfile's ENV); the container's env wins. */
  env: z.record(z.string().regex(/^[^=\0]+$/, 'is not an environment variable name'), z.string()).optional(),
  /**
   * Other programs of the image that a pod may name in `command` or in an exec probe, by file name
   * (e.g. etcdctl). The entrypoint's own file name is always one of them.
   */
  executables: z.record(z.string().regex(/^[^/\0]+$/, 'must be a file name, not a path'), absolutePath).optional(),
});

export const imageMapSchema = z.record(imageKey, imageEntrySchema);

export type ImageEntry = z.infer<typeof imageEntrySchema>;
export type ImageMapInput = z.input<typeof imageMapSchema>;

interface KeyedEntry {
  readonly key: ImageReference;
  readonly entry: ImageEntry;
}

function parseEntries(input: unknown, source: string): KeyedEntry[] {
  const result = imageMapSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      // A bad key carries its own issues; theirs say what is wrong with it.
      const message =
        issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message;
      return `  ${issue.path.map(String).join('.') || '(root)'}: ${message}`;
    });
    throw new ImageMapError(`${source} is invalid:\n${problems.join('\n')}`, { source, issues: result.error.issues });
  }
  return Object.entries(result.data).map(([key, entry]) => ({ key: parseImageReference(key), entry }));
}

/**
 * Which local command stands in for which container image. A key with a tag
 * matches that tag only; a key without one matches every tag and digest of the
 * repository. An exact key wins over a repository key.
 */
export class ImageMap {
  readonly #entries: readonly KeyedEntry[];

  private constructor(entries: readonly KeyedEntry[]) {
    this.#entries = entries;
  }

  static empty(): ImageMap {
    return new ImageMap([]);
  }

  /** Validates `input` (e.g. read from a file); throws ImageMapError naming each bad field. */
  static parse(input: unknown, source = 'the image map'): ImageMap {
    return new ImageMap(parseEntries(input, source));
  }

  /** A new map with `more` added; its entries replace those with the same key. */
  with(more: ImageMap | ImageMapInput, source = 'the added image map entries'): ImageMap {
    const added = more instanceof ImageMap ? more.#entries : parseEntries(more, source);
    const sameKey = (a: ImageReference, b: ImageReference): boolean => a.repository === b.repository && a.tag === b.tag;
    return new ImageMap([
      ...this.#entries.filter(({ key }) => !added.some((entry) => sameKey(entry.key, key))),
      ...added,
    ]);
  }

  lookup(image: string): ImageEntry | undefined {
    let reference: ImageReference;
    try {
      reference = parseImageReference(image);
    } catch {
      return undefined;
    }
    const tag = effectiveTag(reference);
    const candidates = this.#entries.filter(({ key }) => key.repository === reference.repository);
    return (
      candidates.find(({ key }) => key.tag !== undefined && key.tag === tag)?.entry ??
      candidates.find(({ key }) => key.tag === undefined)?.entry
    );
  }

  has(image: string): boolean {
    return this.lookup(image) !== undefined;
  }
}

/** The programs an entry knows by file name: its executables plus its entrypoint. */
export function entryExecutables(entry: ImageEntry): ReadonlyMap<string, string> {
  const programs = new Map<string, string>([[basename(entry.command[0]), entry.command[0]]]);
  for (const [name, path] of Object.entries(entry.executables ?? {})) programs.set(name, path);
  return programs;
}

/** Repositories of the official etcd images; their binaries live in /usr/local/bin. */
export const ETCD_IMAGE_REPOSITORIES = [
  'registry.k8s.io/etcd',
  'quay.io/coreos/etcd',
  'gcr.io/etcd-development/etcd',
] as const;

/**
 * The images Strata knows how to run locally today: the official etcd images,
 * any tag, run by the pinned etcd (whatever version the tag names). Strata's
 * own images are added with `with()` as they come.
 */
export function defaultImageMap(binaries: Pick<ResolvedBinaries, 'etcd' | 'etcdctl'>): ImageMap {
  const etcd: ImageEntry = {
    command: [binaries.etcd],
    executables: { etcd: binaries.etcd, etcdctl: binaries.etcdctl },
  };
  return ImageMap.parse(
    Object.fromEntries(ETCD_IMAGE_REPOSITORIES.map((repository) => [repository, etcd])),
    'the default image map',
  );
}
