// The offline preflight against temporary home directories and made-up
// environments: which credential source the provider will use, and whether
// the provider plugin is in the cache. No cloud API is involved.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { azurePreflight, credentialCheck, pluginCheck, providerPlugin, type Environment } from './preflight.ts';
import { anAzureConfig } from './testing/fixtures.ts';

const SECRET = 'not-a-real-secret-7f3a9c';
const SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';

function servicePrincipal(extra: Environment = {}): Environment {
  return {
    ARM_CLIENT_ID: 'app-id',
    ARM_CLIENT_SECRET: SECRET,
    ARM_TENANT_ID: 'tenant-id',
    ARM_SUBSCRIPTION_ID: SUBSCRIPTION,
    ...extra,
  };
}

/** Writes an Azure CLI profile as `az login` leaves it (with its byte-order mark). */
async function azureCliLogin(dir: string, options: { defaultSubscription?: boolean; tokenCache?: boolean } = {}) {
  await mkdir(dir, { recursive: true });
  const profile = {
    installationId: 'x',
    subscriptions: [
      {
        id: SUBSCRIPTION,
        name: 'dev',
        state: 'Enabled',
        isDefault: options.defaultSubscription ?? true,
        user: { name: 'alice@example.com', type: 'user' },
      },
    ],
  };
  await writeFile(join(dir, 'azureProfile.json'), `\uFEFF${JSON.stringify(profile)}`);
  if (options.tokenCache ?? true) await writeFile(join(dir, 'msal_token_cache.json'), '{}');
}

