// An existing cluster.yaml as the wizard's starting answers: a file that
// parses with --config's schema and rules fills every field it has; one that
// does not is named with --config's own message, and the wizard starts from
// its defaults (the file is only replaced once the review is confirmed).
import { readFile } from 'node:fs/promises';
import { parseClusterConfigBytes, type ClusterConfig } from '@strata/assets';
import { identityOf, type Answers, type OfferedKey } from './answers.ts';

export type ExistingConfig =
  | { readonly kind: 'absent' }
  /** The file's text (for the review's diff) and the answers it gives. */
  | { readonly kind: 'parsed'; readonly text: string; readonly answers: Partial<Answers> }
  /** The file's text and why it does not parse, as --config says it. */
  | { readonly kind: 'invalid'; readonly text: string; readonly problem: string };

/** The answers a valid config gives; what the wizard does not ask (snippets, a second pool, more keys) the file keeps (unasked-fields.ts). */
export function answersOfConfig(
  config: ClusterConfig,
  offered: readonly OfferedKey[],
  identities: readonly string[],
): Partial<Answers> {
  const pool = config.workerPools[0];
  const window = config.updates.windows[0];
  const key = config.sshAuthorizedKeys[0];
  const offeredKey = offered.find(
    (entry) => entry.line.split(/\s+/).slice(0, 2).join(' ') === key?.split(/\s+/).slice(0, 2).join(' '),
  );
  const cloud = config.aws ?? config.gcp;
  const identity = offeredKey === undefined ? undefined : identityOf(offeredKey.path, identities);
  return {
    platform: config.platform,
    name: config.name,
    baseDomain: config.baseDomain,
    ...(config.local === undefined ? {} : { apiServerPort: String(config.local.apiServerPort) }),
    ...(cloud === undefined
      ? {}
      : { region: cloud.region, zones: cloud.zones.join(','), controllerType: cloud.controllerType }),
    ...(config.gcp === undefined ? {} : { gcpProject: config.gcp.project }),
    ...(config.azure === undefined
      ? {}
      : {
          region: config.azure.location,
          zones: (config.azure.zones ?? []).join(','),
          azureResourceGroup: config.azure.resourceGroup,
          controllerType: config.azure.controllerType,
        }),
    ...(config.bareMetal === undefined
      ? {}
      : {
          bootServer: config.bareMetal.bootServer.endpoint,
          machines: config.bareMetal.machines
            .map((machine) => `${machine.name} ${machine.mac} ${machine.role}`)
            .join('\n'),
        }),
    controllers: String(config.controllers.count),
    ...(pool === undefined
      ? {}
      : { workers: String(pool.count), ...(pool.instanceType === undefined ? {} : { workerType: pool.instanceType }) }),
    os: `${config.os.name}/${config.os.channel}`,
    ...(config.kubernetesSysext?.sha512 === undefined ? {} : { sysextSha512: config.kubernetesSysext.sha512 }),
    podCidr: config.networking.podCidr,
    serviceCidr: config.networking.serviceCidr,
    ...(key === undefined
      ? { sshKeySource: 'none', sshKey: '' }
      : { sshKeySource: offeredKey?.path ?? 'paste', sshKey: offeredKey?.line ?? key }),
    ...(identity === undefined ? {} : { sshIdentitySource: identity }),
    maxUnavailable: String(config.updates.maxUnavailable),
    ...(window === undefined
      ? {}
      : {
          windowDays: window.days.join(','),
          windowStart: window.start,
          windowDuration: window.duration,
          timeZone: window.timeZone,
        }),
  };
}

/** The file at `path`, checked as `strata install --config` checks it (the same messages, naming the file). */
export async function readExistingConfig(
  path: string,
  offered: readonly OfferedKey[],
  identities: readonly string[],
  hostNetworks?: readonly string[],
): Promise<ExistingConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  const text = bytes.toString('utf8');
  const parsed = parseClusterConfigBytes(bytes, {
    sourceName: path,
    ...(hostNetworks === undefined ? {} : { hostNetworks }),
  });
  if (!parsed.ok) return { kind: 'invalid', text, problem: parsed.message };
  return { kind: 'parsed', text, answers: answersOfConfig(parsed.config, offered, identities) };
}
