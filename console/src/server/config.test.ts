import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConsoleConfigError, parseConsoleConfig } from './config.ts';

const SECRET = 's'.repeat(32);
const CA = '-----BEGIN CERTIFICATE-----\nfixture\n-----END CERTIFICATE-----\n';

async function kubeconfigFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'console-config-'));
  const path = join(dir, 'kubeconfig');
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: strata',
      '  cluster:',
      '    server: https://127.0.0.1:6443',
      `    certificate-authority-data: ${Buffer.from(CA).toString('base64')}`,
      'users:',
      '- name: admin',
      '  user:',
      '    token: the-admin-token',
      'contexts:',
      '- name: admin',
      '  context: { cluster: strata, user: admin }',
      'current-context: admin',
      '',
    ].join('\n'),
  );
  return path;
}

describe('parseConsoleConfig', () => {
  it('takes the server and CA of a kubeconfig, and nothing of its user', async () => {
    const config = parseConsoleConfig({
      STRATA_CONSOLE_KUBECONFIG: await kubeconfigFile(),
      STRATA_CONSOLE_SESSION_SECRET: SECRET,
    });
    assert.deepEqual(config, {
      apiServer: { server: 'https://127.0.0.1:6443', caPem: CA },
      updateServer: undefined,
      sessionSecret: SECRET,
      oidc: undefined,
    });
    assert.ok(!JSON.stringify(config).includes('the-admin-token'));
  });

  it('takes a server URL and a CA file instead', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'console-config-'));
    await writeFile(join(dir, 'ca.crt'), CA);
    const config = parseConsoleConfig({
      STRATA_CONSOLE_API_SERVER: 'https://api.example:6443',
      STRATA_CONSOLE_API_CA_FILE: join(dir, 'ca.crt'),
      STRATA_CONSOLE_SESSION_SECRET: SECRET,
    });
    assert.deepEqual(config.apiServer, { server: 'https://api.example:6443', caPem: CA });
  });

  it("in a pod, with neither source, takes the kubelet's KUBERNETES_SERVICE_HOST and _PORT, an IPv6 one in brackets", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'console-config-'));
    await writeFile(join(dir, 'ca.crt'), CA);
    const inPod = (host: string) =>
      parseConsoleConfig({
        KUBERNETES_SERVICE_HOST: host,
        KUBERNETES_SERVICE_PORT: '6443',
        STRATA_CONSOLE_API_CA_FILE: join(dir, 'ca.crt'),
        STRATA_CONSOLE_SESSION_SECRET: SECRET,
      }).apiServer;
    assert.deepEqual(inPod('10.3.0.1'), { server: 'https://10.3.0.1:6443', caPem: CA });
    assert.deepEqual(inPod('fd00:10:3::1'), { server: 'https://[fd00:10:3::1]:6443', caPem: CA });
    const given = parseConsoleConfig({
      KUBERNETES_SERVICE_HOST: '10.3.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      STRATA_CONSOLE_API_SERVER: 'https://api.example:6443',
      STRATA_CONSOLE_SESSION_SECRET: SECRET,
    });
    assert.equal(given.apiServer.server, 'https://api.example:6443', 'a given address wins');
    assert.throws(
      () => parseConsoleConfig({ KUBERNETES_SERVICE_HOST: '10.3.0.1', STRATA_CONSOLE_SESSION_SECRET: SECRET }),
      /exactly one/,
      'the host without its port',
    );
  });

  it('refuses a short secret without printing it, plain HTTP, and both or neither source', async () => {
    const short = 'short-secret-value';
    assert.throws(
      () => parseConsoleConfig({ STRATA_CONSOLE_API_SERVER: 'https://a:6443', STRATA_CONSOLE_SESSION_SECRET: short }),
      (error: unknown) =>
        error instanceof ConsoleConfigError &&
        /STRATA_CONSOLE_SESSION_SECRET must hold at least 32/.test(error.message) &&
        !error.message.includes(short),
    );
    assert.throws(
      () => parseConsoleConfig({ STRATA_CONSOLE_API_SERVER: 'http://a:8080', STRATA_CONSOLE_SESSION_SECRET: SECRET }),
      ConsoleConfigError,
    );
    assert.throws(() => parseConsoleConfig({ STRATA_CONSOLE_SESSION_SECRET: SECRET }), /exactly one/);
    const kubeconfig = await kubeconfigFile();
    assert.throws(
      () =>
        parseConsoleConfig({
          STRATA_CONSOLE_KUBECONFIG: kubeconfig,
          STRATA_CONSOLE_API_SERVER: 'https://a:6443',
          STRATA_CONSOLE_SESSION_SECRET: SECRET,
        }),
      /exactly one/,
    );
  });

  it('names an unreadable kubeconfig', () => {
    assert.throws(
      () =>
        parseConsoleConfig({
          STRATA_CONSOLE_KUBECONFIG: '/nonexistent/kubeconfig',
          STRATA_CONSOLE_SESSION_SECRET: SECRET,
        }),
      /cannot read the kubeconfig \/nonexistent\/kubeconfig/,
    );
  });

  describe('the update server', () => {
    it('takes its origin and its CA file', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'console-update-server-'));
      await writeFile(join(dir, 'ca.crt'), CA);
      const config = parseConsoleConfig({
        STRATA_CONSOLE_API_SERVER: 'https://api.example:6443',
        STRATA_CONSOLE_SESSION_SECRET: SECRET,
        STRATA_CONSOLE_UPDATE_SERVER_URL: 'https://10.0.0.2:30779/v1/update/',
        STRATA_CONSOLE_UPDATE_SERVER_CA_FILE: join(dir, 'ca.crt'),
      });
      assert.deepEqual(config.updateServer, { url: 'https://10.0.0.2:30779', caPem: CA });
      const systemRoots = parseConsoleConfig({
        STRATA_CONSOLE_API_SERVER: 'https://api.example:6443',
        STRATA_CONSOLE_SESSION_SECRET: SECRET,
        STRATA_CONSOLE_UPDATE_SERVER_URL: 'https://updates.example',
      });
      assert.deepEqual(systemRoots.updateServer, { url: 'https://updates.example', caPem: undefined });
    });

    it('refuses plain HTTP, a CA file without the URL, and an unreadable CA file, naming the variable', () => {
      const base = { STRATA_CONSOLE_API_SERVER: 'https://api.example:6443', STRATA_CONSOLE_SESSION_SECRET: SECRET };
      assert.throws(
        () => parseConsoleConfig({ ...base, STRATA_CONSOLE_UPDATE_SERVER_URL: 'http://10.0.0.2:30779' }),
        /STRATA_CONSOLE_UPDATE_SERVER_URL: must be an https:\/\/ URL/,
      );
      assert.throws(
        () => parseConsoleConfig({ ...base, STRATA_CONSOLE_UPDATE_SERVER_CA_FILE: '/tmp/ca.crt' }),
        /STRATA_CONSOLE_UPDATE_SERVER_CA_FILE: is set without STRATA_CONSOLE_UPDATE_SERVER_URL/,
      );
      assert.throws(
        () =>
          parseConsoleConfig({
            ...base,
            STRATA_CONSOLE_UPDATE_SERVER_URL: 'https://10.0.0.2:30779',
            STRATA_CONSOLE_UPDATE_SERVER_CA_FILE: '/nonexistent/ca.crt',
          }),
        /cannot read the update server CA file \/nonexistent\/ca.crt/,
      );
    });
  });

  describe('OpenID Connect', () => {
    const base = { STRATA_CONSOLE_API_SERVER: 'https://api.example:6443', STRATA_CONSOLE_SESSION_SECRET: SECRET };
    async function oidcEnvironment(secret = 'the-client-secret\n'): Promise<Record<string, string>> {
      const dir = await mkdtemp(join(tmpdir(), 'console-oidc-'));
      await writeFile(join(dir, 'client-secret'), secret);
      await writeFile(join(dir, 'ca.crt'), CA);
      return {
        ...base,
        STRATA_CONSOLE_OIDC_ISSUER_URL: 'https://id.example/realms/strata',
        STRATA_CONSOLE_OIDC_CLIENT_ID: 'strata-console',
        STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE: join(dir, 'client-secret'),
        STRATA_CONSOLE_OIDC_REDIRECT_URL: 'https://console.example/api/oidc/callback',
        STRATA_CONSOLE_OIDC_CA_FILE: join(dir, 'ca.crt'),
      };
    }

    it('reads the provider, the client, its secret from a file, and derives the post-logout page', async () => {
      const config = parseConsoleConfig(await oidcEnvironment());
      assert.deepEqual(config.oidc, {
        issuerUrl: 'https://id.example/realms/strata',
        clientId: 'strata-console',
        clientSecret: 'the-client-secret',
        redirectUrl: 'https://console.example/api/oidc/callback',
        postLogoutRedirectUrl: 'https://console.example/login',
        scopes: 'openid offline_access',
        caPem: CA,
      });
      const scoped = parseConsoleConfig({
        ...(await oidcEnvironment()),
        STRATA_CONSOLE_OIDC_SCOPES: 'openid offline_access groups',
      });
      assert.equal(scoped.oidc?.scopes, 'openid offline_access groups');
    });

    it('names each missing variable when only some are set', () => {
      assert.throws(
        () => parseConsoleConfig({ ...base, STRATA_CONSOLE_OIDC_ISSUER_URL: 'https://id.example' }),
        (error: unknown) =>
          error instanceof ConsoleConfigError &&
          /STRATA_CONSOLE_OIDC_CLIENT_ID: is required with STRATA_CONSOLE_OIDC_ISSUER_URL/.test(error.message) &&
          /STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE: is required/.test(error.message) &&
          /STRATA_CONSOLE_OIDC_REDIRECT_URL: is required/.test(error.message),
      );
    });

    it('refuses a plain-HTTP issuer, bad scopes, and an unreadable or empty secret file, without the secret', async () => {
      const env = await oidcEnvironment();
      assert.throws(
        () => parseConsoleConfig({ ...env, STRATA_CONSOLE_OIDC_ISSUER_URL: 'http://id.example' }),
        /STRATA_CONSOLE_OIDC_ISSUER_URL: must be an https:\/\/ URL/,
      );
      assert.throws(
        () => parseConsoleConfig({ ...env, STRATA_CONSOLE_OIDC_SCOPES: 'openid  "x"' }),
        /STRATA_CONSOLE_OIDC_SCOPES: must be scopes separated by single spaces/,
      );
      assert.throws(
        () => parseConsoleConfig({ ...env, STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE: '/nonexistent/secret' }),
        /cannot read the OpenID client secret file \/nonexistent\/secret/,
      );
      const empty = await oidcEnvironment('  \n');
      assert.throws(() => parseConsoleConfig(empty), /STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE: the file .* is empty/);
      const withSecret = await oidcEnvironment('s3cret-value');
      assert.throws(
        () => parseConsoleConfig({ ...withSecret, STRATA_CONSOLE_OIDC_REDIRECT_URL: 'ftp://console.example/cb' }),
        (error: unknown) =>
          error instanceof ConsoleConfigError &&
          /STRATA_CONSOLE_OIDC_REDIRECT_URL/.test(error.message) &&
          !JSON.stringify({ message: error.message, context: error.context }).includes('s3cret-value'),
      );
    });
  });
});
