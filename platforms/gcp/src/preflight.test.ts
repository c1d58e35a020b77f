import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { z } from 'zod';
import { gcpPreflight, gcpProviderPlugin, type Env, type PreflightCheck } from './preflight.ts';
import { aGcpConfig } from './testing/fixtures.ts';

const SECRET = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-a-real-key';
const serviceAccountKey = JSON.stringify({
  type: 'service_account',
  project_id: 'strata-test-123',
  private_key: `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`,
  client_email: 'installer@strata-test-123.iam.gserviceaccount.com',
});

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'strata-gcp-preflight-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function check(env: Env, id: string): PreflightCheck {
  const checks = gcpPreflight(aGcpConfig(), env, home);
  assert.doesNotMatch(JSON.stringify(checks), new RegExp(SECRET), 'no check shows a secret');
  const found = checks.find((candidate) => candidate.id === id);
  assert.ok(found, id);
  return found;
}

async function keyFile(path: string, content = serviceAccountKey): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content, { mode: 0o600 });
  return path;
}

describe('credentials', () => {
  test('none anywhere: not ok, with where it looked and how to log in', () => {
    const result = check({}, 'gcp-credentials');
    assert.equal(result.ok, false);
    assert.match(result.detail, new RegExp(join(home, '.config', 'gcloud', 'application_default_credentials.json')));
    assert.match(result.fix ?? '', /gcloud auth application-default login/);
  });

  test("gcloud's application default credentials, in the home or in CLOUDSDK_CONFIG", async () => {
    await keyFile(
      join(home, '.config', 'gcloud', 'application_default_credentials.json'),
      JSON.stringify({ type: 'authorized_user', refresh_token: SECRET }),
    );
    const fromHome = check({}, 'gcp-credentials');
    assert.equal(fromHome.ok, true);
    assert.match(fromHome.detail, /authorized_user credentials from gcloud's .*\.config\/gcloud/);
    const elsewhere = join(home, 'gcloud-config');
    const fromVariable = check({ CLOUDSDK_CONFIG: elsewhere }, 'gcp-credentials');
    assert.equal(fromVariable.ok, false, 'CLOUDSDK_CONFIG replaces the default directory');
    await keyFile(join(elsewhere, 'application_default_credentials.json'));
    assert.equal(check({ CLOUDSDK_CONFIG: elsewhere }, 'gcp-credentials').ok, true);
  });

  test('GOOGLE_APPLICATION_CREDENTIALS names a key file, which must be one', async () => {
    const path = await keyFile(join(home, 'key.json'));
    const result = check({ GOOGLE_APPLICATION_CREDENTIALS: path }, 'gcp-credentials');
    assert.deepEqual(result, {
      id: 'gcp-credentials',
      ok: true,
      detail: `service_account credentials from ${path} (from GOOGLE_APPLICATION_CREDENTIALS)`,
    });
    const missing = check({ GOOGLE_APPLICATION_CREDENTIALS: join(home, 'gone.json') }, 'gcp-credentials');
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /does not exist/);
    const notKey = await keyFile(join(home, 'other.json'), JSON.stringify({ type: 'something', secret: SECRET }));
    assert.equal(check({ GOOGLE_APPLICATION_CREDENTIALS: notKey }, 'gcp-credentials').ok, false);
  });

  test("the provider's variables come before Application Default Credentials, as key JSON or a path", async () => {
    const adc = await keyFile(join(home, 'adc.json'));
    const inline = check(
      { GOOGLE_CREDENTIALS: serviceAccountKey, GOOGLE_APPLICATION_CREDENTIALS: adc },
      'gcp-credentials',
    );
    assert.deepEqual(
      [inline.ok, inline.detail],
      [true, 'service_account credentials from the JSON in GOOGLE_CREDENTIALS'],
    );
    const path = check({ GOOGLE_CLOUD_KEYFILE_JSON: adc }, 'gcp-credentials');
    assert.equal(path.detail, `service_account credentials from ${adc} (from GOOGLE_CLOUD_KEYFILE_JSON)`);
    const broken = check(
      { GOOGLE_CREDENTIALS: `{"type": "service_account", "private_key": "${SECRET}"` },
      'gcp-credentials',
    );
    assert.deepEqual([broken.ok, broken.fix], [false, 'correct or unset GOOGLE_CREDENTIALS']);
  });

  test('an access token comes first, and is never shown', () => {
    const result = check({ GOOGLE_OAUTH_ACCESS_TOKEN: SECRET, GOOGLE_CREDENTIALS: 'nonsense' }, 'gcp-credentials');
    assert.equal(result.ok, true);
    assert.match(result.detail, /GOOGLE_OAUTH_ACCESS_TOKEN/);
  });
});

describe('provider plugin', () => {
  test('is the version this package pins, the one its SDK asks the engine for', async () => {
    const manifest = z
      .object({ dependencies: z.record(z.string(), z.string()) })
      .parse(JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')));
    assert.deepEqual(gcpProviderPlugin(), { name: 'gcp', version: manifest.dependencies['@pulumi/gcp'] });
  });

  test('missing from the cache: not ok, with how to install it offline', () => {
    const { version } = gcpProviderPlugin();
    const result = check({}, 'gcp-provider-plugin');
    assert.equal(result.ok, false);
    assert.match(result.detail, new RegExp(join(home, '.pulumi', 'plugins', `resource-gcp-v${version}`)));
    assert.equal(
      result.fix,
      `download pulumi-resource-gcp-v${version}-<os>-<arch>.tar.gz where you have network access, then run \`pulumi plugin install resource gcp ${version} --file <tarball>\``,
    );
  });

  test('found in ~/.pulumi or in PULUMI_HOME, but not half installed or of another version', async () => {
    const { version } = gcpProviderPlugin();
    const install = async (root: string, pluginVersion: string): Promise<string> => {
      const dir = join(root, 'plugins', `resource-gcp-v${pluginVersion}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'pulumi-resource-gcp'), '#!/bin/sh\n', { mode: 0o755 });
      return dir;
    };
    const pulumiHome = join(home, 'pulumi-home');
    await install(pulumiHome, '9.0.0');
    assert.equal(check({ PULUMI_HOME: pulumiHome }, 'gcp-provider-plugin').ok, false);
    const dir = await install(pulumiHome, version);
    assert.equal(check({ PULUMI_HOME: pulumiHome }, 'gcp-provider-plugin').ok, true);
    assert.equal(check({}, 'gcp-provider-plugin').ok, false, 'PULUMI_HOME unset: ~/.pulumi');
    await install(join(home, '.pulumi'), version);
    assert.equal(check({}, 'gcp-provider-plugin').ok, true);
    await writeFile(`${dir}.partial`, '');
    const partial = check({ PULUMI_HOME: pulumiHome }, 'gcp-provider-plugin');
    assert.deepEqual([partial.ok, partial.detail], [false, `${dir} is half installed`]);
  });
});

test('a config without a gcp section fails its own check', () => {
  const [first] = gcpPreflight({ ...aGcpConfig(), gcp: undefined }, {}, home);
  assert.deepEqual([first?.id, first?.ok], ['gcp-config', false]);
});
