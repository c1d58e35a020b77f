// What can be checked before talking to Azure: that the provider will find
// credentials (and where), and that the provider plugin the SDK asks for is
// in Pulumi's plugin cache, so that `up` needs no download. Whether the
// location, the VM sizes and the image are good needs Azure's API: see
// existence.ts. No check ever reports a credential's value.
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ClusterConfig } from '@strata/assets';
import { findProviderPlugin, pulumiHomeOf } from '@strata/pulumi-workspace';

export interface PreflightCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const PROVIDER = 'azure-native';

const sdkPackageSchema = z.object({ version: z.string(), pulumi: z.object({ name: z.string(), version: z.string() }) });

/** The provider plugin's name and version that the installed SDK asks the engine for. */
export function providerPlugin(): { name: string; version: string } {
  const manifest = sdkPackageSchema.parse(createRequire(import.meta.url)(`@pulumi/${PROVIDER}/package.json`));
  return { name: manifest.pulumi.name, version: manifest.pulumi.version };
}

function isSet(env: Environment, name: string): boolean {
  return (env[name] ?? '') !== '';
}

function isTrue(env: Environment, name: string): boolean {
  return (env[name] ?? '').toLowerCase() === 'true';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function missing(env: Environment, names: readonly string[]): string[] {
  return names.filter((name) => !isSet(env, name));
}

const SUBSCRIPTION_FIX = 'export ARM_SUBSCRIPTION_ID=<subscription id> (az account list shows them)';

/** An environment-variable method: ok when complete, with the subscription named; else what is missing. */
function environmentMethod(env: Environment, method: string, required: readonly string[]): PreflightCheck {
  const absent = missing(env, [...required, 'ARM_SUBSCRIPTION_ID']);
  if (absent.length === 0) {
    return {
      id: 'azure-credentials',
      ok: true,
      detail: `${method} from environment variables (${required.join(', ')})`,
    };
  }
  return {
    id: 'azure-credentials',
    ok: false,
    detail: `${method} is chosen by the environment but ${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not set`,
    fix: absent.includes('ARM_SUBSCRIPTION_ID') && absent.length === 1 ? SUBSCRIPTION_FIX : `set ${absent.join(', ')}`,
  };
}

const azureProfileSchema = z.object({
  subscriptions: z.array(z.object({ isDefault: z.boolean().optional(), state: z.string().optional() })),
});

async function azureCliMethod(env: Environment, home: string): Promise<PreflightCheck> {
  const dir = env['AZURE_CONFIG_DIR'] ?? join(home, '.azure');
  const profilePath = join(dir, 'azureProfile.json');
  const fix = 'run `az login` (or set ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID and ARM_SUBSCRIPTION_ID)';
  if (!(await exists(profilePath))) {
    return {
      id: 'azure-credentials',
      ok: false,
      detail: `no ARM_* credentials in the environment and no Azure CLI login (${profilePath} does not exist)`,
      fix,
    };
  }
  // The Azure CLI writes this file with a byte-order mark.
  const text = (await readFile(profilePath, 'utf8')).replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      id: 'azure-credentials',
      ok: false,
      detail: `${profilePath} is not JSON (${(error as Error).message})`,
      fix,
    };
  }
  const parsed = azureProfileSchema.safeParse(json).data;
  if (parsed === undefined) {
    return { id: 'azure-credentials', ok: false, detail: `${profilePath} is not an Azure CLI profile`, fix };
  }
  const current = parsed.subscriptions.find((subscription) => subscription.isDefault === true);
  if (current === undefined) {
    return {
      id: 'azure-credentials',
      ok: false,
      detail: `the Azure CLI profile ${profilePath} has no default subscription`,
      fix: 'run `az login`, then `az account set --subscription <id>`',
    };
  }
  const tokenCache = join(dir, 'msal_token_cache.json');
  if (!(await exists(tokenCache))) {
    return {
      id: 'azure-credentials',
      ok: false,
      detail: `the Azure CLI has a profile in ${dir} but no token cache (${tokenCache})`,
      fix,
    };
  }
  const subscriptionSource = isSet(env, 'ARM_SUBSCRIPTION_ID') ? 'ARM_SUBSCRIPTION_ID' : 'its default subscription';
  return {
    id: 'azure-credentials',
    ok: true,
    detail: `Azure CLI login in ${dir}, using ${subscriptionSource}`,
  };
}

/**
 * The credentials the azure-native provider will use, looked up in the provider's order: a service principal's
 * secret or certificate, OIDC, managed identity, DefaultAzureCredential, then the Azure CLI's login.
 */
