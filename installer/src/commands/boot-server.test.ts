import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BootApiClient } from '@strata/api/boot-client';
import {
  aGroup,
  matchboxTestClient,
  aProfile,
  temporaryDataDir,
  temporaryDirectory,
  writeApiCredentials,
  type TemporaryDirectory,
  type WriteApiCredentials,
} from '@strata/boot-server/testing';
import { runStrataWithEnv, StrataProcess } from '../testing/strata-process.ts';

const MAC = '52:54:00:aa:bb:01';

/** Starts `strata boot-server serve`, waits for its "listening" lines, and returns their URLs. */
async function serve(args: readonly string[], env: Record<string, string> = {}) {
  const server = new StrataProcess(['boot-server', 'serve', ...args], env);
  const [, bootUrl = ''] = await server.waitForStderr(/boot server listening on (http:\/\/\S+)/);
  return { server, bootUrl };
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

describe('strata boot-server serve', () => {
  let data: TemporaryDirectory;
  let tls: TemporaryDirectory;
  let credentials: WriteApiCredentials;
  const tlsFiles = () => [
    '--cert-file',
    join(tls.path, 'server.crt'),
    '--key-file',
    join(tls.path, 'server.key'),
    '--ca-file',
    join(tls.path, 'ca.crt'),
  ];

  before(async () => {
    data = await temporaryDataDir({
      profiles: [
        aProfile({
          id: 'worker',
          boot: { kernel: '/assets/vmlinuz', initrd: ['/assets/initrd.img'], args: ['console=ttyS0'] },
        }),
      ],
      groups: [aGroup({ id: 'node1', profile: 'worker', selector: { mac: MAC } })],
      ignition: { 'worker.ign': '{"ignition":{"version":"3.4.0"}}' },
    });
    tls = await temporaryDataDir();
    credentials = await writeApiCredentials();
    await writeFile(join(tls.path, 'server.crt'), credentials.server.certificatePem);
    await writeFile(join(tls.path, 'server.key'), credentials.server.privateKeyPem, { mode: 0o600 });
    await writeFile(join(tls.path, 'ca.crt'), credentials.caPem);
  });

  after(async () => {
    await data.remove();
    await tls.remove();
  });

  it('serves an existing matchbox data directory, and stops cleanly on SIGTERM', async () => {
    const { server, bootUrl } = await serve([
      '--address',
      '127.0.0.1:0',
      '--data-path',
      data.path,
      '--assets-path',
      '',
    ]);
    try {
      const chain = await get(`${bootUrl}/boot.ipxe`);
      assert.equal(chain.status, 200);
      assert.match(chain.text, /^#!ipxe\nchain ipxe\?uuid=\$\{uuid\}&mac=\$\{mac:hexhyp\}/);
      const script = await get(`${bootUrl}/ipxe?mac=${MAC}`);
      assert.equal(script.text, '#!ipxe\nkernel /assets/vmlinuz console=ttyS0\ninitrd /assets/initrd.img\nboot\n');
      assert.match(server.stderr, /write API off/);
    } finally {
      const exit = await server.stop('SIGTERM');
      assert.deepEqual(exit, { code: 0, signal: null }, server.stderr);
    }
    assert.match(server.stderr, /SIGTERM: stopping the boot server …\nstopped\./);
  });

  it('serves the write API with mutual TLS; a write is seen by the next boot request; SIGINT stops it', async () => {
    const { server, bootUrl } = await serve([
      '--address',
      '127.0.0.1:0',
      '--data-path',
      data.path,
      '--assets-path',
      '',
      '--api-address',
      '127.0.0.1:0',
      ...tlsFiles(),
    ]);
    const [, apiUrl = ''] = await server.waitForStderr(/write API listening on (https:\/\/\S+)/);
    const client = new BootApiClient(credentials.endpoint(apiUrl));
    try {
      assert.equal((await get(`${bootUrl}/ipxe?mac=52:54:00:aa:bb:02`)).status, 404, 'no group for this machine yet');
      await client.putProfile(
        aProfile({ id: 'installer', boot: { kernel: '/assets/installer', initrd: [], args: ['install=yes'] } }),
      );
      await client.putGroup(aGroup({ id: 'node2', profile: 'installer', selector: { mac: '52:54:00:aa:bb:02' } }));
      const script = await get(`${bootUrl}/ipxe?mac=52:54:00:aa:bb:02`);
      assert.equal(script.status, 200);
      assert.equal(script.text, '#!ipxe\nkernel /assets/installer install=yes\nboot\n');
      assert.deepEqual(
        (await client.listGroups()).map((group) => group.id),
        ['node1', 'node2'],
      );
      assert.equal(await client.deleteGroup('node2'), true);
      assert.equal(await client.deleteProfile('installer'), true);
      assert.equal((await get(`${bootUrl}/ipxe?mac=52:54:00:aa:bb:02`)).status, 404, 'the delete is seen too');
    } finally {
      client.close();
      const exit = await server.stop('SIGINT');
      assert.deepEqual(exit, { code: 0, signal: null }, server.stderr);
    }
  });

  it("serves matchbox's gRPC API with --rpc-address and the same TLS files; a put is served", async () => {
    const { server, bootUrl } = await serve([
      '--address',
      '127.0.0.1:0',
      '--data-path',
      data.path,
      '--assets-path',
      '',
      '--rpc-address',
      '127.0.0.1:0',
      ...tlsFiles(),
    ]);
    const [, endpoint = ''] = await server.waitForStderr(/matchbox gRPC API listening on (\S+)/);
    const client = matchboxTestClient(endpoint, credentials);
    try {
      await client.call('Groups', 'GroupPut', {
        group: { id: 'node3', profile: 'worker', selector: { mac: '52:54:00:aa:bb:03' } },
      });
      assert.equal((await get(`${bootUrl}/ipxe?mac=52:54:00:aa:bb:03`)).status, 200);
      await client.call('Groups', 'GroupDelete', { id: 'node3' });
      assert.equal((await get(`${bootUrl}/ipxe?mac=52:54:00:aa:bb:03`)).status, 404);
    } finally {
      client.close();
      assert.deepEqual(await server.stop('SIGINT'), { code: 0, signal: null }, server.stderr);
    }
  });

  it('takes every flag from STRATA_BOOT_SERVER_* variables, and a flag wins over its variable', async () => {
    const { server, bootUrl } = await serve(['--address', '127.0.0.1:0'], {
      STRATA_BOOT_SERVER_ADDRESS: 'not an address',
      STRATA_BOOT_SERVER_DATA_PATH: data.path,
      STRATA_BOOT_SERVER_ASSETS_PATH: '',
      STRATA_BOOT_SERVER_LOG_LEVEL: 'warn',
    });
    try {
      assert.equal((await get(`${bootUrl}/ipxe?mac=${MAC}`)).status, 200, 'the data path came from the environment');
      assert.match(server.stderr, /assets off/);
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });

  it('lists an /assets/ directory only with --assets-listing on (from its variable too)', async () => {
    const assets = await temporaryDirectory();
    await writeFile(join(assets.path, 'vmlinuz'), 'kernel');
    const off = await serve(['--address', '127.0.0.1:0', '--data-path', data.path, '--assets-path', assets.path]);
    try {
      assert.equal((await get(`${off.bootUrl}/assets/`)).status, 404);
    } finally {
      assert.equal((await off.server.stop()).code, 0);
    }
    const on = await serve(['--address', '127.0.0.1:0', '--data-path', data.path, '--assets-path', assets.path], {
      STRATA_BOOT_SERVER_ASSETS_LISTING: 'on',
    });
    try {
      const listing = await get(`${on.bootUrl}/assets/`);
      assert.equal(listing.status, 200);
      assert.match(listing.text, /<a href="vmlinuz">vmlinuz<\/a>/);
    } finally {
      assert.equal((await on.server.stop()).code, 0);
      await assets.remove();
    }
  });

  it('translates Butane templates with the real butane, as matchbox does', async () => {
    const butaneData = await temporaryDataDir({
      profiles: [aProfile({ id: 'worker', ignition_id: 'worker.yaml' })],
      groups: [aGroup({ id: 'node', profile: 'worker', selector: { mac: MAC }, metadata: { hostname: 'node.lan' } })],
      ignition: {
        'worker.yaml':
          'variant: flatcar\nversion: 1.1.0\nstorage:\n  files:\n    - path: /etc/hostname\n      contents:\n        inline: {{.hostname}}\n',
      },
    });
    const { server, bootUrl } = await serve(['--address', '127.0.0.1:0', '--data-path', butaneData.path]);
    try {
      const answer = await get(`${bootUrl}/ignition?mac=${MAC}`);
      assert.equal(answer.status, 200, server.stderr);
      assert.match(answer.text, /"source":"data:,node\.lan"/);
      assert.match(answer.text, /"version":"3\.4\.0"/);
    } finally {
      assert.equal((await server.stop()).code, 0);
      await butaneData.remove();
    }
  });

  it('warns about a key file that others can read, and serves anyway', async () => {
    const loose = join(tls.path, 'loose.key');
    await writeFile(loose, credentials.server.privateKeyPem);
    await chmod(loose, 0o644);
    const { server } = await serve([
      '--address',
      '127.0.0.1:0',
      '--data-path',
      data.path,
      '--assets-path',
      '',
      '--api-address',
      '127.0.0.1:0',
      ...tlsFiles().slice(0, 2),
      '--key-file',
      loose,
      '--ca-file',
      join(tls.path, 'ca.crt'),
    ]);
    try {
      assert.match(
        server.stderr,
        new RegExp(`warning: --key-file: ${loose} is readable by everyone \\(mode 0644\\); run: chmod 600 ${loose}`),
      );
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });

  describe('refuses bad settings before it listens, naming the flag (exit 2)', () => {
    const cases: { what: string; args: string[]; env?: Record<string, string>; stderr: RegExp[] }[] = [
      {
        what: '--api-address without the TLS files',
        args: ['--api-address', '127.0.0.1:0'],
        stderr: [
          /error: --cert-file: is required with --api-address: the write API serves only mutual TLS/,
          /error: --key-file: is required with --api-address/,
          /error: --ca-file: is required with --api-address/,
        ],
      },
      {
        what: '--rpc-address without the TLS files',
        args: ['--rpc-address', '127.0.0.1:0'],
        stderr: [/error: --cert-file: is required with --rpc-address: matchbox's gRPC API serves only mutual TLS/],
      },
      {
        what: 'an address that is not host:port',
        args: ['--address', 'localhost'],
        stderr: [/error: --address "localhost": address "localhost" is not host:port; write e\.g\. 127\.0\.0\.1:8080/],
      },
      {
        what: 'a bad address from the environment',
        args: [],
        env: { STRATA_BOOT_SERVER_ADDRESS: '127.0.0.1:99999' },
        stderr: [/error: --address \(from STRATA_BOOT_SERVER_ADDRESS\) "127\.0\.0\.1:99999"/],
      },
      {
        what: 'a data path that does not exist',
        args: ['--data-path', '/nonexistent/strata-boot'],
        stderr: [/error: --data-path: \/nonexistent\/strata-boot does not exist/],
      },
      {
        what: 'an unknown store',
        args: ['--store', 'etcd'],
        stderr: [/error: --store "etcd": must be one of: directory, kubernetes/],
      },
      {
        what: 'an assets listing that is neither off nor on',
        args: ['--assets-listing', 'yes'],
        stderr: [/error: --assets-listing "yes": must be one of: off, on/],
      },
      {
        what: 'an unknown log level',
        args: ['--log-level', 'loud'],
        stderr: [/error: --log-level "loud": must be one of: debug, info, warn, error/],
      },
      {
        what: 'a TLS file that cannot be read',
        args: [
          '--api-address',
          '127.0.0.1:0',
          '--cert-file',
          '/nonexistent/server.crt',
          '--key-file',
          '/nonexistent/server.key',
          '--ca-file',
          '/nonexistent/ca.crt',
        ],
        stderr: [/error: --cert-file: \/nonexistent\/server\.crt cannot be read \(ENOENT\)/],
      },
      {
        what: 'a kubeconfig that cannot be read',
        args: ['--store', 'kubernetes', '--kubeconfig', '/nonexistent/kubeconfig'],
        stderr: [/error: --kubeconfig: \/nonexistent\/kubeconfig cannot be read/],
      },
      {
        what: 'a namespace that is no namespace name',
        args: ['--store', 'kubernetes', '--namespace', 'Boot_Servers'],
        stderr: [/error: --namespace "Boot_Servers": must be a Kubernetes namespace name/],
      },
    ];
    for (const { what, args, env, stderr } of cases) {
      it(what, async () => {
        // A free port, unless the case is about the address: should a case start a server by mistake, it never takes 8080.
        const address =
          args.includes('--address') || env?.['STRATA_BOOT_SERVER_ADDRESS'] !== undefined
            ? []
            : ['--address', '127.0.0.1:0'];
        const result = await runStrataWithEnv(
          ['boot-server', 'serve', '--data-path', data.path, ...address, ...args],
          env ?? {},
        );
        assert.equal(result.code, 2, result.stderr);
        for (const pattern of stderr) assert.match(result.stderr, pattern);
        assert.doesNotMatch(result.stderr, /listening/);
      });
    }

    it('a TLS file that is not PEM', async () => {
      const result = await runStrataWithEnv(
        [
          'boot-server',
          'serve',
          '--data-path',
          data.path,
          '--address',
          '127.0.0.1:0',
          '--api-address',
          '127.0.0.1:0',
          ...tlsFiles().slice(0, 4),
          '--ca-file',
          join(tls.path, 'server.key'),
        ],
        {},
      );
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /error: --ca-file: .*server\.key holds no PEM certificate/);
    });

    it('an unknown flag, as for every strata command', async () => {
      const result = await runStrataWithEnv(['boot-server', 'serve', '--web-ui-address', '127.0.0.1:8081'], {});
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /unknown option '--web-ui-address'/);
    });
  });

  it('fails with exit 1, saying why, when the address is taken', async () => {
    const { server, bootUrl } = await serve([
      '--address',
      '127.0.0.1:0',
      '--data-path',
      data.path,
      '--assets-path',
      '',
    ]);
    try {
      const result = await runStrataWithEnv(
        ['boot-server', 'serve', '--address', new URL(bootUrl).host, '--data-path', data.path, '--assets-path', ''],
        {},
      );
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /error: .*EADDRINUSE/);
    } finally {
      await server.stop();
    }
  });
});
