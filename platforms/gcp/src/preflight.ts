// What can be checked before a GCP install without asking Google: that
// credentials are there (and where from, in the order the provider looks), and
// that the provider plugin of the pinned version is in Pulumi's plugin cache,
// so that the engine does not try to download it. Whether the region, zones
// and machine types exist needs the Compute API and is not checked here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ClusterConfig } from '@strata/assets';
import { findProviderPlugin } from '@strata/pulumi-workspace';

export interface PreflightCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

const CREDENTIAL_TYPES = [
  'service_account',
  'authorized_user',
  'external_account',
  'external_account_authorized_user',
  'impersonated_service_account',
] as const;

// Only the type is read; the rest of a key file is never looked at, so no
// secret can reach a message.
const credentialFileSchema = z.looseObject({ type: z.enum(CREDENTIAL_TYPES) });

const sdkPackageSchema = z.looseObject({
  pulumi: z.looseObject({ name: z.string().min(1), version: z.string().min(1) }),
});

/** The provider plugin the installed SDK asks the engine for. */
export function gcpProviderPlugin(): { name: string; version: string } {
  const sdk = sdkPackageSchema.parse(createRequire(import.meta.url)('@pulumi/gcp/package.json'));
  return { name: sdk.pulumi.name, version: sdk.pulumi.version };
}

type FileVerdict = { ok: true; type: string } | { ok: false; why: string };

function credentialFile(path: string): FileVerdict {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { ok: false, why: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})` };
  }
  return credentialJson(text);
}

function credentialJson(text: string): FileVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, why: 'is not JSON' };
  }
  const result = credentialFileSchema.safeParse(parsed);
  return result.success
    ? { ok: true, type: result.data.type }
    : { ok: false, why: `is not a Google credentials file (its "type" is not one of ${CREDENTIAL_TYPES.join(', ')})` };
}

const CREDENTIALS_ID = 'gcp-credentials';
const CREDENTIALS_FIX =
  'run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file';

/**
 * The provider's order: an access token, then a credentials variable (key
 * JSON or a path to it), then Application Default Credentials (the file
 * GOOGLE_APPLICATION_CREDENTIALS names, then gcloud's file). The metadata
 * server, the last source on Google Cloud machines, cannot be seen offline.
 */
export function gcpCredentialsCheck(env: Env, home: string): PreflightCheck {
  const nonEmpty = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  if (nonEmpty('GOOGLE_OAUTH_ACCESS_TOKEN') !== undefined) {
    return {
      id: CREDENTIALS_ID,
      ok: true,
      detail: 'an access token from GOOGLE_OAUTH_ACCESS_TOKEN (it expires within an hour)',
    };
  }
  for (const variable of ['GOOGLE_CREDENTIALS', 'GOOGLE_CLOUD_KEYFILE_JSON', 'GCLOUD_KEYFILE_JSON']) {
    const value = nonEmpty(variable);
    if (value === undefined) continue;
    const inline = value.trimStart().startsWith('{');
    const verdict = inline ? credentialJson(value) : credentialFile(value);
    const where = inline ? `the JSON in ${variable}` : `${value} (from ${variable})`;
    return verdict.ok
      ? { id: CREDENTIALS_ID, ok: true, detail: `${verdict.type} credentials from ${where}` }
      : { id: CREDENTIALS_ID, ok: false, detail: `${where} ${verdict.why}`, fix: `correct or unset ${variable}` };
  }
  const applicationCredentials = nonEmpty('GOOGLE_APPLICATION_CREDENTIALS');
  if (applicationCredentials !== undefined) {
    const verdict = credentialFile(applicationCredentials);
    const where = `${applicationCredentials} (from GOOGLE_APPLICATION_CREDENTIALS)`;
    return verdict.ok
      ? { id: CREDENTIALS_ID, ok: true, detail: `${verdict.type} credentials from ${where}` }
      : {
          id: CREDENTIALS_ID,
          ok: false,
          detail: `${where} ${verdict.why}`,
          fix: 'point GOOGLE_APPLICATION_CREDENTIALS at a key file, or unset it to use the credentials of gcloud',
        };
  }
  const gcloudDir = nonEmpty('CLOUDSDK_CONFIG') ?? join(home, '.config', 'gcloud');
  const adcFile = join(gcloudDir, 'application_default_credentials.json');
  const verdict = credentialFile(adcFile);
  if (verdict.ok) {
    return { id: CREDENTIALS_ID, ok: true, detail: `${verdict.type} credentials from gcloud's ${adcFile}` };
  }
  return {
    id: CREDENTIALS_ID,
    ok: false,
    detail: `no Google Cloud credentials: GOOGLE_OAUTH_ACCESS_TOKEN, GOOGLE_CREDENTIALS, GOOGLE_CLOUD_KEYFILE_JSON, GCLOUD_KEYFILE_JSON and GOOGLE_APPLICATION_CREDENTIALS are unset, and ${adcFile} ${verdict.why} (a Google Cloud machine's metadata server is not checked offline)`,
    fix: CREDENTIALS_FIX,
  };
}

function pluginCheck(env: Env, home: string): PreflightCheck {
  const plugin = gcpProviderPlugin();
  const { name, version } = plugin;
  const fix = `download pulumi-resource-${name}-v${version}-<os>-<arch>.tar.gz where you have network access, then run \`pulumi plugin install resource ${name} ${version} --file <tarball>\``;
  const found = findProviderPlugin(plugin, env, home);
  switch (found.status) {
    case 'partial':
      return { id: 'gcp-provider-plugin', ok: false, detail: `${found.dir} is half installed`, fix };
    case 'missing':
      return {
        id: 'gcp-provider-plugin',
        ok: false,
        detail: `the ${name} provider plugin v${version} is not in ${found.dir}`,
        fix,
      };
    case 'not-executable':
      return { id: 'gcp-provider-plugin', ok: false, detail: `${found.binary} is not executable`, fix };
    case 'installed':
      return {
        id: 'gcp-provider-plugin',
        ok: true,
        detail: `the ${name} provider plugin v${version} is at ${found.dir}`,
      };
  }
}

/** The offline checks of a GCP install, in order; none prints a secret. */
export function gcpPreflight(
  config: ClusterConfig,
  env: Env = process.env,
  home: string = homedir(),
): PreflightCheck[] {
  const project: PreflightCheck =
    config.gcp === undefined
      ? {
          id: 'gcp-config',
          ok: false,
          detail: 'the config has no gcp section',
          fix: 'add gcp: { project, region, zones, controllerType }',
        }
      : {
          id: 'gcp-config',
          ok: true,
          detail: `project ${config.gcp.project}, region ${config.gcp.region}, zones ${config.gcp.zones.join(', ')}`,
        };
  return [project, gcpCredentialsCheck(env, home), pluginCheck(env, home)];
}
