import type { Finding } from '../issue.ts';
import { certificatesSchema, clusterConfigFieldsSchema, updatesSchema } from '../schema.ts';
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
