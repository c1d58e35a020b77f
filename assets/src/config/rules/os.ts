import type { Finding } from '../issue.ts';
import { OPERATING_SYSTEMS, OS_CHANNELS, OS_VERSION_FORMATS, osSchema } from '../schema.ts';
import { closestMatch } from '../suggest.ts';
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
  return findings;
};
