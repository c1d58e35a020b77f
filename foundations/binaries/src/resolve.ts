import { access, constants, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { withLockFile } from '@strata/host';
import { runCommand } from '@strata/host';
import { BinaryCache, defaultCacheRoot } from './cache.ts';
import {
  COMPONENT_NAMES,
  COMPONENTS,
  componentsOf,
  ETCD_VERSION,
  ETCD_VERSIONS,
  etcdRelease,
  isEtcdVersion,
  RELEASES,
  type BinaryName,
  type ComponentName,
  type ReleaseName,
  type ReleaseSpec,
} from './components.ts';
import { downloadBaseUrl, downloadRelease } from './download.ts';
import { BinariesUnavailableError, BinaryResolutionError, UnknownEtcdVersionError } from './errors.ts';
import { findGo, goBuild, type Progress } from './go-build.ts';

/** Names a directory that already holds the binaries; it wins over every other source. */
export const BIN_DIR_VARIABLE = 'STRATA_BIN_DIR';

export interface ResolveOptions {
  /** Defaults to the control-plane components (COMPONENT_NAMES); tools such as pulumi are resolved only when named. */
  readonly components?: readonly BinaryName[];
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to $STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata, else ~/.cache/strata. */
  readonly cacheRoot?: string;
  readonly progress?: Progress;
  /**
   * The etcd release that etcd and etcdctl come from: one of ETCD_VERSIONS, default the pinned ETCD_VERSION.
   * With $STRATA_BIN_DIR, another version is looked for in its subdirectory `etcd-<version>/`.
   */
  readonly etcdVersion?: string;
}

export type ResolvedBinaries = Readonly<Record<ComponentName, string>>;
export type BinarySource = 'directory' | 'cache' | 'go-build' | 'download';

export interface Resolution {
  readonly paths: Partial<Record<BinaryName, string>>;
  readonly sources: Partial<Record<BinaryName, BinarySource>>;
}

const defaultProgress: Progress = (message) => process.stderr.write(`[binaries] ${message}\n`);

/** The release a component comes from, with the etcd release the caller chose. */
function releaseOf(release: ReleaseName, etcd: ReleaseSpec): ReleaseSpec {
  return release === 'etcd' ? etcd : RELEASES[release];
}

function chosenEtcdRelease(version: string | undefined): ReleaseSpec {
  if (version === undefined) return RELEASES.etcd;
  if (!isEtcdVersion(version)) {
    throw new UnknownEtcdVersionError(
      `etcd ${version} is not one of the etcd releases Strata builds (${ETCD_VERSIONS.join(', ')})`,
      { version, known: ETCD_VERSIONS },
    );
  }
  return etcdRelease(version);
}

async function fromDirectory(
  dir: string,
  names: readonly BinaryName[],
  etcd: ReleaseSpec,
): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const name of names) {
    const component = COMPONENTS[name];
    const release = releaseOf(component.release, etcd);
    // The pinned binaries sit in the directory itself; one name cannot hold two etcd versions.
    const home =
      release.name === 'etcd' && release.version !== ETCD_VERSION ? join(dir, `etcd-${release.version}`) : dir;
    const path = join(home, name);
    try {
      await access(path, constants.X_OK);
    } catch {
      throw new BinaryResolutionError(
        `${BIN_DIR_VARIABLE}=${dir} has no executable ${name}; put ${name} ${release.version} there or unset ${BIN_DIR_VARIABLE}`,
        { component: name, path, variable: BIN_DIR_VARIABLE },
      );
    }
    const versionCommand = component.versionCommand;
    if (versionCommand === undefined) {
      paths[name] = path;
      continue;
    }
    const result = await runCommand(path, versionCommand);
    const output = result.stdout + result.stderr;
    if (!output.includes(release.version.replace(/^v/, ''))) {
      throw new BinaryResolutionError(
        `${path} is not ${name} ${release.version}; \`${name} ${versionCommand.join(' ')}\` printed: ${output.trim().split('\n')[0] ?? ''}`,
        { component: name, path, expectedVersion: release.version },
      );
    }
    paths[name] = path;
  }
  return paths;
}

