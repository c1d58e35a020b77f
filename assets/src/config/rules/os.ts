import type { Finding } from '../issue.ts';
import type { ConfigReader } from '../reader.ts';
import { kubernetesSysextSchema, OPERATING_SYSTEMS, OS_CHANNELS, OS_VERSION_FORMATS, osSchema } from '../schema.ts';
import { closestMatch } from '../suggest.ts';
import { readPlatform } from './platform.ts';
import type { Rule } from './rule.ts';

/** Channels and version numbers differ between Flatcar and Fedora CoreOS. */
export const osRule: Rule = (config) => {
  const name = config.get(['os', 'name'], osSchema.shape.name);
  if (name === undefined) {
    return [];
  }
  const findings: Finding[] = [];
  const channel = config.get(['os', 'channel'], osSchema.shape.channel);
  const channels: readonly string[] = OS_CHANNELS[name];
  if (channel !== undefined && !channels.includes(channel)) {
    const match = closestMatch(channel, channels);
    findings.push({
      path: ['os', 'channel'],
      message: `is not a channel of ${name}, whose channels are ${channels.join(', ')}`,
      hint: match === undefined ? `use one of ${channels.join(', ')}` : `did you mean "${match}"?`,
      value: channel,
    });
  }
  const version = config.get(['os', 'version'], osSchema.shape.version);
  const format = OS_VERSION_FORMATS[name];
  if (version !== undefined && !format.pattern.test(version)) {
    const other = OPERATING_SYSTEMS.find((os) => os !== name && OS_VERSION_FORMATS[os].pattern.test(version));
    findings.push({
      path: ['os', 'version'],
      message: other === undefined ? `is not a ${name} version` : `is a ${other} version, but os.name is ${name}`,
      hint: `${name} versions look like "${format.example}"`,
      value: version,
    });
  }
  findings.push(...nodeImageFindings(config, name));
  return findings;
};

/**
 * Strata's node image boots only from Strata's boot server, and carries its kubelet: a cloud or the local platform
 * has no image of it, and the kubelet's system extension would mean nothing on it.
 */
function nodeImageFindings(config: ConfigReader, name: string): Finding[] {
  if (name !== 'strata') return [];
  const findings: Finding[] = [];
  const platform = readPlatform(config);
  if (platform !== undefined && platform !== 'bare-metal')
    findings.push({
      path: ['os', 'name'],
      message: `is strata, Strata's node image, which boots only from Strata's boot server; platform ${platform} has no image of it`,
      hint: 'use os.name: flatcar on this platform, or platform: bare-metal for the node image',
      value: name,
    });
  for (const field of ['url', 'sha512'] as const) {
    if (!config.has(['kubernetesSysext', field])) continue;
    findings.push({
      path: ['kubernetesSysext', field],
      message:
        'has no effect with os.name strata: the node image carries the kubelet in /usr, and downloads no extension',
      hint: 'remove it',
      value: config.get(['kubernetesSysext', field], kubernetesSysextSchema.shape[field]),
    });
  }
  return findings;
}
