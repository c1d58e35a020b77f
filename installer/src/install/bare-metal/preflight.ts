// Bare-metal preflight: what must hold before anything is registered. Each
// check returns the failures it found, each a line naming what was tried, so
// that the engine lists them all at once.
import { access, constants, stat } from 'node:fs/promises';
import { StrataError, type BootApiEndpoint } from '@strata/api';
import { BootApiClient } from '@strata/api/boot-client';
import type { ClusterConfig } from '@strata/assets';
import { runCommand } from '@strata/host';
import { installedId, installId } from '@strata/platform-bare-metal';
import { bootApiEndpoint, defaultSshIdentities, type BareMetalInstallOptions } from './options.ts';

const PROBE_TIMEOUT_MS = 5_000;
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

function message(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** The read side, as a machine's firmware reaches it first: iPXE's /boot.ipxe. */
export async function checkBootServer(endpoint: string): Promise<string[]> {
  const url = new URL('/boot.ipxe', endpoint).toString();
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await answer.body?.cancel();
    if (answer.ok) return [];
    return [`the boot server at ${endpoint} answered GET ${url} with ${answer.status}; is it Strata's boot server?`];
  } catch (error) {
    return [
      `the boot server at ${endpoint} (bareMetal.bootServer.endpoint) is not reachable: GET ${url} failed: ${message(error)}. Start it (strata boot-server serve) or fix the endpoint.`,
    ];
  }
}

/** The write API's endpoint, or why it cannot be built; the files' contents never appear in a failure. */
export async function loadBootApi(
  options: BareMetalInstallOptions,
): Promise<{ endpoint: BootApiEndpoint } | { failure: string }> {
  if (options.bootApi === undefined) {
    return {
      failure:
        "no boot server write API given: pass --boot-api https://<host>:<port> with --boot-api-ca, --boot-api-cert and --boot-api-key (the server's CA and this installer's client certificate and key)",
    };
  }
  try {
    return { endpoint: await bootApiEndpoint(options.bootApi) };
  } catch (error) {
    const path = (error as NodeJS.ErrnoException).path ?? '(a TLS file)';
    return {
      failure: `the write API's TLS files: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? message(error)}`,
    };
  }
}

const normalMac = (mac: string): string => mac.toLowerCase().replaceAll('-', ':');

type Groups = Awaited<ReturnType<BootApiClient['listGroups']>>;

/** The boot server's groups, listed with the client certificate: whether the write API accepts this installer. */
async function listGroups(endpoint: BootApiEndpoint): Promise<{ groups: Groups } | { failure: string }> {
  try {
    return { groups: await new BootApiClient(endpoint, { timeoutMs: PROBE_TIMEOUT_MS }).listGroups() };
  } catch (error) {
    if (!(error instanceof StrataError)) throw error;
    return {
      failure: `the boot server's write API at ${endpoint.url} did not accept this installer (GET groups with the client certificate of --boot-api-cert): ${error.message}`,
    };
  }
}

/** Whether the write API accepts the client certificate, before there is a config to check the MACs of (the wizard). */
export async function checkClientCertificate(endpoint: BootApiEndpoint): Promise<string[]> {
  const listed = await listGroups(endpoint);
  return 'failure' in listed ? [listed.failure] : [];
}

/**
 * The write API accepts the client certificate (a listing needs it), and no
 * group of anything else on the boot server selects one of the cluster's
 * MACs: the boot server would then hand that machine someone else's profile.
 */
export async function checkWriteApi(config: ClusterConfig, endpoint: BootApiEndpoint): Promise<string[]> {
  const listed = await listGroups(endpoint);
  if ('failure' in listed) return [listed.failure];
  const { groups } = listed;
  const machines = config.bareMetal?.machines ?? [];
  const ours = new Set(
    machines.flatMap((machine) => [installId(config.name, machine.name), installedId(config.name, machine.name)]),
  );
  const failures: string[] = [];
  for (const machine of machines) {
    const taken = groups.filter(
      (group) =>
        !ours.has(group.id) &&
        group.selector.mac !== undefined &&
        normalMac(group.selector.mac) === normalMac(machine.mac),
    );
    if (taken.length > 0) {
      failures.push(
        `MAC ${machine.mac} of ${machine.name} is already selected on the boot server by group(s) ${taken.map((group) => `"${group.id}"`).join(', ')} of something else; remove them or fix the MAC`,
      );
    }
  }
  return failures;
}

const keyOf = (line: string): string => line.trim().split(/\s+/).slice(0, 2).join(' ');

/**
 * The SSH identity the secrets are delivered with: the first that exists of
 * --ssh-identity (or the defaults), readable by its owner alone (ssh refuses
 * a private key others can read), whose public half is one of the authorized
 * keys (the machines let in no other). The wizard checks its answer here too,
 * so that it says what the flag would.
 */
export async function checkSshIdentity(
  authorizedKeys: readonly string[],
  sshIdentity: string | undefined,
): Promise<{ identity?: string; failures: string[] }> {
  const candidates = sshIdentity === undefined ? defaultSshIdentities() : [sshIdentity];
  let identity: string | undefined;
  let mode = 0;
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.R_OK);
      mode = (await stat(candidate)).mode;
      identity = candidate;
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'EACCES')
        throw error;
    }
  }
  if (identity === undefined) {
    return {
      failures: [
        `no readable SSH identity to deliver the controllers' secrets with (tried ${candidates.join(', ')}); pass --ssh-identity <private key file>`,
      ],
    };
  }
  if ((mode & 0o077) !== 0) {
    return {
      failures: [
        `the SSH identity ${identity} can be read by others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): ssh refuses such a key; chmod 600 ${identity}`,
      ],
    };
  }
  // -P '' refuses a passphrase-protected key instead of prompting for it.
  const derived = await runCommand(SSH_KEYGEN, ['-y', '-P', '', '-f', identity]);
  if (derived.code !== 0) {
    return {
      failures: [
        `the SSH identity ${identity} is not a private key ssh-keygen can read without a passphrase: ${derived.stderr.trim() || `exit ${derived.code}`}`,
      ],
    };
  }
  const publicKey = keyOf(derived.stdout);
  if (!authorizedKeys.some((key) => keyOf(key) === publicKey)) {
    return {
      failures: [
        `the SSH identity ${identity} is not one of sshAuthorizedKeys (its public key ${publicKey.split(' ')[0] ?? ''} …${publicKey.slice(-12)}): the controllers would refuse it; pass --ssh-identity with a matching key`,
      ],
    };
  }
  return { identity, failures: [] };
}