function unavailableMessage(release: ReleaseSpec, attempts: readonly string[], env: NodeJS.ProcessEnv): string {
  const names = componentsOf(release.name)
    .map((component) => component.name)
    .join(', ');
  const download = release.download;
  return [
    `Cannot obtain ${release.name} ${release.version} (${names}).`,
    'Tried, in order:',
    ...attempts.map((attempt) => `  - ${attempt}`),
    `Provide the binaries in one of ${download === undefined ? 'two' : 'three'} ways:`,
    `  1. Point ${BIN_DIR_VARIABLE} at a directory that holds ${names} at ${release.version}.`,
    `  2. Install Go (see the \`go\` line of ${join(release.wrapperModuleDir, 'go.mod')} for the minimum version; on Debian: apt-get install golang) so that Strata builds them from Go modules, once, into its cache.`,
    ...(download === undefined
      ? []
      : [
          `  3. Allow this machine to reach ${downloadBaseUrl(release, env)} (or set ${download.baseUrlVariable} to a mirror) so that Strata downloads the official release binaries.`,
        ]),
  ].join('\n');
}

async function provideRelease(
  release: ReleaseSpec,
  needed: readonly BinaryName[],
  cache: BinaryCache,
  env: NodeJS.ProcessEnv,
  progress: Progress,
): Promise<{ paths: Map<BinaryName, string>; source: BinarySource }> {
  const components = componentsOf(release.name);
  const attempts: string[] = [
    `${BIN_DIR_VARIABLE}: not set`,
    `cache ${cache.binRoot}: no valid ${release.name} ${release.version} binaries`,
  ];
  const staging = join(cache.binRoot, `.staging-${release.name}-${release.version}-${process.pid}`);
  // We hold the release's lock, so any other staging directory is a leftover of an interrupted run.
  for (const entry of await readdir(cache.binRoot)) {
    if (entry.startsWith(`.staging-${release.name}-`))
      await rm(join(cache.binRoot, entry), { recursive: true, force: true });
  }
  await mkdir(staging, { recursive: true });
  try {
    const go = await findGo(release, env);
    if (go.ok) {
      // Only what is missing: a cached binary of the release (which running processes may be executing) stays as it
      // is when a component is added to the release later (etcdutl beside etcd and etcdctl).
      const built = components.filter((component) => needed.includes(component.name));
      for (const component of built) {
        await goBuild(release, component, join(staging, component.name), env, progress);
      }
      const paths = new Map<BinaryName, string>();
      for (const component of built) {
        paths.set(
          component.name,
          await cache.install(join(staging, component.name), {
            component: component.name,
            version: release.version,
            source: 'go-build',
            detail: `${go.version}, wrapper module ${release.wrapperModuleDir}`,
            createdAt: new Date().toISOString(),
          }),
        );
      }
      return { paths, source: 'go-build' };
    }
    attempts.push(`build from Go modules: ${go.reason}`);
    if (release.download === undefined) {
      attempts.push(`download: ${release.name} publishes no release binaries with checksums to check them against`);
      throw new BinariesUnavailableError(unavailableMessage(release, attempts, env), {
        release: release.name,
        version: release.version,
        attempts,
      });
    }
    try {
      // Each download is a large separate file: fetch only what was asked for.
      const wanted = components.filter((component) => needed.includes(component.name));
      const staged = await downloadRelease(release, wanted, staging, env, progress);
      const paths = new Map<BinaryName, string>();
      for (const [name, path] of staged) {
        paths.set(
          name,
          await cache.install(path, {
            component: name,
            version: release.version,
            source: 'download',
            detail: downloadBaseUrl(release, env),
            createdAt: new Date().toISOString(),
          }),
        );
      }
      return { paths, source: 'download' };
    } catch (error) {
      attempts.push(`download: ${error instanceof Error ? error.message : String(error)}`);
    }
    throw new BinariesUnavailableError(unavailableMessage(release, attempts, env), {
      release: release.name,
      version: release.version,
      attempts,
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Finds binaries (by default the control-plane components), trying in order: $STRATA_BIN_DIR, the
 * checksummed cache outside the clone, a build from Go modules, and the
 * official release download. A build runs at most once per version on a
 * machine: concurrent callers wait on a lock and then reuse its result.
 */
export async function resolveBinaries(options: ResolveOptions = {}): Promise<Resolution> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? defaultProgress;
  const wanted = options.components ?? COMPONENT_NAMES;
  const paths: Partial<Record<BinaryName, string>> = {};
  const sources: Partial<Record<BinaryName, BinarySource>> = {};

  const etcd = chosenEtcdRelease(options.etcdVersion);
  const binDir = env[BIN_DIR_VARIABLE];
  if (binDir) {
    Object.assign(paths, await fromDirectory(binDir, wanted, etcd));
    for (const name of wanted) sources[name] = 'directory';
    return { paths, sources };
  }

  const cache = new BinaryCache(options.cacheRoot ?? defaultCacheRoot(env));
  const releases = new Set<ReleaseName>(wanted.map((name) => COMPONENTS[name].release));
  for (const releaseName of releases) {
    const release = releaseOf(releaseName, etcd);
    const needed = wanted.filter((name) => COMPONENTS[name].release === releaseName);
    /** The needed components the cache does not hold valid; those it holds are taken from it. */
    const lookFor = async (): Promise<BinaryName[]> => {
      const missing: BinaryName[] = [];
      for (const name of needed) {
        const found = await cache.lookup(name, release.version);
        if (found.state === 'valid') {
          paths[name] = found.path;
          sources[name] = 'cache';
          continue;
        }
        missing.push(name);
        if (found.state === 'corrupt') {
          progress(`cached ${name} ${release.version} is unusable (${found.reason}); it will be replaced`);
          await cache.remove(name, release.version);
        }
      }
      return missing;
    };
    if ((await lookFor()).length === 0) continue;
    await mkdir(cache.binRoot, { recursive: true });
    const lockPath = join(cache.binRoot, `.lock-${release.name}-${release.version}`);
    await withLockFile(
      lockPath,
      async () => {
        // Another process may have finished the same build while we waited.
        const missing = await lookFor();
        if (missing.length === 0) return;
        const provided = await provideRelease(release, missing, cache, env, progress);
        for (const name of missing) {
          const path = provided.paths.get(name);
          if (path === undefined) {
            throw new BinaryResolutionError(`${provided.source} produced no ${name}`, { component: name });
          }
          paths[name] = path;
          sources[name] = provided.source;
        }
      },
      {
        onWait: (holder) =>
          progress(
            `waiting for process ${holder.pid} that is providing ${release.name} ${release.version} (since ${holder.since})`,
          ),
      },
    );
  }
  return { paths, sources };
}

/** The same, for callers that need every component and want a plain path map. */
export async function resolveAllBinaries(options: Omit<ResolveOptions, 'components'> = {}): Promise<ResolvedBinaries> {
  const { paths } = await resolveBinaries(options);
  const missing = COMPONENT_NAMES.filter((name) => paths[name] === undefined);
  if (missing.length > 0) throw new BinaryResolutionError(`unresolved: ${missing.join(', ')}`, { missing });
  return paths as ResolvedBinaries;
}

/** etcd, etcdctl and etcdutl of one of ETCD_VERSIONS: what an etcd image with that tag runs. */
export async function resolveEtcd(
  version: string,
  options: Omit<ResolveOptions, 'components' | 'etcdVersion'> = {},
): Promise<{ readonly etcd: string; readonly etcdctl: string; readonly etcdutl: string }> {
  const { paths } = await resolveBinaries({
    ...options,
    components: ['etcd', 'etcdctl', 'etcdutl'],
    etcdVersion: version,
  });
  if (paths.etcd === undefined || paths.etcdctl === undefined || paths.etcdutl === undefined) {
    throw new BinaryResolutionError(`unresolved: etcd ${version}`, { version });
  }
  return { etcd: paths.etcd, etcdctl: paths.etcdctl, etcdutl: paths.etcdutl };
}

/** One binary by name, for callers that need a single tool: `await resolveBinary('pulumi')`. */
export async function resolveBinary(
  name: BinaryName,
  options: Omit<ResolveOptions, 'components'> = {},
): Promise<string> {
  const { paths } = await resolveBinaries({ ...options, components: [name] });
  const path = paths[name];
  if (path === undefined) throw new BinaryResolutionError(`unresolved: ${name}`, { missing: [name] });
  return path;
}
