import { fileURLToPath } from 'node:url';

/** OpenTofu, which drives terraform-provider-matchbox against the boot server's gRPC API in its test. */
export const OPENTOFU_VERSION = 'v1.12.6';
/** The matchbox provider of Terraform and OpenTofu, as Typhoon's bare-metal modules pin it. */
export const MATCHBOX_PROVIDER_VERSION = 'v0.5.4';
/** The one Kubernetes release Strata pins. The wrapper go.mod requires the same version. */
export const KUBERNETES_VERSION = 'v1.36.3';
/** etcd 3.6: what Kubernetes 1.36 is tested against. Debian's 3.4 is too old. */
export const ETCD_VERSION = 'v3.6.16';
/**
 * Every etcd release an etcd pod may run (its image's tag picks one), so that an
 * etcd cluster can be upgraded for real: an earlier patch of the pinned minor, the
 * newest patch of the minor before it, and the pinned release. Each has its own
 * wrapper module, `go/etcd-<version>/` (the pinned one `go/etcd/`), which pins etcd, etcdctl and etcdutl.
 */
export const ETCD_VERSIONS = ['v3.5.36', 'v3.6.15', ETCD_VERSION] as const;
export type EtcdVersion = (typeof ETCD_VERSIONS)[number];
/** The Pulumi engine the bare-metal platform's resources run under; @pulumi/pulumi is pinned to the same version. */
export const PULUMI_VERSION = 'v3.250.0';
/**
 * The MinIO server, the S3-compatible store of tests and the local platform. MinIO tags no
 * Go-module versions, so the module is pinned to a commit; the release tag names the same commit's date.
 */
export const MINIO_VERSION = 'RELEASE.2026-02-12T20-18-48Z';
/** The commit's time in RFC 3339, as MinIO's build stamps its Version. */
const MINIO_COMMIT_TIME = '2026-02-12T20:18:48Z';
const MINIO_COMMIT = '7aac2a2c5b7c';
/** Butane, which the boot server translates Butane templates with, as matchbox does. */
export const BUTANE_VERSION = 'v0.25.1';
/**
 * matchbox, which the boot server's differential test runs beside Strata's boot server, and its `bootcmd` gRPC client,
 * which proves the boot server's gRPC API.
 */
export const MATCHBOX_VERSION = 'v0.11.0';

/** The control-plane components: what `resolveAllBinaries` provides and every cluster needs. */
export const COMPONENT_NAMES = [
  'etcd',
  'etcdctl',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
] as const;

export type ComponentName = (typeof COMPONENT_NAMES)[number];
/** Tools that only some callers need; resolved by name, never by `resolveAllBinaries`. */
export const TOOL_NAMES = [
  // etcd's offline tool (snapshot restore, status): 3.6's etcdctl has no `snapshot restore`. Each etcd image has it.
  'etcdutl',
  'pulumi',
  'minio',
  'butane',
  'matchbox',
  'bootcmd',
  'tofu',
  'terraform-provider-matchbox',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
/** Everything the resolver can provide. */
export type BinaryName = ComponentName | ToolName;
export type ReleaseName =
  'kubernetes' | 'etcd' | 'pulumi' | 'minio' | 'butane' | 'matchbox' | 'opentofu' | 'terraform-provider-matchbox';

export interface ComponentSpec {
  readonly name: BinaryName;
  readonly release: ReleaseName;
  readonly goPackage: string;
  /**
   * Arguments that make the binary print its version, and what that output must contain. Absent for a binary that
   * prints none (a Terraform provider plugin only talks to its host): a $STRATA_BIN_DIR copy is then taken on trust.
   */
  readonly versionCommand?: readonly string[];
}

/** Where the official release puts a component, for users with internet access. */
export type ReleaseDownload = FilePerComponentDownload | TarballDownload;

interface DownloadBase {
  /** Environment variable that replaces the default base URL, for mirrors. */
  readonly baseUrlVariable: string;
  readonly defaultBaseUrl: string;
}

/** `<base>/<version>/bin/linux/<arch>/<component>`, each with a `.sha256` beside it (Kubernetes). */
export interface FilePerComponentDownload extends DownloadBase {
  readonly layout: 'file-per-component';
}

/** One archive for all components and one checksum list in `sha256sum` format (etcd, Pulumi). */
export interface TarballDownload extends DownloadBase {
  readonly layout: 'tarball';
  /** Path of the archive below the base URL, for a Go architecture name (amd64, arm64). */
  readonly archive: (arch: string) => string;
  /** Path of the checksum list below the base URL; it names the archive by its file name. */
  readonly checksums: string;
  /** Path of a component inside the archive. */
  readonly member: (arch: string, component: BinaryName) => string;
}

/**
 * A release built as the main module from a copy of its own module directory, for a module whose go.mod has replace
 * directives (OpenTofu's), which Go obeys only in the main module, so no wrapper module can build it.
 */
export interface MainModuleSpec {
  /** The module path, fetched at the release's version with `go mod download`. */
  readonly path: string;
  /** The module's pinned `h1:` checksum, as `go mod download -json` reports it and go.sum records it. */
  readonly sum: string;
  /** The `go` line of the module's go.mod: the oldest toolchain that builds it. */
  readonly go: string;
}

export interface ReleaseSpec {
  readonly name: ReleaseName;
  readonly version: string;
  /** The directory of the wrapper go.mod that pins this release (for a mainModule release: its notes). */
  readonly wrapperModuleDir: string;
  /** Set when the release is built as the main module instead (component goPackages are then relative: ./cmd/x). */
  readonly mainModule?: MainModuleSpec;
  /** `-X` flags that stamp the version, so that /version reports the real release. */
  readonly versionLdflags: readonly string[];
  /**
   * Absent when there is nothing to download and check: no official release binary (MinIO publishes source only) or
   * no published checksums (Butane, matchbox). Then it is only built from Go modules.
   */
  readonly download?: ReleaseDownload;
}

const wrapperDir = (name: string): string => fileURLToPath(new URL(`../go/${name}/`, import.meta.url));

function kubernetesLdflags(version: string): string[] {
  const [major, minor] = version.replace(/^v/, '').split('.');
  // Mirrors hack/lib/version.sh: client-go and component-base both carry the version.
  return ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major ?? ''}`,
    `-X ${pkg}.gitMinor=${minor ?? ''}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
}

