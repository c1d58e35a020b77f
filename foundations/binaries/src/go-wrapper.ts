// The wrapper go.mod of a release, generated from the pinned module's own go.mod and the components the release
// provides, so that its `tool` block (what `go mod tidy` keeps in go.sum, and so what `-mod=readonly` can build) is
// always the list of components: a component added to COMPONENTS is in go.sum after the next generation.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { runCommand } from '@strata/host';
import { componentsOf, RELEASES, type ReleaseName } from './components.ts';
import { GoBuildError } from './errors.ts';

/** Where a generated wrapper's module comes from, and what its comment says it is for. */
export interface WrapperSource {
  readonly release: ReleaseName;
  /** The pinned Go module, required at the release's version. */
  readonly module: string;
  /** One line for the go.mod's first comment: what the wrapper builds. */
  readonly purpose: string;
  /**
   * Kubernetes replaces its staging modules (k8s.io/api, …) with directories of its own repository, which a module
   * that requires k8s.io/kubernetes cannot see: the wrapper replaces each with its published version instead.
   */
  readonly stagingReplaces?: boolean;
}

/** The wrappers this generator writes. The older ones (etcd, Pulumi, MinIO, …) were made by hand with `go get -tool`. */
export const GENERATED_WRAPPERS: readonly WrapperSource[] = [
  {
    release: 'kubernetes',
    module: 'k8s.io/kubernetes',
    purpose: "builds the pinned Kubernetes control-plane binaries and the node's kubelet from Go modules",
    stagingReplaces: true,
  },
  {
    release: 'containerd',
    module: 'github.com/containerd/containerd/v2',
    purpose: "builds the node image's containerd, its runc shim and ctr from Go modules",
  },
  {
    release: 'runc',
    module: 'github.com/opencontainers/runc',
    purpose: "builds the node image's runc from Go modules (with cgo, for libseccomp)",
  },
  {
    release: 'cri-tools',
    module: 'sigs.k8s.io/cri-tools',
    purpose: "builds the node image's crictl from Go modules",
  },
  {
    release: 'cni-plugins',
    module: 'github.com/containernetworking/plugins',
    purpose: "builds the node image's CNI plugins from Go modules",
  },
  {
    release: 'ignition',
    module: 'github.com/coreos/ignition/v2',
    purpose: "builds the node image's Ignition and ignition-validate from Go modules (with cgo, for libblkid)",
  },
  {
    release: 'distribution',
    module: 'github.com/distribution/distribution/v3',
    purpose: "builds the CNCF distribution registry that serves the machine lab's pod images from Go modules",
  },
  {
    release: 'coredns',
    module: 'github.com/coredns/coredns',
    purpose: 'builds CoreDNS, the cluster DNS server of the CoreDNS image, from Go modules',
  },
  {
    release: 'cni-plugins-flannel',
    module: 'github.com/containernetworking/plugins',
    purpose: "builds the flannel CNI plugin of the lab's flannel CNI plugin image from Go modules (its last release)",
  },
];

export const GENERATOR_PATH = 'foundations/binaries/scripts/gen-go-wrappers.ts';

/** The oldest `go` line under which a go.mod may have a `tool` block, which every wrapper has. */
export const TOOL_BLOCK_GO = '1.24';

/**
 * The wrapper's `go` line: the module's (the oldest toolchain that builds it), raised to TOOL_BLOCK_GO for a module
 * older than the `tool` block (containernetworking/plugins v0.9.1 says `go 1.14`).
 */
export function goLineOf(goMod: string): string {
  const line = /^go (\S+)$/m.exec(goMod)?.[1];
  if (line === undefined) throw new GoBuildError('the go.mod has no `go` line', {});
  const parts = (version: string) => version.split('.').map(Number);
  const [major = 0, minor = 0] = parts(line);
  const [toolMajor = 0, toolMinor = 0] = parts(TOOL_BLOCK_GO);
  return major < toolMajor || (major === toolMajor && minor < toolMinor) ? TOOL_BLOCK_GO : line;
}

