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
/** containerd, the node image's container runtime, with its runc shim and its client `ctr`. */
export const CONTAINERD_VERSION = 'v2.4.2';
/** runc, the OCI runtime containerd's shim starts containers with. */
export const RUNC_VERSION = 'v1.5.3';
/** cri-tools, whose `crictl` talks to containerd's CRI endpoint as the kubelet does. */
export const CRI_TOOLS_VERSION = 'v1.37.0';
/** The CNI reference plugins a node's pod network is made of. */
export const CNI_PLUGINS_VERSION = 'v1.10.0';
/**
 * Ignition, which a node runs in its initramfs to apply its Ignition config (as Flatcar does), and its validator.
 * v2.24.0 is the newest v2 release the Go module proxy serves here.
 */
export const IGNITION_VERSION = 'v2.24.0';
/**
 * The CNCF distribution registry, which serves the machine lab's pod images (the pause image, kube-proxy) so that
 * nothing comes from the internet. v3.1.2 is the newest v3 release the Go module proxy serves here.
 */
export const DISTRIBUTION_VERSION = 'v3.1.2';
/**
 * flanneld, the pod network's VXLAN overlay: the release the rendered DaemonSet pins (@strata/assets' FLANNEL_IMAGE,
 * ghcr.io/flannel-io/flannel:v0.28.9), so that the lab's image under that name runs the same flanneld.
 */
export const FLANNEL_VERSION = 'v0.28.9';
/**
 * CoreDNS, the cluster's DNS server: the release kubeadm v1.36 deploys and the rendered Deployment pins
 * (@strata/assets' COREDNS_IMAGE, registry.k8s.io/coredns/coredns:v1.14.2).
 */
export const COREDNS_VERSION = 'v1.14.2';
/**
 * The `flannel` CNI plugin, which reads the subnet flanneld wrote (/run/flannel/subnet.env) and hands the pod to the
 * bridge plugin. Its own module (github.com/flannel-io/cni-plugin) is served by no Go module proxy here, and
 * containernetworking/plugins dropped it after v0.9.1 (its meta/flannel is absent from v1.0.0 on): v0.9.1 is the last
 * release that has it. It speaks CNI 0.1.0 to 0.4.0, which the rendered conflist's 0.3.1 is, and delegates to the
 * node image's v1.10.0 bridge, which speaks the same.
 */
export const CNI_PLUGINS_FLANNEL_VERSION = 'v0.9.1';
/**
 * The machine lab's workload, `strata-test-server` (go/test-server/main.go): this repository's own Go program, with only
 * the standard library. The cache keeps binaries by version, so a change to its source must come with a new version:
 * TEST_SERVER_SOURCE_SHA256 is the source's SHA-256, and a unit test fails until both are updated.
 */
export const TEST_SERVER_VERSION = 'v0.1.0';
export const TEST_SERVER_SOURCE_SHA256 = 'e9d6d48697216a5b77b4c151e90c0747806f2faa2c7cb9400a6423e33689f567';
/** The commit the v1.14.2 tag names, as the module proxy reports it: what CoreDNS's Makefile stamps (`git describe --always`). */
const COREDNS_COMMIT = 'dd1df4f';

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
  // The OCI registry of the machine lab's pod images.
  'registry',
  // A node's service proxy; it runs as a pod, from the kube-proxy image (src/kube-proxy-image.ts).
  'kube-proxy',
  // The pod network's daemon; it runs as a pod, from the flannel image (src/flannel-image.ts).
  'flanneld',
  // Cluster DNS; it runs as a pod, from the CoreDNS image (src/coredns-image.ts).
  'coredns',
  // The pod network's CNI plugin; flannel's DaemonSet copies it onto each node, from its image (src/flannel-image.ts).
  'flannel-cni-plugin',
  // The machine lab's workload: an HTTP server, and the client that proves the pod network from inside a pod.
  'test-server',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
/**
 * The CNI plugins of a node's pod network: a bridge with host-local addresses, the pod's loopback interface, and
 * portmap for a pod's host ports. Each is a binary of its own, named as a CNI network config's `type` names it.
 */
export const CNI_PLUGIN_NAMES = ['bridge', 'host-local', 'loopback', 'portmap'] as const;
export type CniPluginName = (typeof CNI_PLUGIN_NAMES)[number];
/** What a node runs besides the OS: the kubelet, the container runtime and its tools, the CNI plugins. By name too. */
export const NODE_IMAGE_NAMES = [
  'kubelet',
  'containerd',
  'containerd-shim-runc-v2',
  'ctr',
  'runc',
  'crictl',
  ...CNI_PLUGIN_NAMES,
  // Ignition runs in the node's initramfs; ignition-validate checks a config offline, as Ignition's own release ships it.
  'ignition',
  'ignition-validate',
] as const;
export type NodeImageName = (typeof NODE_IMAGE_NAMES)[number];
/**
 * Binaries built from C rather than Go, cached and checksummed the same way: Kubernetes' pause, the process that holds a
 * pod sandbox's namespaces (src/pause.ts).
 */
