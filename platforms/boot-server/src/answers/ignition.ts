// Serving a rendered Ignition config. Ignition 3.x minor versions only add
// fields, so a 3.0-3.3 config is a valid 3.4.0 config once its version says
// so; Strata serves every 3.x config as 3.4.0, the version Flatcar and
// Strata's own configs use. Anything else (2.x, YAML) is served as rendered.
import { validateIgnition, type IgnitionIssue } from '@strata/assets';

export const SERVED_IGNITION_VERSION = '3.4.0';
const UPGRADABLE = new Set(['3.0.0', '3.1.0', '3.2.0', '3.3.0']);

export interface IgnitionAnswer {
  readonly body: string;
  /** The version the template declared, when it was an Ignition JSON config. */
  readonly declaredVersion?: string;
  /** True when the body was re-serialized with version 3.4.0. */
  readonly upgraded: boolean;
}

export function ignitionAnswer(rendered: string): IgnitionAnswer {
  const version = declaredVersion(rendered);
  if (version === undefined) return { body: rendered, upgraded: false };
  if (!UPGRADABLE.has(version.text)) return { body: rendered, declaredVersion: version.text, upgraded: false };
  const config = { ...version.config, ignition: { ...version.ignition, version: SERVED_IGNITION_VERSION } };
  return { body: JSON.stringify(config), declaredVersion: version.text, upgraded: true };
}

/** Ignition's own rules, checked on what is served (3.x configs only; others are not Strata's to judge). */
export function ignitionIssues(body: string): readonly IgnitionIssue[] {
  try {
    return validateIgnition(JSON.parse(body));
  } catch (error) {
    return [{ path: '', message: `is not JSON: ${error instanceof Error ? error.message : String(error)}` }];
  }
}

function declaredVersion(
  text: string,
): { text: string; config: Record<string, unknown>; ignition: Record<string, unknown> } | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(config) || !isRecord(config.ignition) || typeof config.ignition.version !== 'string') return undefined;
  return { text: config.ignition.version, config, ignition: config.ignition };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
