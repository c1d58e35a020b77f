// A rendered worker's Ignition config, as Strata's node image takes it in the lab. The render is for the config's OS
// (Flatcar); the node image differs from Flatcar in a few places, and this replaces exactly those, each named here:
// they are what a render for the node image itself must produce. Everything else (the kubelet's unit and
// configuration, its bootstrap kubeconfig and the cluster CA, kernel modules, sysctls, the host name, the update
// agent's files) is the render's, byte for byte. The pod network is the render's too: flannel's DaemonSet writes the
// node's CNI configuration.
import { StrataError } from '@strata/api';
import { ignitionConfigSchema, textDataUrl, type IgnitionConfig } from '@strata/assets';
import { z } from 'zod';

/** What the lab gives a node beside the render: its registry, the names it serves, and the sandbox image in it. */
export interface LabNodeRuntime {
  /**
   * The registry names whose images the lab's registry serves: its own (e.g. `registry.strata.test`) and those the
   * rendered manifests pin (`ghcr.io`, `registry.k8s.io`). containerd's hosts.toml mirrors each to `registryAddress`;
   * nothing is pulled from the name itself (the lab has no route out).
   */
  readonly mirroredRegistries: readonly string[];
  /** `host:port` of the lab's registry, on the lab network's host end. */
  readonly registryAddress: string;
  /** The CA (PEM) that signed the registry's certificate: containerd trusts it for that registry alone. */
  readonly registryCa: string;
  /** CRI's pinned sandbox image, named under one of `mirroredRegistries`. */
  readonly sandboxImage: string;
}

/** Paths the render writes for Flatcar that the node image has its own way of doing. */
const REPLACED_FILES = {
  // Flatcar's containerd 1.x configuration (version 2, CNI in /opt/cni/bin): the image's containerd 2 reads version 3
  // from /usr/share/containerd/config.toml, which the machine's file below imports.
  containerdConfig: '/etc/containerd/config.toml',
  // Flatcar's update_engine configuration: the node image has no update_engine.
  flatcarUpdateConf: '/etc/flatcar/update.conf',
} as const;

/** Flatcar's kubelet comes as a system extension downloaded at first boot; the node image has the kubelet in /usr. */
const isSysextPath = (path: string) => path.startsWith('/opt/extensions/') || path.startsWith('/etc/extensions/');

/** Units of Flatcar that the node image does not have (locksmithd, masked by the render). */
const FLATCAR_ONLY_UNITS = new Set(['locksmithd.service']);

const CONTAINERD_CONFIG_PATH = REPLACED_FILES.containerdConfig;

/**
 * The machine's containerd configuration: the image's, plus the lab's sandbox image and registry mirrors. containerd
 * merges an imported file over the importing one, so this file may only add what the image's leaves unset.
 */
export function labContainerdConfig(runtime: LabNodeRuntime): string {
  return [
    'version = 3',
    "imports = ['/usr/share/containerd/config.toml']",
    '',
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    `  sandbox = ${JSON.stringify(runtime.sandboxImage)}`,
    '',
    "[plugins.'io.containerd.cri.v1.images'.registry]",
    "  config_path = '/etc/containerd/certs.d'",
    '',
  ].join('\n');
}

/** containerd's hosts.toml for `registryName`: pull and resolve from the lab's registry, trusting its CA alone. */
export function labRegistryHosts(runtime: LabNodeRuntime, registryName: string): string {
  return [
    `server = "https://${registryName}"`,
    '',
    `[host."https://${runtime.registryAddress}"]`,
    '  capabilities = ["pull", "resolve"]',
    `  ca = "/etc/containerd/certs.d/${registryName}/ca.crt"`,
    '',
  ].join('\n');
}

export class LabNodeIgnitionError extends StrataError {}

/** The rendered worker's config (JSON) with the node image's differences applied; the result is JSON again. */
export function nodeImageIgnition(rendered: string, runtime: LabNodeRuntime): string {
  const parsed = ignitionConfigSchema.safeParse(JSON.parse(rendered));
  if (!parsed.success) {
    throw new LabNodeIgnitionError(`the rendered worker's Ignition is not one: ${z.prettifyError(parsed.error)}`);
  }
  const config: IgnitionConfig = parsed.data;
  const replaced = new Set<string>(Object.values(REPLACED_FILES));
  const { files: renderedFiles = [], links: renderedLinks = [], ...storage } = config.storage ?? {};
  const files = renderedFiles.filter((file) => !replaced.has(file.path) && !isSysextPath(file.path));
  const links = renderedLinks.filter((link) => !isSysextPath(link.path));
  const units = (config.systemd?.units ?? [])
    .filter((unit) => !FLATCAR_ONLY_UNITS.has(unit.name))
    .map((unit) =>
      unit.name === 'containerd.service'
        ? {
            ...unit,
            // The render's drop-in sets CONTAINERD_CONFIG, which Flatcar's unit reads; the image's unit passes
            // --config, so the drop-in replaces its command line.
            dropins: [
              {
                name: '10-strata-config.conf',
                contents: `[Service]\nExecStart=\nExecStart=/usr/bin/containerd --config ${CONTAINERD_CONFIG_PATH}\n`,
              },
            ],
          }
        : unit,
    );
  const file = (path: string, contents: string) => ({
    path,
    mode: 0o644,
    overwrite: true,
    contents: { source: textDataUrl(contents) },
  });
  const result: IgnitionConfig = {
    ...config,
    storage: {
      ...storage,
      files: [
        ...files,
        file(CONTAINERD_CONFIG_PATH, labContainerdConfig(runtime)),
        ...runtime.mirroredRegistries.flatMap((registryName) => [
          file(`/etc/containerd/certs.d/${registryName}/hosts.toml`, labRegistryHosts(runtime, registryName)),
          file(`/etc/containerd/certs.d/${registryName}/ca.crt`, runtime.registryCa),
        ]),
      ],
      ...(links.length > 0 ? { links } : {}),
    },
    systemd: { ...config.systemd, units },
  };
  return `${JSON.stringify(result, null, 2)}\n`;
}