/**
 * Kubernetes' staging replacements (`k8s.io/X => ./staging/src/k8s.io/X`) as the published modules of the same
 * release: k8s.io/kubernetes v1.36.3 publishes each staging module as `k8s.io/X v0.36.3`.
 */
export function stagingReplaces(kubernetesGoMod: string, kubernetesVersion: string): string[] {
  const match = /^v1\.(\d+)\.(\d+)$/.exec(kubernetesVersion);
  if (match === null) {
    throw new GoBuildError(`${kubernetesVersion} is no Kubernetes release version (v1.<minor>.<patch>)`, {
      version: kubernetesVersion,
    });
  }
  const staged = `v0.${match[1]}.${match[2]}`;
  const replaces = [...kubernetesGoMod.matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\/src\/\1\s*$/gm)].map(
    (found) => `${found[1]} => ${found[1]} ${staged}`,
  );
  if (replaces.length === 0) {
    throw new GoBuildError(`k8s.io/kubernetes ${kubernetesVersion}'s go.mod replaces no staging module`, {
      version: kubernetesVersion,
    });
  }
  return replaces;
}

export interface WrapperGoMod {
  readonly source: WrapperSource;
  readonly version: string;
  readonly go: string;
  readonly replaces: readonly string[];
  /** The main packages of the release's components. */
  readonly tools: readonly string[];
}

/** The go.mod before `go mod tidy` adds the requirements of the tools' packages. */
export function renderWrapperGoMod(wrapper: WrapperGoMod): string {
  const { source, version } = wrapper;
  const block = (keyword: string, lines: readonly string[]): string[] =>
    lines.length === 0 ? [] : [`${keyword} (`, ...[...lines].sort().map((line) => `\t${line}`), ')', ''];
  return [
    `// Wrapper module: ${source.purpose}.`,
    `// Generated by ${GENERATOR_PATH} from ${source.module}@${version}'s own go.mod; do not edit by hand.`,
    `module strata.dev/build/${source.release}`,
    '',
    `go ${wrapper.go}`,
    '',
    `require ${source.module} ${version}`,
    '',
    ...block('replace', wrapper.replaces),
    ...block('tool', wrapper.tools),
  ].join('\n');
}

const downloadedSchema = z.object({ GoMod: z.string().min(1) });

async function go(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCommand('go', args, { cwd, env: { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' } });
  if (result.code !== 0) {
    throw new GoBuildError(`go ${args.join(' ')} failed in ${cwd}: ${result.stdout}${result.stderr}`, { cwd, args });
  }
  return result.stdout;
}

/**
 * Writes the release's wrapper go.mod and lets `go mod tidy` fill in its requirements and go.sum from the module
 * proxy (or Go's module cache). Returns the go.mod's path.
 */
export async function generateWrapper(source: WrapperSource, env: NodeJS.ProcessEnv): Promise<string> {
  const release = RELEASES[source.release];
  const dir = release.wrapperModuleDir;
  // Outside any module, so that the wrapper's own (perhaps stale) go.mod decides nothing.
  const scratch = await mkdtemp(join(tmpdir(), 'strata-go-wrapper-'));
  let moduleGoMod: string;
  try {
    const downloaded = downloadedSchema.parse(
      JSON.parse(await go(['mod', 'download', '-json', `${source.module}@${release.version}`], scratch, env)),
    );
    moduleGoMod = await readFile(downloaded.GoMod, 'utf8');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  const goModPath = join(dir, 'go.mod');
  await writeFile(
    goModPath,
    renderWrapperGoMod({
      source,
      version: release.version,
      go: goLineOf(moduleGoMod),
      replaces: source.stagingReplaces === true ? stagingReplaces(moduleGoMod, release.version) : [],
      tools: componentsOf(source.release).map((component) => component.goPackage),
    }),
  );
  // The go.sum stays: tidy drops the lines no tool needs and adds the missing ones.
  await go(['mod', 'tidy'], dir, env);
  return goModPath;
}
