import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileSchema } from '@strata/api';
import { DataDirectoryStore } from '../store/directory-store.ts';
import { BootApiClient } from '@strata/api/boot-client';
import { BootApiConnectionError, BootApiError } from '@strata/api';
import { startWriteApi, type RunningWriteApi } from './server.ts';
import {
  aGroup,
  aProfile,
  rawHttps,
  writeApiCredentials,
  type RawRequest,
  type WriteApiCredentials,
} from './testing/index.ts';
import { captureLogger, type CapturedLogger } from '../testing/log-capture.ts';

/** Every file under the data directory with its content: what "nothing was written" compares. */
async function diskState(dataPath: string): Promise<string[]> {
  const entries = await readdir(dataPath, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.sort().map(async (file) => `${file}\0${await readFile(file, 'utf8')}`));
}

describe('the write API over a matchbox data directory', () => {
  let credentials: WriteApiCredentials;
  let dataPath: string;
  let store: DataDirectoryStore;
  let api: RunningWriteApi;
  let client: BootApiClient;
  /** The TLS settings of a trusted client. */
  let trusted: RawRequest['tls'];
  let log: CapturedLogger;

  before(async () => {
    credentials = await writeApiCredentials();
    log = captureLogger();
    dataPath = await mkdtemp(join(tmpdir(), 'strata-write-api-'));
    store = await DataDirectoryStore.open({ dataPath, logger: log.logger, resyncIntervalMs: 0 });
    api = await startWriteApi({
      address: '127.0.0.1:0',
      store,
      tls: credentials.serverTls,
      maxBodyBytes: 64 * 1024,
      logger: log.logger,
    });
    client = new BootApiClient(credentials.endpoint(api.url));
    trusted = { ca: credentials.caPem, cert: credentials.client.certificatePem, key: credentials.client.privateKeyPem };
  });

  after(async () => {
    client.close();
    await api.close();
    await store.close();
    await rm(dataPath, { recursive: true, force: true });
  });

  describe('through BootApiClient', () => {
    it('creates, reads, updates, lists and deletes profiles', async () => {
      const worker = aProfile({ id: 'crud-worker' });
      await client.putProfile(worker);
      assert.deepEqual(await client.getProfile('crud-worker'), worker);
      assert.deepEqual(store.snapshot().profiles.get('crud-worker'), worker, 'the write reached the store');

      const updated = { ...worker, boot: { ...worker.boot, args: ['console=tty0'] } };
      await client.putProfile(updated);
      assert.deepEqual(await client.getProfile('crud-worker'), updated);

      await client.putProfile(aProfile({ id: 'crud-controller' }));
      const ids = (await client.listProfiles()).map((profile) => profile.id);
      assert.deepEqual(
        ids.filter((id) => id.startsWith('crud-')),
        ['crud-controller', 'crud-worker'],
        'listed in id order',
      );

      assert.equal(await client.deleteProfile('crud-worker'), true);
      assert.equal(await client.deleteProfile('crud-worker'), false, 'a second delete finds nothing');
      assert.equal(await client.getProfile('crud-worker'), undefined);
      assert.equal(store.snapshot().profiles.has('crud-worker'), false);
    });

    it('creates, reads, updates, lists and deletes groups, metadata included', async () => {
      const group = aGroup({ id: 'crud-node1', metadata: { etcd: { name: 'node1' }, list: [1, 'two'] } });
      await client.putGroup(group);
      assert.deepEqual(await client.getGroup('crud-node1'), group);
      await client.putGroup({ ...group, selector: { mac: '52:54:00:aa:bb:cc', os: 'installed' } });
      assert.deepEqual((await client.getGroup('crud-node1'))?.selector, { mac: '52:54:00:aa:bb:cc', os: 'installed' });
      assert.ok((await client.listGroups()).some((listed) => listed.id === 'crud-node1'));
      assert.equal(await client.deleteGroup('crud-node1'), true);
      assert.equal(await client.getGroup('crud-node1'), undefined);
      assert.equal(await client.deleteGroup('crud-node1'), false);
    });

    for (const kind of ['ignition', 'generic'] as const) {
      it(`creates, reads, updates, lists and deletes ${kind} templates, byte for byte`, async () => {
        const text = `{"ignition":{"version":"3.4.0"}}\n# {{.mac}} ünïcode ✓\n`;
        await client.putTemplate(kind, 'crud.tmpl', text);
        assert.equal(await client.getTemplate(kind, 'crud.tmpl'), text);
        assert.equal(store.snapshot().templates[kind].get('crud.tmpl'), text);
        await client.putTemplate(kind, 'crud.tmpl', 'changed');
        assert.equal(await client.getTemplate(kind, 'crud.tmpl'), 'changed');
        assert.ok((await client.listTemplates(kind)).includes('crud.tmpl'));
        assert.equal(await client.deleteTemplate(kind, 'crud.tmpl'), true);
        assert.equal(await client.getTemplate(kind, 'crud.tmpl'), undefined);
        assert.equal(await client.deleteTemplate(kind, 'crud.tmpl'), false);
      });
    }

    it('writes matchbox files: profiles/<id>.json that matchbox would read, templates readable by the owner only', async () => {
      const profile = aProfile({ id: 'on-disk' });
      await client.putProfile(profile);
      assert.deepEqual(
        profileSchema.parse(JSON.parse(await readFile(join(dataPath, 'profiles', 'on-disk.json'), 'utf8'))),
        profile,
      );
      await client.putTemplate('ignition', 'on-disk.ign', '{}');
      assert.equal((await stat(join(dataPath, 'ignition', 'on-disk.ign'))).mode & 0o777, 0o600);
      assert.deepEqual(
        (await readdir(join(dataPath, 'profiles'))).filter((name) => name.endsWith('.tmp')),
        [],
        'no temporary file is left behind',
      );
      await client.deleteProfile('on-disk');
      await client.deleteTemplate('ignition', 'on-disk.ign');
    });

    it('encodes names that need it, and the server decodes them back', async () => {
      await client.putTemplate('ignition', 'with space & #hash?.ign', 'x');
      assert.equal(store.snapshot().templates.ignition.get('with space & #hash?.ign'), 'x');
      assert.equal(await client.deleteTemplate('ignition', 'with space & #hash?.ign'), true);
    });

    it('turns a refusal into a BootApiError with status, kind, route and field', async () => {
      await assert.rejects(client.putProfile({ ...aProfile({ id: 'x' }), id: '..' }), (error: unknown) => {
        assert.ok(error instanceof BootApiError, String(error));
        assert.equal(error.status, 400);
        assert.equal(error.kind, 'Invalid');
        assert.equal(error.field, 'id');
        assert.equal(error.route, 'PUT /v1/profiles/..');
        return true;
      });
    });
  });

  describe('answers', () => {
    it('201 for a create and 200 for a replace', async () => {
      const put = (body: unknown) =>
        rawHttps(api.url, {
          method: 'PUT',
          path: '/v1/profiles/status-codes',
          body: JSON.stringify(body),
          tls: trusted,
        });
      assert.equal((await put({ id: 'status-codes' })).status, 201);
      const replaced = await put({ id: 'status-codes', name: 'again' });
      assert.equal(replaced.status, 200);
      assert.deepEqual(
        JSON.parse(replaced.text),
        aProfile({ id: 'status-codes', name: 'again', boot: { kernel: '', initrd: [], args: [] }, ignition_id: '' }),
        'answers the stored profile, defaults filled in',
      );
      assert.equal(
        (await rawHttps(api.url, { method: 'PUT', path: '/v1/templates/generic/status.tmpl', body: 'a', tls: trusted }))
          .status,
        201,
      );
      assert.equal(
        (await rawHttps(api.url, { method: 'PUT', path: '/v1/templates/generic/status.tmpl', body: 'b', tls: trusted }))
          .status,
        200,
      );
      assert.equal(
        (await rawHttps(api.url, { method: 'DELETE', path: '/v1/templates/generic/status.tmpl', tls: trusted })).status,
        204,
      );
    });

    it('404 with a JSON error for what does not exist', async () => {
      for (const path of [
        '/v1/profiles/absent',
        '/v1/groups/absent',
        '/v1/templates/ignition/absent',
        '/v1/nothing',
        '/',
        '/v1/profiles/a/b',
      ]) {
        const answer = await rawHttps(api.url, { path, tls: trusted });
        assert.equal(answer.status, 404, path);
        assert.equal((JSON.parse(answer.text) as { kind: string }).kind, 'NotFound', path);
      }
    });

    it('405 for a method a route does not have', async () => {
      const answer = await rawHttps(api.url, { method: 'POST', path: '/v1/profiles/x', body: '{}', tls: trusted });
      assert.equal(answer.status, 405);
      assert.equal(answer.headers['allow'], 'GET, PUT, DELETE');
      assert.deepEqual(JSON.parse(answer.text), {
        kind: 'Invalid',
        message: 'method POST is not allowed here; use GET, PUT, DELETE',
        field: 'method',
      });
    });
  });

  describe('refuses names that could escape a data directory', () => {
    const cases: { path: string; field: string }[] = [
      { path: '/v1/profiles/..', field: 'id' },
      { path: '/v1/profiles/%2e%2e', field: 'id' },
      { path: '/v1/profiles/.', field: 'id' },
      { path: '/v1/groups/..%2F..%2Fetc%2Fpasswd', field: 'id' },
      { path: '/v1/groups/a%00b', field: 'id' },
      { path: '/v1/groups/a%5Cb', field: 'id' },
      { path: '/v1/profiles/', field: 'id' },
      { path: '/v1/templates/ignition/..', field: 'name' },
      { path: '/v1/templates/generic/%2Fetc%2Fshadow', field: 'name' },
      { path: '/v1/templates/generic/x%00.tmpl', field: 'name' },
      { path: '/v1/templates/cloud/x', field: 'kind' },
      { path: '/v1/templates/..%2Fgroups/x', field: 'kind' },
      { path: '/v1/profiles/%E0%A4%A', field: 'path' },
    ];
    for (const { path, field } of cases) {
      it(`PUT ${path} -> 400 naming ${field}`, async () => {
        const before = await diskState(dataPath);
        const answer = await rawHttps(api.url, {
          method: 'PUT',
          path,
          body: JSON.stringify({ id: '..' }),
          tls: trusted,
        });
        assert.equal(answer.status, 400, answer.text);
        const error = JSON.parse(answer.text) as { kind: string; field: string; message: string };
        assert.equal(error.kind, 'Invalid');
        assert.equal(error.field, field);
        assert.ok(error.message.length > 0);
        assert.deepEqual(await diskState(dataPath), before, 'nothing was written');
      });
    }
  });

  describe('refuses bad bodies, naming the field', () => {
    const cases: { what: string; path: string; body: string | Buffer; field: string; message: RegExp }[] = [
      { what: 'not JSON', path: '/v1/profiles/p', body: '{"id": "p",', field: 'body', message: /not JSON/ },
      { what: 'not an object', path: '/v1/profiles/p', body: '[]', field: 'body', message: /expected object/ },
      { what: 'no id', path: '/v1/profiles/p', body: '{}', field: 'id', message: /^id: / },
      {
        what: 'another id than the URL',
        path: '/v1/profiles/p',
        body: '{"id":"q"}',
        field: 'id',
        message: /must equal the id "p" in the URL/,
      },
      {
        what: 'initrd not a list',
        path: '/v1/profiles/p',
        body: '{"id":"p","boot":{"initrd":"x"}}',
        field: 'boot.initrd',
        message: /boot\.initrd: .*array/,
      },
      {
        what: 'an arg not a string',
        path: '/v1/profiles/p',
        body: '{"id":"p","boot":{"args":["a",1]}}',
        field: 'boot.args.1',
        message: /boot\.args\.1/,
      },
      {
        what: 'an unknown field',
        path: '/v1/profiles/p',
        body: '{"id":"p","ignitionId":"x"}',
        field: 'ignitionId',
        message: /ignitionId/,
      },
      {
        what: 'an unknown field in boot',
        path: '/v1/profiles/p',
        body: '{"id":"p","boot":{"kernal":"x"}}',
        field: 'boot.kernal',
        message: /kernal/,
      },
      {
        what: 'an ignition_id that leaves its directory',
        path: '/v1/profiles/p',
        body: '{"id":"p","ignition_id":"../../etc/shadow"}',
        field: 'ignition_id',
        message: /ignition_id: must not contain "\/"/,
      },
      {
        what: 'a generic_id of ".."',
        path: '/v1/profiles/p',
        body: '{"id":"p","generic_id":".."}',
        field: 'generic_id',
        message: /generic_id: must not be "\." or "\.\."/,
      },
      {
        what: 'a group profile with a slash',
        path: '/v1/groups/g',
        body: '{"id":"g","profile":"a/b"}',
        field: 'profile',
        message: /profile/,
      },
      {
        what: 'a mac selector that is no MAC (refused by the store)',
        path: '/v1/groups/g',
        body: '{"id":"g","selector":{"mac":"not-a-mac"}}',
        field: 'selector.mac',
        message: /not a MAC address/,
      },
      {
        what: 'a selector value not a string',
        path: '/v1/groups/g',
        body: '{"id":"g","selector":{"mac":1}}',
        field: 'selector.mac',
        message: /selector\.mac/,
      },
      {
        what: 'metadata not an object',
        path: '/v1/groups/g',
        body: '{"id":"g","metadata":"x"}',
        field: 'metadata',
        message: /metadata/,
      },
      {
        what: 'a template that is not UTF-8',
        path: '/v1/templates/ignition/t',
        body: Buffer.from([0xff, 0xfe, 0x00]),
        field: 'body',
        message: /UTF-8/,
      },
    ];
    for (const { what, path, body, field, message } of cases) {
      it(`${what} -> 400 naming ${field}`, async () => {
        const before = await diskState(dataPath);
        const answer = await rawHttps(api.url, { method: 'PUT', path, body, tls: trusted });
        assert.equal(answer.status, 400, answer.text);
        const error = JSON.parse(answer.text) as { kind: string; field: string; message: string };
        assert.equal(error.kind, 'Invalid');
        assert.equal(error.field, field);
        assert.match(error.message, message);
        assert.deepEqual(await diskState(dataPath), before, 'nothing was written');
      });
    }

    it('a body over the limit -> 413, declared or chunked', async () => {
      const big = 'x'.repeat(64 * 1024 + 1);
      const declared = await rawHttps(api.url, {
        method: 'PUT',
        path: '/v1/templates/ignition/big',
        body: big,
        tls: trusted,
      });
      assert.equal(declared.status, 413);
      assert.deepEqual(JSON.parse(declared.text), {
        kind: 'TooLarge',
        message: 'the request body is 65537 bytes; at most 65536 are accepted',
        field: 'body',
      });
      const chunked = await rawHttps(api.url, {
        method: 'PUT',
        path: '/v1/templates/ignition/big',
        body: big,
        headers: { 'transfer-encoding': 'chunked' },
        tls: trusted,
      });
      assert.equal(chunked.status, 413);
      assert.equal(store.snapshot().templates.ignition.has('big'), false);
      const atLimit = await rawHttps(api.url, {
        method: 'PUT',
        path: '/v1/templates/ignition/big',
        body: big.slice(1),
        tls: trusted,
      });
      assert.equal(atLimit.status, 201, 'exactly the limit is allowed');
      await client.deleteTemplate('ignition', 'big');
    });
  });

  describe('lets in only clients with a certificate from the configured CA', () => {
    /** The reasons the server logged for the TLS connections it refused since `from`. */
    const refusals = (from: number) =>
      log
        .lines()
        .slice(from)
        .filter((line) => line['msg'] === 'write API refused a TLS connection')
        .map((line) => String(line['reason']));
    const assertRefused = async (tls: RawRequest['tls'], code: RegExp, serverReason?: RegExp) => {
      const before = await diskState(dataPath);
      const from = log.lines().length;
      for (const request of [
        { method: 'GET', path: '/v1/profiles' },
        { method: 'PUT', path: '/v1/profiles/intruder', body: JSON.stringify(aProfile({ id: 'intruder' })) },
      ]) {
        await assert.rejects(rawHttps(api.url, { ...request, tls }), (error: NodeJS.ErrnoException) => {
          assert.match(String(error.code), code, `${request.method}: ${error.message}`);
          return true;
        });
      }
      assert.deepEqual(await diskState(dataPath), before, 'nothing was written');
      assert.equal(store.snapshot().profiles.has('intruder'), false);
      const reasons = refusals(from);
      assert.equal(reasons.length, 2, `the server logged both refusals: ${reasons.join(', ')}`);
      if (serverReason) for (const reason of reasons) assert.match(reason, serverReason);
      assert.ok(!log.text().includes('intruder'), 'no request of a refused client was ever handled');
    };

    // In TLS 1.3 the client sends its certificate after the server's Finished,
    // so the server's alert may reach the client as the alert or as a reset;
    // TLS 1.2 checks the certificate before the handshake ends, so the alert is certain.
    it('a client that trusts the server but has no certificate: the handshake fails (TLS 1.3)', async () => {
      await client.putProfile(aProfile({ id: 'secret' }));
      await assertRefused(
        { ca: credentials.caPem },
        /CERTIFICATE_REQUIRED|ECONNRESET/,
        /PEER_DID_NOT_RETURN_A_CERTIFICATE/,
      );
    });

    it('the same over TLS 1.2', async () => {
      await assertRefused(
        { ca: credentials.caPem, maxVersion: 'TLSv1.2' },
        /EPROTO|HANDSHAKE_FAILURE/,
        /PEER_DID_NOT_RETURN_A_CERTIFICATE/,
      );
    });

    // The stranger's CA has the same name as the real one: only its signature tells them apart.
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      it(`a client certificate from another CA of the same name (${version})`, async () => {
        const stranger = await writeApiCredentials();
        await assertRefused(
          {
            ca: credentials.caPem,
            cert: stranger.client.certificatePem,
            key: stranger.client.privateKeyPem,
            maxVersion: version,
          },
          /ECONNRESET|UNKNOWN_CA/,
          /UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
        );
      });
    }

    it('a client certificate from another CA through BootApiClient: BootApiConnectionError', async () => {
      const stranger = await writeApiCredentials();
      const strangerClient = new BootApiClient({ ...stranger.endpoint(api.url), caPem: credentials.caPem });
      try {
        await assert.rejects(strangerClient.listProfiles(), (error: unknown) => {
          assert.ok(error instanceof BootApiConnectionError, String(error));
          assert.equal(error.route, 'GET /v1/profiles');
          assert.match(error.message, /could not talk to the write API/);
          return true;
        });
      } finally {
        strangerClient.close();
      }
    });

    it('TLS 1.1, even with a valid client certificate: the server answers with a protocol_version alert', async () => {
      await assertRefused(
        { ...trusted, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
        /EPROTO/,
        /UNSUPPORTED_PROTOCOL/,
      );
      await assert.rejects(
        rawHttps(api.url, {
          path: '/v1/profiles',
          tls: { ...trusted, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
        }),
        /alert protocol version/,
      );
    });

    it('while TLS 1.2 and 1.3 with the right certificate get in', async () => {
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        const answer = await rawHttps(api.url, {
          path: '/v1/profiles/secret',
          tls: { ...trusted, minVersion: version, maxVersion: version },
        });
        assert.equal(answer.status, 200, version);
      }
    });
  });
});