function etcdReleaseSpec(version: string, moduleDir: string): ReleaseSpec {
  return {
    name: 'etcd',
    version,
    wrapperModuleDir: moduleDir,
    // etcd compiles its version in as a constant; nothing to stamp.
    versionLdflags: [],
    download: {
      baseUrlVariable: 'STRATA_ETCD_DOWNLOAD_URL',
      defaultBaseUrl: 'https://github.com/etcd-io/etcd/releases/download',
      layout: 'tarball',
      archive: (arch) => `${version}/etcd-${version}-linux-${arch}.tar.gz`,
      checksums: `${version}/SHA256SUMS`,
      member: (arch, component) => `etcd-${version}-linux-${arch}/${component}`,
    },
  };
}

export function isEtcdVersion(version: string): version is EtcdVersion {
  return (ETCD_VERSIONS as readonly string[]).includes(version);
}

/** The release spec of one of the ETCD_VERSIONS. */
export function etcdRelease(version: EtcdVersion): ReleaseSpec {
  return etcdReleaseSpec(version, wrapperDir(version === ETCD_VERSION ? 'etcd' : `etcd-${version}`));
}

export const RELEASES: Readonly<Record<ReleaseName, ReleaseSpec>> = {
  kubernetes: {
    name: 'kubernetes',
    version: KUBERNETES_VERSION,
    wrapperModuleDir: wrapperDir('kubernetes'),
    versionLdflags: kubernetesLdflags(KUBERNETES_VERSION),
    download: {
      baseUrlVariable: 'STRATA_KUBERNETES_DOWNLOAD_URL',
      defaultBaseUrl: 'https://dl.k8s.io/release',
      layout: 'file-per-component',
    },
  },
  etcd: etcdRelease(ETCD_VERSION),
  pulumi: {
    name: 'pulumi',
    version: PULUMI_VERSION,
    wrapperModuleDir: wrapperDir('pulumi'),
    // Pulumi's release build stamps the version into this variable; `pulumi version` prints it.
    versionLdflags: [`-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}`],
    download: {
      baseUrlVariable: 'STRATA_PULUMI_DOWNLOAD_URL',
      defaultBaseUrl: 'https://get.pulumi.com/releases/sdk',
      layout: 'tarball',
      // Pulumi names amd64 "x64" in its archive names.
      archive: (arch) => `pulumi-${PULUMI_VERSION}-linux-${arch === 'amd64' ? 'x64' : arch}.tar.gz`,
      checksums: `pulumi-${PULUMI_VERSION.replace(/^v/, '')}-checksums.txt`,
      member: (_arch, component) => `pulumi/${component}`,
    },
  },
  minio: {
    name: 'minio',
    version: MINIO_VERSION,
    wrapperModuleDir: wrapperDir('minio'),
    // What MinIO's own release build stamps; `minio --version` prints the release tag.
    versionLdflags: [
      `-X github.com/minio/minio/cmd.ReleaseTag=${MINIO_VERSION}`,
      `-X github.com/minio/minio/cmd.Version=${MINIO_COMMIT_TIME}`,
      `-X github.com/minio/minio/cmd.CommitID=${MINIO_COMMIT}`,
      `-X github.com/minio/minio/cmd.ShortCommitID=${MINIO_COMMIT}`,
    ],
  },
  butane: {
    name: 'butane',
    version: BUTANE_VERSION,
    wrapperModuleDir: wrapperDir('butane'),
    // Butane's own build script stamps the version here; `butane --version` prints it.
    versionLdflags: [`-X github.com/coreos/butane/internal/version.Raw=${BUTANE_VERSION}`],
  },
  matchbox: {
    name: 'matchbox',
    version: MATCHBOX_VERSION,
    wrapperModuleDir: wrapperDir('matchbox'),
    // matchbox's Makefile stamps the versions here; `matchbox -version` and `bootcmd version` print them.
    versionLdflags: [
      `-X github.com/poseidon/matchbox/matchbox/version.Version=${MATCHBOX_VERSION}`,
      `-X github.com/poseidon/matchbox/matchbox/cli.version=${MATCHBOX_VERSION}`,
    ],
  },
  opentofu: {
    name: 'opentofu',
    version: OPENTOFU_VERSION,
    wrapperModuleDir: wrapperDir('opentofu'),
    mainModule: {
      path: 'github.com/opentofu/opentofu',
      sum: 'h1:0VT4P8pMmGcCUnQ9JDrJ+Qg2d35Vzm4FFd/9+H7oF98=',
      go: '1.26.6',
    },
    // OpenTofu's release build marks the build as no development one; `tofu version` then prints the bare version.
    versionLdflags: ['-X github.com/opentofu/opentofu/version.dev=no'],
  },
  'terraform-provider-matchbox': {
    name: 'terraform-provider-matchbox',
    version: MATCHBOX_PROVIDER_VERSION,
    wrapperModuleDir: wrapperDir('terraform-provider-matchbox'),
    // The provider stamps no version: OpenTofu learns it from the directory it installs the provider from.
    versionLdflags: [],
  },
};

