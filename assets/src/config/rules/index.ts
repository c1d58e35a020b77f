import type { Finding } from '../issue.ts';
import type { ConfigReader } from '../reader.ts';
import { bareMetalRule } from './bare-metal.ts';
import { downloadsRule } from './downloads.ts';
import { networkingRule } from './networking.ts';
import { osRule } from './os.ts';
import { instanceTypeRule, platformSectionRule, sshKeyRule, zoneRule } from './platform.ts';
import type { Rule, RuleContext } from './rule.ts';
import {
  apiDnsNameRule,
  certificateValidityRule,
  fleetLockPlainHttpRule,
  omahaSettingsRule,
  updateWindowRule,
} from './settings.ts';
import { workerPoolRule } from './worker-pools.ts';

const RULES: readonly Rule[] = [
  platformSectionRule,
  sshKeyRule,
  zoneRule,
  instanceTypeRule,
  bareMetalRule,
  workerPoolRule,
  networkingRule,
  osRule,
  certificateValidityRule,
  updateWindowRule,
  fleetLockPlainHttpRule,
  omahaSettingsRule,
  apiDnsNameRule,
  downloadsRule,
];

/** Every cross-field rule, each on whatever part of the config it can read. */
export function runRules(config: ConfigReader, context: RuleContext): Finding[] {
  return RULES.flatMap((rule) => rule(config, context));
}