export async function credentialCheck(env: Environment, home: string): Promise<PreflightCheck> {
  if (isSet(env, 'ARM_CLIENT_SECRET')) {
    return environmentMethod(env, 'a service principal with a client secret', [
      'ARM_CLIENT_ID',
      'ARM_CLIENT_SECRET',
      'ARM_TENANT_ID',
    ]);
  }
  const certificate = env['ARM_CLIENT_CERTIFICATE_PATH'];
  if (certificate !== undefined && certificate !== '') {
    const check = environmentMethod(env, 'a service principal with a client certificate', [
      'ARM_CLIENT_ID',
      'ARM_CLIENT_CERTIFICATE_PATH',
      'ARM_TENANT_ID',
    ]);
    if (check.ok && !(await exists(certificate))) {
      return {
        id: 'azure-credentials',
        ok: false,
        detail: `ARM_CLIENT_CERTIFICATE_PATH names ${certificate}, which does not exist`,
        fix: 'point ARM_CLIENT_CERTIFICATE_PATH at the service principal certificate (PKCS#12 or PEM)',
      };
    }
    return check;
  }
  if (isTrue(env, 'ARM_USE_OIDC')) {
    const check = environmentMethod(env, 'OIDC', ['ARM_CLIENT_ID', 'ARM_TENANT_ID']);
    const tokenSources = [
      ['ARM_OIDC_TOKEN'],
      ['ARM_OIDC_TOKEN_FILE_PATH'],
      ['ARM_OIDC_REQUEST_TOKEN', 'ARM_OIDC_REQUEST_URL'],
      ['ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL'],
    ];
    const source = tokenSources.find((names) => missing(env, names).length === 0);
    if (check.ok && source === undefined) {
      return {
        id: 'azure-credentials',
        ok: false,
        detail: 'ARM_USE_OIDC is true but no ID token is available',
        fix: 'set ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH, or ARM_OIDC_REQUEST_TOKEN with ARM_OIDC_REQUEST_URL',
      };
    }
    return check.ok && source !== undefined
      ? { ...check, detail: `OIDC, the ID token from ${source.join(' and ')}` }
      : check;
  }
  if (isTrue(env, 'ARM_USE_MSI')) {
    const check = environmentMethod(env, 'the managed identity of this machine', []);
    return check.ok ? { ...check, detail: 'the managed identity of this machine (ARM_USE_MSI)' } : check;
  }
  if (isTrue(env, 'ARM_USE_DEFAULT_AZURE_CREDENTIAL')) {
    const check = environmentMethod(env, 'the Azure SDK default credential chain', []);
    return check.ok
      ? { ...check, detail: 'the Azure SDK default credential chain (ARM_USE_DEFAULT_AZURE_CREDENTIAL)' }
      : check;
  }
  return azureCliMethod(env, home);
}

/** Whether the plugin the SDK asks for is in Pulumi's plugin cache, complete. */
export function pluginCheck(
  env: Environment,
  home: string,
  plugin: { name: string; version: string } = providerPlugin(),
): Promise<PreflightCheck> {
  const pulumiHome = pulumiHomeOf(env, home);
  const fix =
    `download pulumi-resource-${plugin.name}-v${plugin.version}-<os>-<arch>.tar.gz from the provider's releases, then ` +
    `\`pulumi plugin install resource ${plugin.name} ${plugin.version} --file <tarball>\`` +
    (env['PULUMI_HOME'] === undefined ? '' : ` with PULUMI_HOME=${pulumiHome}`);
  const found = findProviderPlugin(plugin, env, home);
  const failed = (detail: string): PreflightCheck => ({ id: 'azure-plugin', ok: false, detail, fix });
  switch (found.status) {
    case 'partial':
      return Promise.resolve(failed(`the ${plugin.name} plugin in ${found.dir} is only partly installed`));
    case 'missing':
      return Promise.resolve(
        failed(
          `the ${plugin.name} provider plugin v${plugin.version} is not installed (${join(found.dir, `pulumi-resource-${plugin.name}`)} does not exist)`,
        ),
      );
    case 'not-executable':
      return Promise.resolve(
        failed(
          `the ${plugin.name} provider plugin v${plugin.version} is not installed (${found.binary} is not executable)`,
        ),
      );
    case 'installed':
      return Promise.resolve({
        id: 'azure-plugin',
        ok: true,
        detail: `${plugin.name} v${plugin.version} in ${found.dir}`,
      });
  }
}

function configCheck(config: ClusterConfig): PreflightCheck {
  if (config.platform !== 'azure' || config.azure === undefined) {
    return {
      id: 'azure-config',
      ok: false,
      detail: `the cluster config is for platform ${config.platform}, or has no azure section`,
      fix: 'set platform: azure and the azure section (location, resourceGroup, controllerType)',
    };
  }
  if (config.os.name !== 'flatcar') {
    return {
      id: 'azure-config',
      ok: false,
      detail: `os.name ${config.os.name} has no Azure Marketplace image`,
      fix: 'set os.name: flatcar',
    };
  }
  return {
    id: 'azure-config',
    ok: true,
    detail: `resource group ${config.azure.resourceGroup} in ${config.azure.location}; Flatcar ${config.os.channel}-gen2 from the Marketplace (its terms must be accepted once per subscription)`,
  };
}

/** The offline checks, in the order a user would fix them. */
export async function azurePreflight(
  config: ClusterConfig,
  env: Environment = process.env,
  home: string = homedir(),
): Promise<PreflightCheck[]> {
  return [configCheck(config), await credentialCheck(env, home), await pluginCheck(env, home)];
}
