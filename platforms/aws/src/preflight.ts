// What can be checked before an AWS install without reaching AWS: whether the
// provider will find credentials (and where, never what), whether the Pulumi
// AWS provider plugin of the pinned version is installed so that the engine
// need not download it, and whether the config makes a program at all.
// Whether the region, zones and instance types exist needs AWS's API, so it is
// not checked here.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ClusterConfig } from '@strata/assets';
import { findProviderPlugin, pulumiHomeOf } from '@strata/pulumi-workspace';
import packageJson from '../package.json' with { type: 'json' };
import { AwsNamingError, AwsProgramError } from './errors.ts';
import { checkAwsConfig } from './program.ts';

export interface PreflightCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const manifestSchema = z.object({
  dependencies: z.object({
    '@pulumi/aws': z.string().regex(/^\d+\.\d+\.\d+$/, {
      error: 'must pin an exact version: the provider plugin must match the SDK',
    }),
  }),
});

/** The provider plugin the program's SDK drives, at the version package.json pins. */
export const AWS_PROVIDER_PLUGIN = {
  name: 'aws',
  version: manifestSchema.parse(packageJson).dependencies['@pulumi/aws'],
} as const;

// --- credentials ---------------------------------------------------------------

type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The sections of an AWS shared config or credentials file; values are kept only to test their presence. */
function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header?.[1] !== undefined) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair?.[1] !== undefined && pair[2] !== undefined && current !== undefined) {
      current.set(pair[1].toLowerCase(), pair[2]);
    }
  }
  return sections;
}

function readIni(path: string): IniSections | undefined {
  try {
    return parseIni(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AwsProgramError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      {
        path,
      },
      { cause: error },
    );
  }
}

const set = (env: Environment, name: string): boolean => (env[name] ?? '') !== '';

/** How a profile section gets credentials, in words; undefined when it names no way. */
function profileSource(section: ReadonlyMap<string, string>): string | undefined {
  if (section.has('aws_access_key_id') && section.has('aws_secret_access_key')) {
    return section.has('aws_session_token') ? 'static keys with a session token' : 'static keys';
  }
  if (section.has('role_arn') && (section.has('source_profile') || section.has('credential_source'))) {
    return `an assumed role (${section.get('role_arn') ?? ''})`;
  }
  if (section.has('role_arn') && section.has('web_identity_token_file')) return 'a web identity role';
  if (section.has('sso_session') || section.has('sso_start_url')) return 'IAM Identity Center (SSO)';
  if (section.has('credential_process')) return 'a credential process';
  return undefined;
}

const CREDENTIALS_FIX =
  'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile of ~/.aws/credentials or ~/.aws/config (aws configure, aws sso login)';

/** The lookup order of the AWS SDKs' default credential chain, up to what only the instance metadata service knows. */
export function awsCredentialsCheck(env: Environment, home: string): PreflightCheck {
  const id = 'aws-credentials';
  for (const [key, secret] of [
    ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    ['AWS_ACCESS_KEY', 'AWS_SECRET_KEY'],
  ] as const) {
    if (set(env, key) && set(env, secret)) {
      const token = set(env, 'AWS_SESSION_TOKEN') ? ' with AWS_SESSION_TOKEN' : '';
      return { id, ok: true, detail: `environment variables ${key} and ${secret}${token}` };
    }
  }
  const profile = env['AWS_PROFILE'] || env['AWS_DEFAULT_PROFILE'] || 'default';
  const credentialsFile = env['AWS_SHARED_CREDENTIALS_FILE'] || join(home, '.aws', 'credentials');
  const configFile = env['AWS_CONFIG_FILE'] || join(home, '.aws', 'config');
  const fromCredentials = readIni(credentialsFile)?.get(profile);
  const configSections = readIni(configFile);
  const fromConfig = configSections?.get(profile === 'default' ? 'default' : `profile ${profile}`);
  for (const [file, section] of [
    [credentialsFile, fromCredentials],
    [configFile, fromConfig],
  ] as const) {
    const source = section === undefined ? undefined : profileSource(section);
    if (source !== undefined) return { id, ok: true, detail: `profile "${profile}" in ${file}: ${source}` };
  }
  if (set(env, 'AWS_WEB_IDENTITY_TOKEN_FILE') && set(env, 'AWS_ROLE_ARN')) {
    return { id, ok: true, detail: 'a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN)' };
  }
  if (set(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI') || set(env, 'AWS_CONTAINER_CREDENTIALS_FULL_URI')) {
    return { id, ok: true, detail: 'the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*_URI)' };
  }
  const named = env['AWS_PROFILE'] || env['AWS_DEFAULT_PROFILE'];
  return {
    id,
    ok: false,
    detail:
      named === undefined
        ? `no credentials in the environment, in ${credentialsFile} or in ${configFile}; only an EC2 instance role could still provide them, which cannot be checked offline`
        : `profile "${named}" has no credentials in ${credentialsFile} or ${configFile}`,
    fix: CREDENTIALS_FIX,
  };
}

// --- provider plugin ---------------------------------------------------------------

const GO_OS: Readonly<Partial<Record<NodeJS.Platform, string>>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
};
const GO_ARCH: Readonly<Partial<Record<NodeJS.Architecture, string>>> = { x64: 'amd64', arm64: 'arm64' };

function pluginCheck(env: Environment, home: string): PreflightCheck {
  const { name, version } = AWS_PROVIDER_PLUGIN;
  const pulumiHome = pulumiHomeOf(env, home);
  const tarball = `pulumi-resource-${name}-v${version}-${GO_OS[process.platform] ?? process.platform}-${GO_ARCH[process.arch] ?? process.arch}.tar.gz`;
  const fix =
    `download ${tarball} from the pulumi-${name} v${version} release, then run: ` +
    `PULUMI_HOME=${pulumiHome} pulumi plugin install resource ${name} ${version} --file ${tarball}`;
  const id = 'aws-provider-plugin';
  const found = findProviderPlugin(AWS_PROVIDER_PLUGIN, env, home);
  switch (found.status) {
    case 'partial':
      return { id, ok: false, detail: `${found.dir} is only partly installed`, fix };
    case 'missing':
      return { id, ok: false, detail: `the ${name} provider plugin v${version} is not in ${found.pluginsDir}`, fix };
    case 'not-executable':
      return { id, ok: false, detail: `${found.binary} is not executable`, fix };
    case 'installed':
      return { id, ok: true, detail: `the ${name} provider plugin v${version} is installed in ${found.dir}` };
  }
}

// --- config ---------------------------------------------------------------------------

function configCheck(config: ClusterConfig): PreflightCheck {
  const id = 'aws-config';
  try {
    const { names, network } = checkAwsConfig(config);
    return {
      id,
      ok: true,
      detail: `VPC ${network.vpcCidr} with ${network.subnets.length} public subnets; load balancer ${names.loadBalancer}`,
    };
  } catch (error) {
    if (!(error instanceof AwsProgramError || error instanceof AwsNamingError)) throw error;
    return { id, ok: false, detail: error.message, fix: 'change the field the message names in cluster.yaml' };
  }
}

/** The offline preflight checks of an AWS install. `env` and `home` are where credentials and plugins are looked up. */
export function awsPreflight(
  config: ClusterConfig,
  env: Environment = process.env,
  home: string = homedir(),
): PreflightCheck[] {
  return [configCheck(config), awsCredentialsCheck(env, home), pluginCheck(env, home)];
}