async function installPlugin(pulumiHome: string, plugin: { name: string; version: string }, mode = 0o755) {
  const dir = join(pulumiHome, 'plugins', `resource-${plugin.name}-v${plugin.version}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `pulumi-resource-${plugin.name}`), '#!/bin/sh\n', { mode });
  await chmod(join(dir, `pulumi-resource-${plugin.name}`), mode);
  return dir;
}

function neverShowsSecret(check: { detail: string; fix?: string }) {
  assert.doesNotMatch(`${check.detail} ${check.fix ?? ''}`, new RegExp(SECRET));
  assert.doesNotMatch(`${check.detail} ${check.fix ?? ''}`, new RegExp(SUBSCRIPTION));
}

describe('azurePreflight', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'strata-azure-preflight-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });
  const freshHome = async (name: string) => {
    const dir = join(home, name);
    await mkdir(dir, { recursive: true });
    return dir;
  };

  test('a complete service principal in the environment is used, and its secret is never shown', async () => {
    const check = await credentialCheck(servicePrincipal(), await freshHome('sp'));
    assert.equal(check.ok, true);
    assert.match(check.detail, /client secret from environment variables/);
    neverShowsSecret(check);
  });

  test('a service principal missing its tenant or subscription names what is missing', async () => {
    const check = await credentialCheck(servicePrincipal({ ARM_TENANT_ID: undefined, ARM_SUBSCRIPTION_ID: '' }), home);
    assert.equal(check.ok, false);
    assert.match(check.detail, /ARM_TENANT_ID, ARM_SUBSCRIPTION_ID are not set/);
    assert.match(check.fix ?? '', /ARM_TENANT_ID/);
    neverShowsSecret(check);
  });

  test('a client certificate that does not exist is reported by its path', async () => {
    const env = {
      ARM_CLIENT_ID: 'app',
      ARM_TENANT_ID: 't',
      ARM_SUBSCRIPTION_ID: SUBSCRIPTION,
      ARM_CLIENT_CERTIFICATE_PATH: join(home, 'nope.pfx'),
    };
    const check = await credentialCheck(env, home);
    assert.equal(check.ok, false);
    assert.match(check.detail, /nope\.pfx, which does not exist/);
    await writeFile(join(home, 'sp.pfx'), 'certificate');
    assert.equal((await credentialCheck({ ...env, ARM_CLIENT_CERTIFICATE_PATH: join(home, 'sp.pfx') }, home)).ok, true);
  });

  test('OIDC needs an ID token source, and names it without showing it', async () => {
    const env = { ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'app', ARM_TENANT_ID: 't', ARM_SUBSCRIPTION_ID: SUBSCRIPTION };
    const without = await credentialCheck(env, home);
    assert.equal(without.ok, false);
    assert.match(without.detail, /no ID token/);
    const withToken = await credentialCheck({ ...env, ARM_OIDC_TOKEN: SECRET }, home);
    assert.equal(withToken.ok, true);
    assert.match(withToken.detail, /ARM_OIDC_TOKEN/);
    neverShowsSecret(withToken);
  });

  test('managed identity needs the subscription', async () => {
    assert.equal((await credentialCheck({ ARM_USE_MSI: 'true' }, home)).ok, false);
    const check = await credentialCheck({ ARM_USE_MSI: 'true', ARM_SUBSCRIPTION_ID: SUBSCRIPTION }, home);
    assert.equal(check.ok, true);
    assert.match(check.detail, /managed identity/);
  });

  test('without ARM_* variables, an Azure CLI login with a default subscription and tokens is used', async () => {
    const user = await freshHome('cli');
    await azureCliLogin(join(user, '.azure'));
    const check = await credentialCheck({}, user);
    assert.equal(check.ok, true);
    assert.equal(check.detail, `Azure CLI login in ${join(user, '.azure')}, using its default subscription`);
    neverShowsSecret(check);
  });

  test('AZURE_CONFIG_DIR moves the Azure CLI profile', async () => {
    const user = await freshHome('cli-moved');
    const dir = join(user, 'elsewhere');
    await azureCliLogin(dir);
    assert.equal((await credentialCheck({}, user)).ok, false);
    assert.equal((await credentialCheck({ AZURE_CONFIG_DIR: dir }, user)).ok, true);
  });

  test('no credentials at all, a profile without default subscription, or without tokens, fail with a fix', async () => {
    const nothing = await credentialCheck({}, await freshHome('nothing'));
    assert.equal(nothing.ok, false);
    assert.match(nothing.fix ?? '', /az login/);
    const noDefault = await freshHome('no-default');
    await azureCliLogin(join(noDefault, '.azure'), { defaultSubscription: false });
    assert.match((await credentialCheck({}, noDefault)).detail, /no default subscription/);
    const noTokens = await freshHome('no-tokens');
    await azureCliLogin(join(noTokens, '.azure'), { tokenCache: false });
    assert.match((await credentialCheck({}, noTokens)).detail, /no token cache/);
    const broken = await freshHome('broken');
    await mkdir(join(broken, '.azure'));
    await writeFile(join(broken, '.azure', 'azureProfile.json'), '{not json');
    assert.match((await credentialCheck({}, broken)).detail, /is not JSON/);
  });

  test('the provider plugin the SDK asks for is the version this package pins', async () => {
    const manifest = z
      .object({ dependencies: z.record(z.string(), z.string()) })
      .parse(JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')));
    assert.deepEqual(providerPlugin(), {
      name: 'azure-native',
      version: manifest.dependencies['@pulumi/azure-native'],
    });
  });

  test('the plugin is found in ~/.pulumi or $PULUMI_HOME, and a missing one comes with the offline install', async () => {
    const plugin = providerPlugin();
    const user = await freshHome('plugin');
    const missing = await pluginCheck({}, user);
    assert.equal(missing.ok, false);
    assert.match(
      missing.fix ?? '',
      new RegExp(`pulumi plugin install resource azure-native ${plugin.version} --file <tarball>`),
    );
    const dir = await installPlugin(join(user, '.pulumi'), plugin);
    assert.deepEqual(await pluginCheck({}, user), {
      id: 'azure-plugin',
      ok: true,
      detail: `azure-native v${plugin.version} in ${dir}`,
    });
    // $PULUMI_HOME replaces ~/.pulumi.
    const pulumiHome = join(user, 'pulumi-home');
    assert.equal((await pluginCheck({ PULUMI_HOME: pulumiHome }, user)).ok, false);
    await installPlugin(pulumiHome, plugin);
    assert.equal((await pluginCheck({ PULUMI_HOME: pulumiHome }, user)).ok, true);
  });

  test('another version, a partial install or a plugin that cannot run does not count', async () => {
    const plugin = providerPlugin();
    const user = await freshHome('plugin-bad');
    await installPlugin(join(user, '.pulumi'), { name: plugin.name, version: '3.0.0' });
    assert.equal((await pluginCheck({}, user)).ok, false);
    const dir = await installPlugin(join(user, '.pulumi'), plugin);
    await writeFile(`${dir}.partial`, '');
    assert.match((await pluginCheck({}, user)).detail, /only partly installed/);
    await rm(`${dir}.partial`);
    await installPlugin(join(user, '.pulumi'), plugin, 0o644);
    assert.match((await pluginCheck({}, user)).detail, /is not executable/);
  });

  test('runs the config, credential and plugin checks in that order', async () => {
    const user = await freshHome('all');
    const checks = await azurePreflight(anAzureConfig(), servicePrincipal(), user);
    assert.deepEqual(
      checks.map((check) => [check.id, check.ok]),
      [
        ['azure-config', true],
        ['azure-credentials', true],
        ['azure-plugin', false],
      ],
    );
    for (const check of checks) neverShowsSecret(check);
  });
});
