import { clusterConfigFieldsSchema, kubernetesSysextSchema, osSchema } from '../schema.ts';
import type { Rule } from './rule.ts';
import { readPlatform } from './platform.ts';

/**
 * Every node downloads the kubelet's system extension at first boot and runs
 * it as root; without a pinned hash, whoever can alter the download (a proxy,
 * a mirror, the network) owns every node. Local nodes are simulated and never
 * download it, so only the other platforms need the pin; Strata's node image carries the kubelet, and downloads none.
 */
export const downloadsRule: Rule = (config) => {
  const platform = readPlatform(config);
  if (platform === undefined || platform === 'local') return [];
  if (config.get(['os', 'name'], osSchema.shape.name) === 'strata') return [];
  const allowed = config.get(['allowUnverifiedDownloads'], clusterConfigFieldsSchema.shape.allowUnverifiedDownloads);
  if (allowed === true) return [];
  const sha512 = config.get(['kubernetesSysext', 'sha512'], kubernetesSysextSchema.shape.sha512);
  if (sha512 !== undefined) return [];
  return [
    {
      path: ['kubernetesSysext', 'sha512'],
      message: `is required on ${platform}: every node downloads the kubelet's system extension at first boot and runs it as root, so its hash must be pinned`,
      anchor: ['platform'],
      hint: 'set kubernetesSysext.sha512 to the output of `curl -fsSL <its url> | sha512sum` run on a trusted network, or set allowUnverifiedDownloads: true to accept the risk',
    },
  ];
};
