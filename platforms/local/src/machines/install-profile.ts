// What the install profile's Ignition config makes a PXE-booted system do, as
// far as a simulated machine follows it: its enabled oneshot unit runs a
// script that downloads the installed system's config with curl and hands it
// to flatcar-install. The machine finds that URL in the script the unit runs;
// nothing about the boot server's paths is assumed.
import { decodeDataUrl, type IgnitionConfig } from '@strata/assets';
import { MachineBootError } from './errors.ts';

const EXEC_START = /^ExecStart=(\S+)/m;
/** A quoted or bare http(s) URL argument of a curl command line. */
const CURL_URL = /\bcurl\b[^\n]*?\s'?(https?:\/\/[^\s']+)'?/;

/** The URL the install profile's enabled unit fetches the installed system's Ignition config from. */
export function installedConfigUrl(config: IgnitionConfig, origin: string): string {
  const fail = (reason: string): never => {
    throw new MachineBootError(`the install profile's Ignition config from ${origin}: ${reason}`, { origin });
  };
  const units = (config.systemd?.units ?? []).filter((unit) => unit.enabled === true && unit.contents !== undefined);
  for (const unit of units) {
    const program = EXEC_START.exec(unit.contents ?? '')?.[1];
    if (program === undefined) continue;
    const file = config.storage?.files?.find((candidate) => candidate.path === program);
    const source = file?.contents?.source;
    if (source === undefined) continue;
    const decoded = decodeDataUrl(source);
    if (!decoded.ok) fail(`${program}: ${decoded.ok ? '' : decoded.reason}`);
    const script = decoded.ok ? new TextDecoder().decode(decoded.value.data) : '';
    const url = CURL_URL.exec(script)?.[1];
    if (url !== undefined) return url;
  }
  return fail(
    `no enabled unit runs a script that downloads the installed system's config (${units.map((unit) => unit.name).join(', ') || 'no enabled units'})`,
  );
}
