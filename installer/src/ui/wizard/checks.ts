// The live checks of the platform details, from the install's own preflight:
// the boot server and the write API's client certificate on bare metal, where
// a cloud's credentials come from (the source, never the value), and the SSH
// identity the bare-metal install delivers the controllers' secrets with.
import { homedir } from 'node:os';
import { awsCredentialsCheck } from '@strata/platform-aws';
import { azureCredentialCheck } from '@strata/platform-azure';
import { gcpCredentialsCheck } from '@strata/platform-gcp';
import {
  checkBootServer,
  checkClientCertificate,
  checkSshIdentity,
  loadBootApi,
} from '../../install/bare-metal/preflight.ts';

export interface WriteApiFiles {
  readonly url: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

export interface WizardChecks {
  readonly bootServer: (url: string) => Promise<CheckResult>;
  readonly writeApi: (files: WriteApiFiles) => Promise<CheckResult>;
  readonly cloudCredentials: (platform: 'aws' | 'gcp' | 'azure') => Promise<CheckResult>;
  /** The private key file against the public key the machines will accept, as --ssh-identity is checked. */
  readonly sshIdentity: (path: string, publicKey: string) => Promise<CheckResult>;
}

function resultOf(failures: readonly string[], ok: string): CheckResult {
  return failures.length === 0 ? { ok: true, detail: ok } : { ok: false, detail: failures.join('; ') };
}

export const preflightChecks: WizardChecks = {
  bootServer: async (url) => resultOf(await checkBootServer(url), `the boot server at ${url} answers`),
  writeApi: async (files) => {
    const loaded = await loadBootApi({ bootApi: files, sshPort: 22, sshUser: 'core' });
    if ('failure' in loaded) return { ok: false, detail: loaded.failure };
    return resultOf(
      await checkClientCertificate(loaded.endpoint),
      `the write API at ${files.url} accepts the client certificate`,
    );
  },
  cloudCredentials: async (platform) => {
    const check =
      platform === 'aws'
        ? awsCredentialsCheck(process.env, homedir())
        : platform === 'gcp'
          ? gcpCredentialsCheck(process.env, homedir())
          : await azureCredentialCheck(process.env, homedir());
    return { ok: check.ok, detail: check.ok ? `credentials: ${check.detail}` : `${check.detail}; ${check.fix ?? ''}` };
  },
  sshIdentity: async (path, publicKey) =>
    resultOf(
      (await checkSshIdentity([publicKey], path)).failures,
      `the SSH identity ${path} is the private half of the public key, readable by you alone`,
    ),
};
