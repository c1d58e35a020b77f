// The offline preflight against temporary home directories and a made-up
// environment: the same files and variables the AWS SDKs and Pulumi read.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { AWS_PROVIDER_PLUGIN, awsPreflight, type Environment, type PreflightCheck } from './preflight.ts';
import { anAwsConfig } from './testing/fixtures.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const config = anAwsConfig();

function check(checks: readonly PreflightCheck[], id: string): PreflightCheck {
  const found = checks.find((each) => each.id === id);
  assert.ok(found, `a check ${id}`);
  return found;
}

/** No check ever repeats a secret it came across. */
function assertNoSecret(checks: readonly PreflightCheck[]): void {
  const text = JSON.stringify(checks);
  assert.ok(!text.includes(SECRET) && !text.includes(KEY_ID), text);
}

describe('AWS preflight', () => {
  let root: string;
  let count = 0;
  /** A fresh home directory with the given files. */
  async function home(files: Readonly<Record<string, string>> = {}): Promise<string> {
    count += 1;
    const dir = join(root, `home-${count}`);
    await mkdir(dir, { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return dir;
  }
  const credentials = async (env: Environment, files: Readonly<Record<string, string>> = {}) => {
    const checks = awsPreflight(config, env, await home(files));
    assertNoSecret(checks);
    return check(checks, 'aws-credentials');
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-aws-preflight-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('finds keys in the environment first, and names the variables, not their values', async () => {
    const found = await credentials(
      { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: SECRET, AWS_PROFILE: 'work' },
      { '.aws/credentials': `[work]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n` },
    );
    assert.equal(found.ok, true);
    assert.match(found.detail, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with AWS_SESSION_TOKEN/);
  });

  it('finds the default profile of the shared credentials file', async () => {
    const found = await credentials(
      {},
      { '.aws/credentials': `# mine\n[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key=${SECRET}\n` },
    );
    assert.equal(found.ok, true);
    assert.match(found.detail, /profile "default" in .*\.aws\/credentials: static keys/);
  });

  it("finds AWS_PROFILE's SSO or assumed-role profile in the shared config file", async () => {
    const files = {
      '.aws/config':
        '[profile sso]\nsso_session = corp\nregion = us-east-1\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = sso\n',
    };
    const sso = await credentials({ AWS_PROFILE: 'sso' }, files);
    assert.equal(sso.ok, true);
    assert.match(sso.detail, /profile "sso" in .*\.aws\/config: IAM Identity Center/);
    const admin = await credentials({ AWS_PROFILE: 'admin' }, files);
    assert.match(admin.detail, /an assumed role \(arn:aws:iam::123456789012:role\/admin\)/);
  });

  it('follows AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE', async () => {
    const dir = await home({
      'elsewhere/creds': `[ci]\naws_access_key_id=${KEY_ID}\naws_secret_access_key=${SECRET}\n`,
    });
    const found = await credentials({ AWS_PROFILE: 'ci', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'elsewhere/creds') });
    assert.equal(found.ok, true);
    assert.match(found.detail, /elsewhere\/creds/);
  });

  it('finds web identity and container credentials', async () => {
    const web = await credentials({
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token',
      AWS_ROLE_ARN: 'arn:aws:iam::1:role/x',
    });
    assert.match(web.detail, /web identity/);
    const container = await credentials({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' });
    assert.match(container.detail, /container credentials/);
  });

  it('fails with a fix when nothing provides credentials, or the named profile has none', async () => {
    const none = await credentials({}, { '.aws/config': '[default]\nregion = us-east-1\n' });
    assert.equal(none.ok, false);
    assert.match(none.detail, /instance role/);
    assert.match(none.fix ?? '', /AWS_PROFILE/);
    const missing = await credentials(
      { AWS_PROFILE: 'gone' },
      { '.aws/credentials': `[default]\naws_access_key_id=${KEY_ID}\naws_secret_access_key=${SECRET}\n` },
    );
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /profile "gone"/);
  });

  describe('the provider plugin', () => {
    const pluginDir = (pulumiHome: string) =>
      join(pulumiHome, 'plugins', `resource-aws-v${AWS_PROVIDER_PLUGIN.version}`);
    async function install(pulumiHome: string, mode: number): Promise<void> {
      await mkdir(pluginDir(pulumiHome), { recursive: true });
      const binary = join(pluginDir(pulumiHome), 'pulumi-resource-aws');
      await writeFile(binary, '#!/bin/sh\n');
      await chmod(binary, mode);
    }
    const plugin = (env: Environment, homeDir: string) =>
      check(awsPreflight(config, env, homeDir), 'aws-provider-plugin');

    it('is the version the installed SDK drives, pinned exactly', () => {
      const manifest = z
        .object({ version: z.string(), pulumi: z.object({ name: z.string(), version: z.string() }) })
        .parse(createRequire(import.meta.url)('@pulumi/aws/package.json'));
      assert.deepEqual(AWS_PROVIDER_PLUGIN, { name: manifest.pulumi.name, version: manifest.pulumi.version });
      assert.equal(manifest.version, AWS_PROVIDER_PLUGIN.version);
    });

    it('is found in ~/.pulumi/plugins, or under PULUMI_HOME when set', async () => {
      const dir = await home();
      await install(join(dir, '.pulumi'), 0o755);
      assert.equal(plugin({}, dir).ok, true);
      const elsewhere = join(root, `pulumi-home-${count}`);
      const missing = plugin({ PULUMI_HOME: elsewhere }, dir);
      assert.equal(missing.ok, false, 'PULUMI_HOME is where the engine looks');
      await install(elsewhere, 0o755);
      const found = plugin({ PULUMI_HOME: elsewhere }, dir);
      assert.equal(found.ok, true);
      assert.match(found.detail, new RegExp(`resource-aws-v${AWS_PROVIDER_PLUGIN.version.replaceAll('.', '\\.')}`));
    });

    it('is missing, not executable, or partly installed: each with the offline fix', async () => {
      const dir = await home();
      const pulumiHome = join(dir, '.pulumi');
      const fix = new RegExp(
        `pulumi plugin install resource aws ${AWS_PROVIDER_PLUGIN.version.replaceAll('.', '\\.')} --file pulumi-resource-aws-v\\S+\\.tar\\.gz`,
      );
      const missing = plugin({}, dir);
      assert.equal(missing.ok, false);
      assert.match(missing.fix ?? '', fix);
      await install(pulumiHome, 0o644);
      const notExecutable = plugin({}, dir);
      assert.equal(notExecutable.ok, false);
      assert.match(notExecutable.detail, /not executable/);
      await install(pulumiHome, 0o755);
      await writeFile(`${pluginDir(pulumiHome)}.partial`, '');
      const partial = plugin({}, dir);
      assert.equal(partial.ok, false);
      assert.match(partial.fix ?? '', fix);
    });
  });

  it('checks the config offline too', async () => {
    const dir = await home();
    assert.equal(check(awsPreflight(config, {}, dir), 'aws-config').ok, true);
    const outside = check(awsPreflight(anAwsConfig({ apiDnsName: 'k8s.example.org' }), {}, dir), 'aws-config');
    assert.equal(outside.ok, false);
    assert.match(outside.detail, /apiDnsName/);
  });
});