export const C_BINARY_NAMES = ['pause'] as const;
export type CBinaryName = (typeof C_BINARY_NAMES)[number];
/** Everything the resolver can provide. */
export type BinaryName = ComponentName | ToolName | NodeImageName;
/** Everything the binary cache holds. */
export type CachedBinaryName = BinaryName | CBinaryName;
export type ReleaseName =
  | 'kubernetes'
  | 'etcd'
  | 'pulumi'
  | 'minio'
  | 'butane'
  | 'matchbox'
  | 'opentofu'
  | 'terraform-provider-matchbox'
  | 'containerd'
  | 'runc'
  | 'cri-tools'
  | 'cni-plugins'
  | 'ignition'
  | 'distribution'
  | 'flannel'
  | 'cni-plugins-flannel'
  | 'coredns'
  | 'test-server';

/**
 * A release built with cgo (runc, whose seccomp filters come from libseccomp; Ignition, which reads filesystems
 * through libblkid; flannel, whose amd64 UDP backend is C). Every other release is built static with CGO_ENABLED=0. A cgo build is still linked static (a static PIE, through the external linker), as runc's own
 * release build links it, so that the binary needs no C library on the machine that runs it: a node image has
 * neither Debian's libc nor its libseccomp.
 */
export interface CgoBuildSpec {
  /** `go build -tags`, e.g. runc's `seccomp`; none for Ignition. */
  readonly tags: readonly string[];
  /** The Debian packages with the C compiler, headers and static libraries the build needs: a failed build names them. */
  readonly debianPackages: readonly string[];
}

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
 * directives (OpenTofu's), which Go obeys only in the main module, so no wrapper module can build it; or one a package
 * of which must be emptied in the copy (flannel's).
 */
export interface MainModuleSpec {
  /** The module path, fetched at the release's version with `go mod download`. */
  readonly path: string;
  /** The module's pinned `h1:` checksum, as `go mod download -json` reports it and go.sum records it. */
  readonly sum: string;
  /** The `go` line of the module's go.mod: the oldest toolchain that builds it. */
  readonly go: string;
  /**
   * Packages of the module whose Go files the copy replaces with an empty package of the same name, so that what they
   * import is neither fetched nor compiled: for a package that only a blank import (`_`) pulls in and whose
   * dependency the Go module proxy does not serve.
   */
  readonly emptiedPackages?: readonly EmptiedPackage[];
}

export interface EmptiedPackage {
  /** The package's directory in the module: `pkg/backend/tencentvpc`. */
  readonly dir: string;
  /** Why it is emptied, and what the binary then lacks; the build's progress and the emptied file say it. */
  readonly why: string;
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
  /** Absent for a build with CGO_ENABLED=0: every release but runc, Ignition and flannel. */
  readonly cgo?: CgoBuildSpec;
  /** `go build -tags` of a CGO_ENABLED=0 build, as the release's own build sets them (CoreDNS's `grpcnotrace`). */
  readonly tags?: readonly string[];
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
  containerd: {
    name: 'containerd',
    version: CONTAINERD_VERSION,
    wrapperModuleDir: wrapperDir('containerd'),
    // containerd's Makefile stamps these (and the git revision, which a module download does not carry);
    // `containerd --version`, `ctr --version` and `containerd-shim-runc-v2 --version` print the version.
    versionLdflags: [
      `-X github.com/containerd/containerd/v2/version.Version=${CONTAINERD_VERSION}`,
      '-X github.com/containerd/containerd/v2/version.Package=github.com/containerd/containerd/v2',
    ],
  },
  runc: {
    name: 'runc',
    version: RUNC_VERSION,
    wrapperModuleDir: wrapperDir('runc'),
    // runc embeds its version from its VERSION file; its Makefile stamps only the git commit, which a module
    // download does not carry.
    versionLdflags: [],
    // The tags of runc's static release build less libpathrs (a Rust library Debian does not package; without it
    // runc uses its Go implementation). seccomp links libseccomp through cgo: without it runc cannot apply a
    // container's seccomp profile, which containerd's default spec and every pod with RuntimeDefault ask for.
    cgo: {
      tags: ['seccomp', 'urfave_cli_no_docs', 'netgo', 'osusergo'],
      debianPackages: ['gcc', 'libc6-dev', 'pkg-config', 'libseccomp-dev'],
    },
  },
  'cri-tools': {
    name: 'cri-tools',
    version: CRI_TOOLS_VERSION,
    wrapperModuleDir: wrapperDir('cri-tools'),
    // cri-tools' Makefile stamps the version without its `v`; `crictl --version` prints `crictl version 1.37.0`.
    versionLdflags: [`-X sigs.k8s.io/cri-tools/pkg/version.Version=${CRI_TOOLS_VERSION.replace(/^v/, '')}`],
  },
  'cni-plugins': {
    name: 'cni-plugins',
    version: CNI_PLUGINS_VERSION,
    wrapperModuleDir: wrapperDir('cni-plugins'),
    // What the plugins' release workflow stamps; a plugin run without CNI_COMMAND prints `CNI <name> plugin <version>`.
    versionLdflags: [
      `-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=${CNI_PLUGINS_VERSION}`,
    ],
  },
  ignition: {
    name: 'ignition',
    version: IGNITION_VERSION,
    wrapperModuleDir: wrapperDir('ignition'),
    // Ignition's build script stamps the version; `ignition -version` and `ignition-validate --version` print
    // `Ignition v2.24.0`. A distribution stamps its own settings into internal/distro the same way: the node image
    // carries no SELinux policy, so there is nothing to relabel with, and with relabeling on (Ignition's default) the
    // files stage fails after writing everything, on opening /etc/selinux/config.
    versionLdflags: [
      `-X github.com/coreos/ignition/v2/internal/version.Raw=${IGNITION_VERSION}`,
      '-X github.com/coreos/ignition/v2/internal/distro.selinuxRelabel=false',
    ],
    // Ignition's own build is a cgo one: it reads filesystems' labels and UUIDs through libblkid, and looks users and
    // groups up in the target root through C code of its own; without cgo its main package does not compile (its
    // as_user and virtualbox packages are cgo-only). No tags, as its build script sets none. ignition-validate has no
    // C code and is built the same way, for one build cache.
    cgo: {
      tags: [],
      debianPackages: ['gcc', 'libc6-dev', 'pkg-config', 'libblkid-dev'],
    },
  },
  distribution: {
    name: 'distribution',
    version: DISTRIBUTION_VERSION,
    wrapperModuleDir: wrapperDir('distribution'),
    // What distribution's Makefile stamps (less the git revision, which a module download does not carry);
    // `registry --version` prints `<its path> github.com/distribution/distribution/v3 v3.1.2`.
    versionLdflags: [
      `-X github.com/distribution/distribution/v3/version.version=${DISTRIBUTION_VERSION}`,
      '-X github.com/distribution/distribution/v3/version.mainpkg=github.com/distribution/distribution/v3',
    ],
  },
  flannel: {
    name: 'flannel',
    version: FLANNEL_VERSION,
    // Notes only (go/flannel/README.md): flanneld is built as the main module, from a copy of its own module.
    wrapperModuleDir: wrapperDir('flannel'),
    // Not a wrapper module: flanneld's main package blank-imports every backend, and the tencentvpc backend needs
    // github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc v1.3.149, whose every version the Go module proxy
    // refuses here ("This module version is not available"). As the main module, with that package emptied in the
    // copy, flanneld builds against flannel's own go.sum; it then has every backend but Tencent Cloud VPC routes.
    mainModule: {
      path: 'github.com/flannel-io/flannel',
      sum: 'h1:9+P0Pc8hearNZZpW6/Cc/4vEOiXaqQonYayDDeyibqY=',
      go: '1.25.9',
      emptiedPackages: [
        {
          dir: 'pkg/backend/tencentvpc',
          why: 'the Tencent Cloud VPC backend needs github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc, which the Go module proxy does not serve; flanneld is built without that backend',
        },
      ],
    },
    // What flannel's Makefile stamps; `flanneld --version` prints `v0.28.9`.
    versionLdflags: [`-X github.com/flannel-io/flannel/pkg/version.Version=${FLANNEL_VERSION}`],
    // flannel's amd64 release build is a cgo one, linked static (`-extldflags "-static"`): on amd64 the UDP backend's
    // packet proxy is C, and without cgo pkg/backend/udp does not compile (undefined: runCProxy). No tags, as its
    // Makefile sets none; linked as a static PIE like runc and Ignition.
    cgo: {
      tags: [],
      debianPackages: ['gcc', 'libc6-dev'],
    },
  },
  'cni-plugins-flannel': {
    name: 'cni-plugins-flannel',
    version: CNI_PLUGINS_FLANNEL_VERSION,
    wrapperModuleDir: wrapperDir('cni-plugins-flannel'),
    // As for the newer plugins: a plugin run without CNI_COMMAND prints `CNI flannel plugin v0.9.1`.
    versionLdflags: [
      `-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=${CNI_PLUGINS_FLANNEL_VERSION}`,
    ],
  },
  coredns: {
    name: 'coredns',
    version: COREDNS_VERSION,
    wrapperModuleDir: wrapperDir('coredns'),
    // CoreDNS compiles its version in (coremain.CoreVersion); its Makefile stamps the commit, which `coredns -version`
    // prints after `CoreDNS-1.14.2`, and builds with CGO_ENABLED=0 and the grpcnotrace tag (no golang.org/x/net/trace
    // in gRPC), as this build does.
    versionLdflags: [`-X github.com/coredns/coredns/coremain.GitCommit=${COREDNS_COMMIT}`],
    tags: ['grpcnotrace'],
  },
  'test-server': {
    name: 'test-server',
    version: TEST_SERVER_VERSION,
    // Not a wrapper: the module is the program itself (strata.dev/test-server), with no dependency to pin.
    wrapperModuleDir: wrapperDir('test-server'),
    versionLdflags: [`-X main.version=${TEST_SERVER_VERSION}`],
  },
};

/**
 * A CNI plugin from its directory in the plugins module. Run with no arguments and no CNI_COMMAND, a plugin prints
 * `CNI <name> plugin <version>`, so its version command is empty.
 */
function cniPlugin(name: CniPluginName, directory: string): ComponentSpec {
  return {
    name,
    release: 'cni-plugins',
    goPackage: `github.com/containernetworking/plugins/plugins/${directory}`,
    versionCommand: [],
  };
}

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
  'kube-proxy': {
    name: 'kube-proxy',
    release: 'kubernetes',
    goPackage: 'k8s.io/kubernetes/cmd/kube-proxy',
    versionCommand: ['--version'],
  },
  kubelet: {
    name: 'kubelet',
    release: 'kubernetes',
    goPackage: 'k8s.io/kubernetes/cmd/kubelet',
    versionCommand: ['--version'],
  },
  containerd: {
    name: 'containerd',
    release: 'containerd',
    goPackage: 'github.com/containerd/containerd/v2/cmd/containerd',
    versionCommand: ['--version'],
  },
  'containerd-shim-runc-v2': {
    name: 'containerd-shim-runc-v2',
    release: 'containerd',
    goPackage: 'github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2',
    versionCommand: ['--version'],
  },
  ctr: {
    name: 'ctr',
    release: 'containerd',
    goPackage: 'github.com/containerd/containerd/v2/cmd/ctr',
    versionCommand: ['--version'],
  },
  runc: { name: 'runc', release: 'runc', goPackage: 'github.com/opencontainers/runc', versionCommand: ['--version'] },
  crictl: {
    name: 'crictl',
    release: 'cri-tools',
    goPackage: 'sigs.k8s.io/cri-tools/cmd/crictl',
    versionCommand: ['--version'],
  },
  // Ignition's main package is the module's `internal` directory, as its build script builds it.
  ignition: {
    name: 'ignition',
    release: 'ignition',
    goPackage: 'github.com/coreos/ignition/v2/internal',
    versionCommand: ['-version'],
  },
  'ignition-validate': {
    name: 'ignition-validate',
    release: 'ignition',
    goPackage: 'github.com/coreos/ignition/v2/validate',
    versionCommand: ['--version'],
  },
  registry: {
    name: 'registry',
    release: 'distribution',
    goPackage: 'github.com/distribution/distribution/v3/cmd/registry',
    versionCommand: ['--version'],
  },
  // flannel's and CoreDNS's main packages are their modules' roots, as their Makefiles build them (flannel's as the
  // main module, so its package is relative).
  flanneld: { name: 'flanneld', release: 'flannel', goPackage: '.', versionCommand: ['--version'] },
  coredns: {
    name: 'coredns',
    release: 'coredns',
    goPackage: 'github.com/coredns/coredns',
    versionCommand: ['-version'],
  },
  'flannel-cni-plugin': {
    name: 'flannel-cni-plugin',
    release: 'cni-plugins-flannel',
    goPackage: 'github.com/containernetworking/plugins/plugins/meta/flannel',
    versionCommand: [],
  },
  'test-server': { name: 'test-server', release: 'test-server', goPackage: '.', versionCommand: ['version'] },
  bridge: cniPlugin('bridge', 'main/bridge'),
  'host-local': cniPlugin('host-local', 'ipam/host-local'),
  loopback: cniPlugin('loopback', 'main/loopback'),
  portmap: cniPlugin('portmap', 'meta/portmap'),
};

export function componentsOf(release: ReleaseName): ComponentSpec[] {
  return Object.values(COMPONENTS).filter((component) => component.release === release);
}
