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
    assert.deepEqual(config, { apiServer: { server: 'https://127.0.0.1:6443', caPem: CA }, sessionSecret: SECRET });
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
});
