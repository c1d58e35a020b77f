import { z } from 'zod';
import type { Finding } from '../issue.ts';
import { certificatesSchema, clusterConfigFieldsSchema, osSchema, updatesSchema, workerPoolSchema } from '../schema.ts';
import type { Rule } from './rule.ts';

const DNS_NAME_MAX = 253;

export const certificateValidityRule: Rule = (config) => {
  const ca = config.get(['certificates', 'caValidityDays'], certificatesSchema.shape.caValidityDays);
  const leaf = config.get(['certificates', 'validityDays'], certificatesSchema.shape.validityDays);
  if (ca === undefined || leaf === undefined || leaf < ca) {
    return [];
  }
  return [
    {
      path: ['certificates', 'validityDays'],
      message: `must be less than certificates.caValidityDays (${ca})`,
      hint: 'a certificate cannot outlive the CA that signs it: shorten validityDays or lengthen caValidityDays',
      value: leaf,
      anchor: ['certificates', 'caValidityDays'],
    },
  ];
};

export const updateWindowRule: Rule = (config) => {
  const strategy = config.get(['updates', 'rebootStrategy'], updatesSchema.shape.rebootStrategy);
  if (strategy !== 'off' || config.length(['updates', 'windows']) === 0) {
    return [];
  }
  return [
    {
      path: ['updates', 'windows'],
      message: 'have no effect when updates.rebootStrategy is off',
      hint: 'remove them, or set rebootStrategy: operator',
      atKey: true,
    },
  ];
};

/** Plain HTTP for FleetLock is a security choice: refuse it where it would silently mean nothing. */
export const fleetLockPlainHttpRule: Rule = (config) => {
  if (config.get(['updates', 'fleetLock', 'allowPlainHttp'], z.boolean()) !== true) {
    return [];
  }
  const os = config.get(['os', 'name'], osSchema.shape.name);
  const strategy = config.get(['updates', 'rebootStrategy'], updatesSchema.shape.rebootStrategy);
  if (os === undefined) {
    return [];
  }
  const problem =
    os !== 'fedora-coreos'
      ? `has no effect with os.name ${os}: only Fedora CoreOS's Zincati asks FleetLock`
      : strategy === 'off'
        ? 'has no effect when updates.rebootStrategy is off: Zincati does not ask FleetLock'
        : undefined;
  if (problem === undefined) {
    return [];
  }
  return [
    {
      path: ['updates', 'fleetLock', 'allowPlainHttp'],
      message: problem,
      hint: 'remove it',
      value: true,
    },
  ];
};

/** update.conf is Flatcar's: on Fedora CoreOS (Zincati) an Omaha server or a pool's group would silently mean nothing. */
export const omahaSettingsRule: Rule = (config) => {
  if (config.get(['os', 'name'], osSchema.shape.name) !== 'fedora-coreos') return [];
  const findings: Finding[] = [];
  if (config.has(['updates', 'server']))
    findings.push({
      path: ['updates', 'server'],
      message: "has no effect with os.name fedora-coreos: Zincati follows Fedora's update graph, not an Omaha server",
      hint: 'remove it',
      value: config.get(['updates', 'server'], updatesSchema.shape.server),
    });
  for (let pool = 0; pool < config.length(['workerPools']); pool += 1) {
    const group = config.get(['workerPools', pool, 'updateGroup'], workerPoolSchema.shape.updateGroup);
    if (group !== undefined)
      findings.push({
        path: ['workerPools', pool, 'updateGroup'],
        message: 'has no effect with os.name fedora-coreos: Zincati has no update groups',
        hint: 'remove it',
        value: group,
      });
  }
  return findings;
};

/** The default API name joins two fields that are each valid alone but may be too long together. */
export const apiDnsNameRule: Rule = (config) => {
  if (config.has(['apiDnsName'])) {
    return [];
  }
  const name = config.get(['name'], clusterConfigFieldsSchema.shape.name);
  const baseDomain = config.get(['baseDomain'], clusterConfigFieldsSchema.shape.baseDomain);
  if (name === undefined || baseDomain === undefined) {
    return [];
  }
  const apiDnsName = `api.${name}.${baseDomain}`;
  if (apiDnsName.length <= DNS_NAME_MAX) {
    return [];
  }
  const finding: Finding = {
    path: ['baseDomain'],
    message: `makes the API name api.<name>.<baseDomain> ${apiDnsName.length} characters long; DNS allows ${DNS_NAME_MAX}`,
    hint: 'shorten baseDomain, or set apiDnsName',
    value: baseDomain,
  };
  return [finding];
};
