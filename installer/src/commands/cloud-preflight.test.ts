// `strata install` and `strata plan` of the example cloud configs on a machine
// without the provider plugins or credentials: they stop in preflight (exit
// 4), list every failure at once, say how to provide the plugin, never print
// a credential, and create nothing; `strata destroy` then has nothing to do.
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultCacheRoot } from '@strata/binaries';
import { withTestSysextPin } from '@strata/assets/testing';
import { AWS_PROVIDER_PLUGIN } from '@strata/platform-aws';
import { providerPlugin as azureProviderPlugin } from '@strata/platform-azure';
import { gcpProviderPlugin } from '@strata/platform-gcp';
import { runStrata } from '../testing/run-strata.ts';

const EXAMPLES = new URL('../../../examples/', import.meta.url);
/** Looks like a secret; the test gives it to the credentials' sources and checks it never comes back. */
const SECRET = 'strata-test-secret-value-0123456789';

interface CloudCase {
  readonly platform: 'aws' | 'gcp' | 'azure';
  readonly plugin: { name: string; version: string };
  /** Credentials in the environment (named in the output, their values never). */
  readonly credentials: Readonly<Record<string, string>>;
  readonly credentialsFound: RegExp;
  readonly credentialsMissing: RegExp;
}

const CLOUDS: readonly CloudCase[] = [
  {
    platform: 'aws',
    plugin: AWS_PROVIDER_PLUGIN,
    credentials: { AWS_ACCESS_KEY_ID: 'AKIASTRATATEST000000', AWS_SECRET_ACCESS_KEY: SECRET },
    credentialsFound: /ok: .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    credentialsMissing: /no credentials in the environment/,
  },
  {
    platform: 'gcp',
    plugin: gcpProviderPlugin(),
    credentials: { GOOGLE_OAUTH_ACCESS_TOKEN: SECRET },
    credentialsFound: /ok: .*GOOGLE_OAUTH_ACCESS_TOKEN/,
    credentialsMissing: /no Google Cloud credentials/,
  },
  {
    platform: 'azure',
    plugin: azureProviderPlugin(),
    credentials: {
      ARM_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
      ARM_CLIENT_SECRET: SECRET,
      ARM_TENANT_ID: '00000000-0000-0000-0000-000000000002',
      ARM_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000003',
    },
    credentialsFound: /ok: .*ARM_CLIENT_SECRET/,
    credentialsMissing: /no ARM_\* credentials/,
  },
];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

describe('strata install, plan and destroy of a cloud, offline', () => {
  let root: string;
  let home: string;
  /** The user's environment without any cloud's credentials, with an empty home and the real binaries' cache. */
  let baseEnv: NodeJS.ProcessEnv;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-cloud-preflight-'));
    home = join(root, 'home');
    await mkdir(home);
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(AWS_|GOOGLE_|GCLOUD_|CLOUDSDK_|ARM_|AZURE_|PULUMI_)/.test(key)),
    );
    baseEnv = { ...clean, HOME: home, STRATA_CACHE_DIR: defaultCacheRoot(process.env) };
    for (const cloud of CLOUDS) {
      const example = await readFile(new URL(`${cloud.platform}.yaml`, EXAMPLES), 'utf8');
      await writeFile(join(root, `${cloud.platform}.yaml`), withTestSysextPin(example));
    }
  });
  after(() => rm(root, { recursive: true, force: true }));

  for (const cloud of CLOUDS) {
    const { name, version } = cloud.plugin;
    const pluginLines = (output: string) => {
      assert.match(output, new RegExp(`the ${name} provider plugin v${version.replaceAll('.', '\\.')}`));
      assert.ok(
        output.includes(
          `pulumi plugin install resource ${name} ${version} --file pulumi-resource-${name}-v${version}-`,
        ),
        output,
      );
      assert.match(output, /--install-plugins/);
    };

    it(`${cloud.platform}: install stops in preflight with the plugin and the missing credentials, creating nothing`, async () => {
      const dir = join(root, `${cloud.platform}-missing`);
      const config = join(root, `${cloud.platform}.yaml`);
      const before = await readFile(config, 'utf8');
      const result = await runStrata(['install', '--config', config, '--dir', dir], { env: baseEnv });
      assert.equal(result.code, 4, result.stderr);
      pluginLines(result.stderr);
      assert.match(result.stderr, cloud.credentialsMissing);
      assert.match(result.stderr, /2 preflight checks failed; nothing was created/);
      assert.equal(await exists(dir), false, 'no cluster directory, no state, no journal');
      assert.deepEqual(await readdir(home), [], 'nothing written to the home directory');
      assert.equal(await readFile(config, 'utf8'), before, "the user's config is untouched");
    });

    it(`${cloud.platform}: install and plan name the credentials found, never their values`, async () => {
      const dir = join(root, `${cloud.platform}-found`);
      const config = join(root, `${cloud.platform}.yaml`);
      const env = { ...baseEnv, ...cloud.credentials };
      for (const command of ['install', 'plan']) {
        const result = await runStrata([command, '--config', config, '--dir', dir], { env });
        assert.equal(result.code, 4, `${command}: ${result.stderr}`);
        pluginLines(result.stderr);
        assert.match(result.stderr, cloud.credentialsFound);
        assert.match(result.stderr, /1 preflight check failed; nothing was created/);
        assert.ok(!`${result.stdout}${result.stderr}`.includes(SECRET), `${command} printed a credential`);
        assert.equal(await exists(dir), false, `${command} created the cluster directory`);
      }
      const json = await runStrata(['install', '--config', config, '--dir', dir, '--json'], { env });
      assert.equal(json.code, 4);
      assert.ok(!json.stdout.includes(SECRET));
      assert.match(json.stdout, /"exitCode":4/);
    });

    it(`${cloud.platform}: destroy after an install that stopped in preflight succeeds and leaves nothing`, async () => {
      const dir = join(root, `${cloud.platform}-destroy`);
      const config = join(root, `${cloud.platform}.yaml`);
      const install = await runStrata(['install', '--config', config, '--dir', dir], { env: baseEnv });
      assert.equal(install.code, 4, install.stderr);
      const destroy = await runStrata(['destroy', '--dir', dir, '--yes'], { env: baseEnv });
      assert.equal(destroy.code, 0, destroy.stderr);
      assert.match(destroy.stderr, /nothing to destroy/);
      assert.equal(await exists(dir), false);
    });
  }
});