export const COMPONENTS: Readonly<Record<BinaryName, ComponentSpec>> = {
  matchbox: {
    name: 'matchbox',
    release: 'matchbox',
    goPackage: 'github.com/poseidon/matchbox/cmd/matchbox',
    versionCommand: ['-version'],
  },
  bootcmd: {
    name: 'bootcmd',
    release: 'matchbox',
    goPackage: 'github.com/poseidon/matchbox/cmd/bootcmd',
    versionCommand: ['version'],
  },
  tofu: { name: 'tofu', release: 'opentofu', goPackage: './cmd/tofu', versionCommand: ['version'] },
  'terraform-provider-matchbox': {
    name: 'terraform-provider-matchbox',
    release: 'terraform-provider-matchbox',
    goPackage: 'github.com/poseidon/terraform-provider-matchbox',
  },
  butane: {
    name: 'butane',
    release: 'butane',
    goPackage: 'github.com/coreos/butane/internal',
    versionCommand: ['--version'],
  },
  etcd: { name: 'etcd', release: 'etcd', goPackage: 'go.etcd.io/etcd/server/v3', versionCommand: ['--version'] },
  etcdctl: { name: 'etcdctl', release: 'etcd', goPackage: 'go.etcd.io/etcd/etcdctl/v3', versionCommand: ['version'] },
  etcdutl: { name: 'etcdutl', release: 'etcd', goPackage: 'go.etcd.io/etcd/etcdutl/v3', versionCommand: ['version'] },
  'kube-apiserver': {
    name: 'kube-apiserver',
    release: 'kubernetes',
    goPackage: 'k8s.io/kubernetes/cmd/kube-apiserver',
    versionCommand: ['--version'],
  },
  'kube-controller-manager': {
    name: 'kube-controller-manager',
    release: 'kubernetes',
    goPackage: 'k8s.io/kubernetes/cmd/kube-controller-manager',
    versionCommand: ['--version'],
  },
  'kube-scheduler': {
    name: 'kube-scheduler',
    release: 'kubernetes',
    goPackage: 'k8s.io/kubernetes/cmd/kube-scheduler',
    versionCommand: ['--version'],
  },
  kubectl: {
    name: 'kubectl',
    release: 'kubernetes',
    goPackage: 'k8s.io/kubernetes/cmd/kubectl',
    versionCommand: ['version', '--client'],
  },
  pulumi: {
    name: 'pulumi',
    release: 'pulumi',
    goPackage: 'github.com/pulumi/pulumi/pkg/v3/cmd/pulumi',
    versionCommand: ['version'],
  },
  minio: { name: 'minio', release: 'minio', goPackage: 'github.com/minio/minio', versionCommand: ['--version'] },
};

export function componentsOf(release: ReleaseName): ComponentSpec[] {
  return Object.values(COMPONENTS).filter((component) => component.release === release);
}
