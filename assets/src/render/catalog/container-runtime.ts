// containerd on a node, per OS: its configuration file, how its unit finds it, and the registry mirrors the config
// asks for (containerd's hosts.toml, one directory per registry under /etc/containerd/certs.d).
import { HOST_FILES } from '@strata/api';
import { PAUSE_VERSION } from '@strata/binaries';
import type { RenderConfig } from '../render-config.ts';
import type { NodeFile, NodeUnit } from './node-files.ts';

export const CONTAINERD_CONFIG_PATH = '/etc/containerd/config.toml';
export const REGISTRY_HOSTS_DIR = '/etc/containerd/certs.d';

/**
 * The sandbox image of Strata's node image: the pause build that Strata pins, under the name the Kubernetes project
 * publishes it, so that a registry mirror of registry.k8s.io serves it as it serves kube-proxy.
 */
export const NODE_IMAGE_SANDBOX_IMAGE = `registry.k8s.io/pause:${PAUSE_VERSION}`;

/** Flatcar's and Fedora CoreOS's containerd 1.x (configuration version 2), with the systemd cgroup driver. */
export const CONTAINERD_CONFIG = [
  'version = 2',
  '',
  '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
  '  runtime_type = "io.containerd.runc.v2"',
  '',
  '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
  '  SystemdCgroup = true',
  '',
  '[plugins."io.containerd.grpc.v1.cri".cni]',
  '  bin_dir = "/opt/cni/bin"',
  '  conf_dir = "/etc/cni/net.d"',
  '',
].join('\n');

type Mirrors = NonNullable<RenderConfig['registryMirrors']>;

function containerdConfig(config: RenderConfig): string {
  const mirrored = (config.registryMirrors ?? []).length > 0;
  if (config.os.name !== 'strata') {
    if (!mirrored) return CONTAINERD_CONFIG;
    return [
      CONTAINERD_CONFIG.trimEnd(),
      '',
      '[plugins."io.containerd.grpc.v1.cri".registry]',
      `  config_path = "${REGISTRY_HOSTS_DIR}"`,
      '',
    ].join('\n');
  }
  // containerd 2 merges an imported file over the importing one: the image's file keeps the runtime and CNI
  // settings, and this one may only add what the image's leaves unset.
  return [
    'version = 3',
    `imports = ['${HOST_FILES.nodeImageContainerdConfig}']`,
    '',
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    `  sandbox = '${NODE_IMAGE_SANDBOX_IMAGE}'`,
    ...(mirrored
      ? ['', "[plugins.'io.containerd.cri.v1.images'.registry]", `  config_path = '${REGISTRY_HOSTS_DIR}'`]
      : []),
    '',
  ].join('\n');
}

/**
 * containerd's hosts.toml for one registry: the mirror first, for pulls and name resolution, and the registry itself
 * (`server`) only if the mirror fails, as containerd tries hosts in order. A CA of the mirror's own is trusted for
 * that mirror alone, not system-wide.
 */
export function registryHostsToml(registry: string, mirror: Mirrors[number]): string {
  // Docker Hub's images are named docker.io, but its registry answers at registry-1.docker.io.
  const server = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return [
    `server = "https://${server}"`,
    '',
    `[host."${mirror.endpoint.replace(/\/+$/, '')}"]`,
    '  capabilities = ["pull", "resolve"]',
    ...(mirror.caCertificate === undefined ? [] : [`  ca = "${REGISTRY_HOSTS_DIR}/${registry}/ca.crt"`]),
    '',
  ].join('\n');
}

function mirrorFiles(mirrors: Mirrors, mode: number): NodeFile[] {
  return mirrors.flatMap((mirror) =>
    mirror.registries.flatMap((registry) => [
      { path: `${REGISTRY_HOSTS_DIR}/${registry}/hosts.toml`, contents: registryHostsToml(registry, mirror), mode },
      ...(mirror.caCertificate === undefined
        ? []
        : [{ path: `${REGISTRY_HOSTS_DIR}/${registry}/ca.crt`, contents: mirror.caCertificate, mode }]),
    ]),
  );
}

/**
 * How containerd.service reads the rendered file: Flatcar's unit takes it from CONTAINERD_CONFIG; the node image's
 * unit passes --config with the image's own path, so the drop-in replaces its command line.
 */
function containerdDropin(config: RenderConfig): NodeUnit {
  const contents =
    config.os.name === 'strata'
      ? `[Service]\nExecStart=\nExecStart=/usr/bin/containerd --config ${CONTAINERD_CONFIG_PATH}\n`
      : `[Service]\nEnvironment=CONTAINERD_CONFIG=${CONTAINERD_CONFIG_PATH}\n`;
  return { name: 'containerd.service', dropins: [{ name: '10-strata-config.conf', contents }] };
}

/** Everything a node's containerd takes from the render. */
export function containerRuntime(config: RenderConfig, mode: number): { files: NodeFile[]; units: NodeUnit[] } {
  return {
    files: [
      { path: CONTAINERD_CONFIG_PATH, contents: containerdConfig(config), mode },
      ...mirrorFiles(config.registryMirrors ?? [], mode),
    ],
    units: [containerdDropin(config)],
  };
}
