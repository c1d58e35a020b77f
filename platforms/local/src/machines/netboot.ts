// A machine's way from power-on to its installed system, over plain HTTP from
// the boot server only, as iPXE and Ignition take it: /boot.ipxe, the chain
// to /ipxe?mac=…, the install profile's kernel arguments, its Ignition config
// (flatcar.config.url), the installed system's config that the install
// profile downloads, then "reboot" into that config.
import { assertValidIgnition, type IgnitionConfig } from '@strata/assets';
import { MachineBootError } from './errors.ts';
import { runIpxeScript, type IpxeSettings } from './ipxe.ts';
import { installedConfigUrl } from './install-profile.ts';

/** iPXE gives up on a chain this deep; a loop in the boot server's scripts must not hang a machine. */
const MAX_CHAIN = 8;
const IGNITION_URL_ARGS = ['flatcar.config.url', 'ignition.config.url'];

export interface NetbootResult {
  /** Kernel arguments of the install profile. */
  readonly kernelArgs: readonly string[];
  readonly installConfigUrl: string;
  readonly installedConfigUrl: string;
  readonly installed: IgnitionConfig;
}

export interface NetbootSteps {
  readonly onInstalling?: () => void;
}

async function get(url: string, what: string, signal: AbortSignal | undefined): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    throw new MachineBootError(
      `${what}: GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
      { url },
      { cause: error },
    );
  }
  const body = await response.text();
  if (!response.ok) {
    throw new MachineBootError(
      `${what}: GET ${url} answered ${response.status} ${response.statusText}: ${body.trim().slice(0, 300)}`,
      {
        url,
        status: response.status,
      },
    );
  }
  return body;
}

function parseIgnition(text: string, url: string): IgnitionConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MachineBootError(`the Ignition config from ${url} is not JSON`, { url }, { cause: error });
  }
  try {
    return assertValidIgnition(json);
  } catch (error) {
    throw new MachineBootError(
      `the Ignition config from ${url} is invalid: ${error instanceof Error ? error.message : String(error)}`,
      { url },
      { cause: error },
    );
  }
}

/** Follows the boot chain from `<bootServerUrl>/boot.ipxe` to the installed system's Ignition config. */
export async function netboot(
  bootServerUrl: string,
  settings: IpxeSettings,
  steps: NetbootSteps = {},
  signal?: AbortSignal,
): Promise<NetbootResult> {
  let url = new URL('/boot.ipxe', bootServerUrl).toString();
  let kernelArgs: readonly string[] | undefined;
  for (let depth = 0; depth < MAX_CHAIN && kernelArgs === undefined; depth++) {
    const outcome = runIpxeScript(await get(url, 'network boot', signal), url, settings);
    if (outcome.kind === 'chain') url = outcome.url;
    else kernelArgs = outcome.args;
  }
  if (kernelArgs === undefined) {
    throw new MachineBootError(`network boot: more than ${MAX_CHAIN} chained scripts, the last ${url}`, { url });
  }
  const configArg = kernelArgs.find((arg) => IGNITION_URL_ARGS.some((name) => arg.startsWith(`${name}=`)));
  if (configArg === undefined) {
    throw new MachineBootError(
      `the install profile's kernel arguments name no Ignition config (${IGNITION_URL_ARGS.join(' or ')}): ${kernelArgs.join(' ')}`,
      {
        kernelArgs,
      },
    );
  }
  const installConfigUrl = configArg.slice(configArg.indexOf('=') + 1);
  const install = parseIgnition(await get(installConfigUrl, 'Ignition (install profile)', signal), installConfigUrl);
  steps.onInstalling?.();
  const installedUrl = installedConfigUrl(install, installConfigUrl);
  const installed = parseIgnition(await get(installedUrl, 'Ignition (installed system)', signal), installedUrl);
  return { kernelArgs, installConfigUrl, installedConfigUrl: installedUrl, installed };
}
