import { basename, isAbsolute } from 'node:path';
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { effectiveTag, ImageReferenceError, parseImageReference, type ImageReference } from './image-reference.ts';

export class ImageMapError extends StrataError {}

/** The map knows the image's repository but runs no program for its tag (an etcd version not built here). */
export class ImageTagRefusedError extends StrataError {}

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

/** What a tag rule says of one tag: the entry that runs it, or why no local command can. */
export type TagDecision = { readonly entry: ImageEntry } | { readonly refused: string };

/**
 * Decides by tag for every tag of one repository, when the tag selects what
 * runs (an etcd image's tag is its etcd version). A refused tag is still the
 * repository's: the pod is taken and fails with the reason, as a pull of a
 * tag the registry does not have would.
 */
export interface TagRule {
  readonly repository: string;
  decide(tag: string | undefined): TagDecision;
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
  readonly #rules: readonly TagRule[];

  private constructor(entries: readonly KeyedEntry[], rules: readonly TagRule[] = []) {
    this.#entries = entries;
    this.#rules = rules;
  }

  static empty(): ImageMap {
    return new ImageMap([]);
  }

  /** Validates `input` (e.g. read from a file); throws ImageMapError naming each bad field. */
  static parse(input: unknown, source = 'the image map'): ImageMap {
    return new ImageMap(parseEntries(input, source));
  }

  /**
   * A new map where `rule` decides every tag of its repository. An exact
   * `repository:tag` key still wins over it; the rule wins over a repository key.
   */
  withTagRule(rule: TagRule): ImageMap {
    const repository = parseImageReference(rule.repository).repository;
    const normalized: TagRule = { repository, decide: (tag) => rule.decide(tag) };
    return new ImageMap(this.#entries, [...this.#rules.filter((known) => known.repository !== repository), normalized]);
  }

  /** A new map with `more` added; its entries (and tag rules) replace those with the same key (or repository). */
  with(more: ImageMap | ImageMapInput, source = 'the added image map entries'): ImageMap {
    const added = more instanceof ImageMap ? more.#entries : parseEntries(more, source);
    const sameKey = (a: ImageReference, b: ImageReference): boolean => a.repository === b.repository && a.tag === b.tag;
    const addedRules = more instanceof ImageMap ? more.#rules : [];
    const rules = [
      ...this.#rules.filter((rule) => !addedRules.some((added) => added.repository === rule.repository)),
      ...addedRules,
    ];
    return new ImageMap(
      [...this.#entries.filter(({ key }) => !added.some((entry) => sameKey(entry.key, key))), ...added],
      rules,
    );
  }

  /** The entry that runs `image`, or why none does; undefined when the map knows nothing of its repository. */
  decide(image: string): TagDecision | undefined {
    let reference: ImageReference;
    try {
      reference = parseImageReference(image);
    } catch {
      return undefined;
    }
    const tag = effectiveTag(reference);
    const candidates = this.#entries.filter(({ key }) => key.repository === reference.repository);
    const exact = candidates.find(({ key }) => key.tag !== undefined && key.tag === tag)?.entry;
    if (exact !== undefined) return { entry: exact };
    const rule = this.#rules.find(({ repository }) => repository === reference.repository);
    if (rule !== undefined) return rule.decide(tag);
    const any = candidates.find(({ key }) => key.tag === undefined)?.entry;
    return any === undefined ? undefined : { entry: any };
  }

  lookup(image: string): ImageEntry | undefined {
    const decision = this.decide(image);
    return decision !== undefined && 'entry' in decision ? decision.entry : undefined;
  }

  /** True when the map runs `image`, or knows its repository and refuses its tag with a reason. */
  has(image: string): boolean {
    return this.decide(image) !== undefined;
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

/** etcd, etcdctl and etcdutl of one etcd release, as its official image has them in /usr/local/bin. */
export interface EtcdBinaries {
  readonly etcd: string;
  readonly etcdctl: string;
  /** The offline tool (`snapshot restore`), which a restored member's init container runs in the etcd image. */
  readonly etcdutl: string;
}

/**
 * The etcd version an official etcd image's tag names: `v3.6.16` (quay.io,
 * gcr.io) or `3.6.16-0` (registry.k8s.io, whose suffix counts image rebuilds).
 */
export function etcdTagVersion(tag: string): string | undefined {
  const match = /^v?(\d+\.\d+\.\d+)(?:-\d+)?$/.exec(tag);
  return match?.[1] === undefined ? undefined : `v${match[1]}`;
}

/** Picks the etcd release by the image's tag; a tag that names no release built here is refused. */
export function etcdTagRule(repository: string, releases: ReadonlyMap<string, EtcdBinaries>): TagRule {
  const known = [...releases.keys()].join(', ');
  return {
    repository,
    decide: (tag) => {
      const version = tag === undefined ? undefined : etcdTagVersion(tag);
      const binaries = version === undefined ? undefined : releases.get(version);
      if (binaries === undefined) {
        return {
          refused:
            version === undefined
              ? `${repository}:${tag ?? '(digest)'} names no etcd version; use a version tag of one of ${known}`
              : `${repository}:${tag ?? ''} is etcd ${version}, which this machine does not run (it runs ${known})`,
        };
      }
      return {
        entry: {
          command: [binaries.etcd],
          executables: { etcd: binaries.etcd, etcdctl: binaries.etcdctl, etcdutl: binaries.etcdutl },
        },
      };
    },
  };
}

/**
 * The images Strata knows how to run locally today: the official etcd images,
 * whose tag picks the etcd release among `releases` (version → binaries, e.g.
 * from `resolveEtcd` for each of ETCD_VERSIONS). Strata's own images are added
 * with `with()` as they come.
 */
export function defaultImageMap(releases: ReadonlyMap<string, EtcdBinaries>): ImageMap {
  return ETCD_IMAGE_REPOSITORIES.reduce(
    (images, repository) => images.withTagRule(etcdTagRule(repository, releases)),
    ImageMap.empty(),
  );
}
