import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IPXE_BOOTSTRAP } from '../answers/ipxe.ts';
import { aGroup, aProfile } from '../testing/builders.ts';
import { temporaryDirectory, type TemporaryDirectory } from '../testing/data-dir.ts';
import { withoutEmptyObjects } from '../testing/go-json.ts';
import { captureLogger } from '../testing/log-capture.ts';
import { rawGet, rawHttpRequest } from '../testing/raw-http.ts';
import { startTestBootServer, type TestBootServer } from '../testing/test-server.ts';
import { waitFor } from '@strata/harness';

const NODE1 = '52:54:00:00:00:01';
const SECRET = 'do-not-log-this-token';

// A template is text: its actions may hold quotes that would not survive JSON.stringify.
const ignitionTemplate = `{
  "ignition": { "version": "3.3.0" },
  "storage": { "files": [{ "path": "/etc/hostname", "mode": 420, "contents": { "source": "data:,{{.hostname}}" } }] },
  "passwd": { "users": [{ "name": "core", "sshAuthorizedKeys": ["{{index .request.query "key"}}"] }] },
  "systemd": { "units": [{ "name": "strata-mac.service", "contents": "# {{.mac}} {{.request.raw_query}}" }] }
}`;

const contents = {
  profiles: [
    aProfile({ id: 'worker', ignition_id: 'worker.tmpl', generic_id: 'worker.env' }),
    aProfile({ id: 'installed', ignition_id: 'installed.ign' }),
    aProfile({ id: 'no-kernel', boot: { kernel: '', initrd: [], args: [] } }),
    aProfile({ id: 'bad-syntax', ignition_id: 'bad-syntax.tmpl', generic_id: 'bad-syntax.tmpl' }),
    aProfile({ id: 'missing-key', ignition_id: 'missing-key.tmpl', generic_id: 'missing-key.tmpl' }),
    aProfile({ id: 'no-template', ignition_id: 'absent.ign', generic_id: '' }),
    aProfile({ id: 'cloudy', cloud_id: 'node.yaml' }),
    aProfile({ id: 'not-cloud', cloud_id: 'plain.txt' }),
    aProfile({ id: 'broken-ign', ignition_id: 'broken.ign' }),
    aProfile({ id: 'json-name', ignition_id: 'node.json' }),
  ],
  groups: [
    aGroup({
      id: 'node1',
      profile: 'worker',
      selector: { mac: NODE1 },
      metadata: { hostname: 'node1.example.com', token: SECRET },
    }),
    aGroup({ id: 'installed', profile: 'installed', selector: { os: 'installed' } }),
    aGroup({ id: 'orphan', profile: 'does-not-exist', selector: { uuid: 'orphan' } }),
    ...['no-kernel', 'bad-syntax', 'missing-key', 'no-template', 'cloudy', 'not-cloud', 'broken-ign', 'json-name'].map(
      (profile) => aGroup({ id: profile, profile, selector: { uuid: profile }, metadata: { token: SECRET } }),
    ),
  ],
  ignition: {
    'worker.tmpl': ignitionTemplate,
    // Raw, as matchbox serves *.ign: the braces are not a template action.
    'installed.ign':
      '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/motd","contents":{"source":"data:,{{.not_a_template}}"}}]}}',
    'bad-syntax.tmpl': '{{ if .x }',
    'broken.ign': '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/motd","mode":"0644"}]}}',
    // Only .ign and .ignition are raw Ignition: a .json name is a template.
    'node.json': '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/{{.uuid}}"}]}}',
    'missing-key.tmpl': '{"token": "{{.token}}", "x": "{{.not_there}}"}',
  },
  generic: {
    'worker.env': 'HOSTNAME={{.hostname}}\nMAC={{.mac}}\n',
    'bad-syntax.tmpl': '{{',
    'missing-key.tmpl': '{{.nope}}',
  },
  cloud: { 'node.yaml': '#cloud-config\nhostname: {{.uuid}}\n', 'plain.txt': 'hostname: x\n' },
};

describe('boot server endpoints', () => {
  let server: TestBootServer;
  let assets: TemporaryDirectory;
  const log = captureLogger('debug');

  before(async () => {
    assets = await temporaryDirectory();
    await mkdir(join(assets.path, 'flatcar'), { recursive: true });
    await writeFile(join(assets.path, 'flatcar', 'vmlinuz'), 'KERNEL-BYTES-0123456789');
    await writeFile(join(assets.path, '.hidden'), 'private');
    await symlink('/etc/passwd', join(assets.path, 'passwd'));
    await symlink('/etc', join(assets.path, 'flatcar', 'etc'));
    await symlink('vmlinuz', join(assets.path, 'flatcar', 'current'));
    await symlink('.hidden', join(assets.path, 'hidden-link'));
    server = await startTestBootServer({ contents, assetsPath: assets.path, logger: log.logger });
  });
  after(async () => {
    await server.close();
    await assets.remove();
  });

  it('/ answers a short banner', async () => {
    assert.deepEqual(await text('/'), { status: 200, body: 'matchbox\n', type: 'text/plain; charset=utf-8' });
  });

  it('/boot.ipxe and /boot.ipxe.0 answer the chain script', async () => {
    for (const path of ['/boot.ipxe', '/boot.ipxe.0', '/boot.ipxe?mac=anything'])
      assert.deepEqual(await text(path), { status: 200, body: IPXE_BOOTSTRAP, type: 'text/plain; charset=utf-8' });
  });

  it('/ipxe answers the matched profile\u2019s kernel, initrd and boot, for a MAC in any form', async () => {
    const expected = [
      '#!ipxe',
      'kernel /assets/flatcar/current/flatcar_production_pxe.vmlinuz initrd=flatcar_production_pxe_image.cpio.gz flatcar.first_boot=yes console=ttyS0',
      'initrd /assets/flatcar/current/flatcar_production_pxe_image.cpio.gz',
      'boot',
      '',
    ].join('\n');
    for (const mac of ['52-54-00-00-00-01', '52:54:00:00:00:01', '52-54-00-00-00-01'.toUpperCase()]) {
      assert.deepEqual(await text(`/ipxe?uuid=&mac=${mac}&domain=&hostname=&serial=&arch=x86_64`), {
        status: 200,
        body: expected,
        type: 'text/plain; charset=utf-8',
      });
    }
  });

  it('/grub answers the EFI and BIOS entries', async () => {
    const answer = await text(`/grub?mac=${NODE1}`);
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^default=0\nfallback=1\ntimeout=1\nmenuentry "CoreOS \(EFI\)" \{\n/);
    assert.match(answer.body, /\nlinux "\/assets\/flatcar\/current\/flatcar_production_pxe.vmlinuz" initrd=/);
  });

  it('/ignition renders the template with metadata, selectors and the request, and serves 3.3.0 as 3.4.0', async () => {
    const answer = await text(`/ignition?mac=52-54-00-00-00-01&key=ssh-ed25519%20AAAA`);
    assert.equal(answer.status, 200);
    assert.equal(answer.type, 'application/json');
    assert.deepEqual(JSON.parse(answer.body), {
      ignition: { version: '3.4.0' },
      storage: { files: [{ path: '/etc/hostname', mode: 420, contents: { source: 'data:,node1.example.com' } }] },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA'] }] },
      systemd: {
        units: [{ name: 'strata-mac.service', contents: `# ${NODE1} mac=52-54-00-00-00-01&key=ssh-ed25519%20AAAA` }],
      },
    });
    assert.deepEqual(withoutEmptyObjects(JSON.parse((await text('/ignition?os=installed')).body)), {
      ignition: { version: '3.4.0' },
      storage: { files: [{ path: '/etc/motd', contents: { source: 'data:,{{.not_a_template}}' } }] },
    });
  });

  it('/ignition decodes an .ign file and answers 404, with the reason logged, when it does not decode', async () => {
    const broken = await text('/ignition?uuid=broken-ign');
    assert.equal(broken.status, 404);
    const line = log.lines().find((entry) => entry.template === 'ignition/broken.ign');
    assert.equal(line?.msg, 'the Ignition file does not decode as Ignition 3.0-3.4; not served');
    assert.equal(line.error, 'config.storage.files.0.mode must be an integer, not a string');
  });

  it('/ignition renders a .json name as a template rather than serving it raw', async () => {
    const answer = await text('/ignition?uuid=json-name');
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), {
      ignition: { version: '3.4.0' },
      storage: { files: [{ path: '/etc/json-name' }] },
    });
  });

  it('/generic renders its template', async () => {
    assert.deepEqual(await text(`/generic?mac=${NODE1}`), {
      status: 200,
      body: `HOSTNAME=node1.example.com\nMAC=${NODE1}\n`,
      type: 'text/plain; charset=utf-8',
    });
  });

  it('/metadata answers env-file lines, as matchbox does', async () => {
    const answer = await text(`/metadata?mac=${NODE1}&foo=bar`);
    assert.equal(answer.status, 200);
    assert.equal(answer.type, 'plain/text');
    assert.equal(
      answer.body,
      [
        `HOSTNAME=node1.example.com`,
        `MAC=${NODE1}`,
        `REQUEST_QUERY_FOO=bar`,
        `REQUEST_QUERY_MAC=${NODE1}`,
        `REQUEST_RAW_QUERY=mac=${NODE1}&foo=bar`,
        `TOKEN=${SECRET}`,
        '',
      ].join('\n'),
    );
  });

  it('/cloud renders cloud-configs and scripts only', async () => {
    assert.deepEqual(await text('/cloud?uuid=cloudy'), {
      status: 200,
      body: '#cloud-config\nhostname: cloudy\n',
      type: 'text/plain; charset=utf-8',
    });
    assert.equal((await text('/cloud?uuid=not-cloud')).status, 404);
  });

  it('answers 404 where matchbox does: no group, no profile, no template, a template that fails, and unknown paths', async () => {
    const notFound = { status: 404, body: '404 page not found\n', type: 'text/plain; charset=utf-8' };
    const cases = [
      '/ipxe?uuid=orphan', // the group names a profile that does not exist
      '/ignition?uuid=orphan',
      '/ipxe?uuid=no-kernel',
      '/ignition?uuid=no-template',
      '/generic?uuid=no-template',
      '/ignition?uuid=bad-syntax',
      '/generic?uuid=bad-syntax',
      '/ignition?uuid=missing-key',
      '/generic?uuid=missing-key',
      '/cloud?mac=52:54:00:00:00:01', // the worker profile has no cloud_id
      '/nope',
      '/ipxe/',
      '/assets',
      '/IPXE',
    ];
    for (const path of cases) assert.deepEqual(await text(path), notFound, path);
  });

  it('answers 404 when no group matches at all', async () => {
    // This data has no default group, so a machine with unknown labels matches nothing.
    for (const path of [
      '/ipxe?mac=52:54:00:ff:ff:ff',
      '/metadata',
      '/ignition?mac=garbage',
      '/grub?MAC=52:54:00:00:00:01',
    ])
      assert.equal((await text(path)).status, 404, path);
  });

  it('answers GET and HEAD only', async () => {
    const post = await fetch(`${server.url}/ipxe?mac=${NODE1}`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const head = await fetch(`${server.url}/ipxe?mac=${NODE1}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.ok(Number(head.headers.get('content-length')) > 50);
  });

  it('limits the request target and the request head', async () => {
    assert.equal((await text(`/ipxe?mac=${NODE1}&pad=${'x'.repeat(5000)}`)).status, 414);
    assert.equal((await rawHttpRequest(server.url, rawGet('/', `X-Big: ${'y'.repeat(10_000)}\r\n`))).status, 431);
    assert.equal((await rawHttpRequest(server.url, 'NOT HTTP AT ALL\r\n\r\n')).status, 400);
    assert.equal((await text('/')).status, 200);
  });

  it('serves /assets/ from the assets path, with ranges, and never outside it', async () => {
    assert.deepEqual(await text('/assets/flatcar/vmlinuz'), {
      status: 200,
      body: 'KERNEL-BYTES-0123456789',
      type: 'application/octet-stream',
    });
    const range = await fetch(`${server.url}/assets/flatcar/vmlinuz`, { headers: { Range: 'bytes=0-5' } });
    assert.equal(range.status, 206);
    assert.equal(await range.text(), 'KERNEL');
    // As Go's mux: an unclean path is redirected to the clean one, which no longer lies under /assets/.
    const redirects: [string, string][] = [
      ['/assets/../groups/node1.json', '/groups/node1.json'],
      ['/assets/flatcar/../../etc/passwd', '/etc/passwd'],
      ['/assets/%2e%2e/%2e%2e/etc/passwd', '/etc/passwd'],
      ['/assets/..%2f..%2fetc%2fpasswd', '/etc/passwd'],
    ];
    for (const [target, location] of redirects) {
      const answer = await rawHttpRequest(server.url, rawGet(target));
      assert.equal(answer.status, 301, target);
      assert.equal(/\r\nlocation: ([^\r]*)\r\n/i.exec(answer.text)?.[1], location, target);
      assert.doesNotMatch(answer.text, /root:|private|"id"/, target);
    }
    for (const target of [
      '/assets/flatcar/vmlinuz%00.txt',
      '/assets/.hidden',
      '/assets/flatcar/',
      '/assets/',
      '/assets/flatcar/missing',
    ]) {
      const answer = await rawHttpRequest(server.url, rawGet(target));
      assert.ok(answer.status === 404 || answer.status === 400, `${target}: ${answer.status}`);
      assert.doesNotMatch(answer.text, /root:|private|"id"/, target);
    }
  });

  it('refuses symbolic links that leave the assets root, and serves those that stay inside it', async () => {
    for (const target of ['/assets/passwd', '/assets/flatcar/etc/passwd', '/assets/hidden-link']) {
      for (const method of ['GET', 'HEAD']) {
        const answer = await fetch(`${server.url}${target}`, { method });
        const body = await answer.text();
        assert.equal(answer.status, 404, `${method} ${target}`);
        assert.doesNotMatch(body, /root:|private/, target);
      }
    }
    assert.equal((await text('/assets/flatcar/current')).body, 'KERNEL-BYTES-0123456789');
  });

  it('never logs metadata values, even when rendering fails', () => {
    assert.ok(
      log.lines().some((line) => line.msg === 'the template failed to render'),
      'render failures are logged',
    );
    assert.ok(!log.text().includes(SECRET), 'the secret value appears in the log');
  });

  it('answers from the new data after a change on disk, without a restart, though the old answer was cached', async () => {
    // Asked twice: the second answer comes from the snapshot's answer cache, which the change must not outlive.
    for (let ask = 0; ask < 2; ask += 1)
      assert.equal((await text(`/generic?mac=${NODE1}`)).body, `HOSTNAME=node1.example.com\nMAC=${NODE1}\n`);
    await writeFile(join(server.dataPath, 'generic', 'worker.env'), 'CHANGED={{.hostname}}\n');
    await waitFor(
      'the changed template to be served',
      async () => ((await text(`/generic?mac=${NODE1}`)).body === 'CHANGED=node1.example.com\n' ? true : undefined),
      5000,
    );
  });

  it('answers a repeated request exactly as the first time: status, headers but the date, and body, in bytes', async () => {
    // The second answer is written from the answer cache, with headers made when it was kept; a byte count of a
    // non-ASCII body (the hostname) shows a length counted in bytes, not characters.
    await writeFile(join(server.dataPath, 'generic', 'worker.env'), 'HOSTNAME={{.hostname}}\nGREETING=grüße\n');
    const target = rawGet(`/generic?mac=${NODE1}&ask=repeat`);
    await waitFor(
      'the changed template to be served',
      async () => ((await rawHttpRequest(server.url, target)).text.includes('GREETING=') ? true : undefined),
      5000,
    );
    const first = await rawHttpRequest(server.url, target);
    const second = await rawHttpRequest(server.url, target);
    const withoutDate = (answer: string) => answer.replace(/^Date: .*\r\n/m, '');
    assert.equal(first.status, 200);
    assert.equal(withoutDate(second.text), withoutDate(first.text));
    const [head = '', body = ''] = first.text.split('\r\n\r\n');
    assert.match(head, /^Content-Type: text\/plain; charset=utf-8$/m);
    assert.equal(
      Number(/^Content-Length: (\d+)$/m.exec(head)?.[1]),
      Buffer.byteLength('HOSTNAME=node1.example.com\nGREETING=grüße\n'),
    );
    assert.equal(Buffer.from(body, 'latin1').toString('utf8'), 'HOSTNAME=node1.example.com\nGREETING=grüße\n');
  });

  it('finds a kept answer by its request target as sent, and for GET and HEAD only', async () => {
    const target = `/ipxe?mac=${NODE1}&ask=kept`;
    const first = await text(target);
    assert.equal(first.status, 200);
    // Kept now: asked again, and by another method, which is refused as before the answer was kept.
    assert.deepEqual(await text(target), first);
    const post = await fetch(`${server.url}${target}`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    const head = await fetch(`${server.url}${target}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    // Other spellings of the same request are answered afresh, alike; a malformed path is refused each time.
    const spelled = await rawHttpRequest(server.url, rawGet(`/ipx%65?mac=${NODE1}&ask=kept`));
    assert.equal(spelled.status, 200);
    assert.ok(spelled.text.endsWith(first.body));
    for (let ask = 0; ask < 2; ask += 1) {
      assert.equal((await rawHttpRequest(server.url, rawGet(`/ipx%zz?mac=${NODE1}&ask=kept`))).status, 400);
      // A refusal is not kept: an unknown MAC answers 404 again, and is logged again.
      assert.equal((await text(`/ipxe?mac=52:54:00:00:00:99&ask=kept`)).status, 404);
    }
  });

  async function text(path: string): Promise<{ status: number; body: string; type: string | null }> {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
  }
});

describe('boot server without an assets path', () => {
  it('answers 404 under /assets/', async () => {
    const server = await startTestBootServer({ contents: { groups: [aGroup({ selector: {} })] } });
    try {
      assert.equal((await server.get('/assets/anything')).status, 404);
    } finally {
      await server.close();
    }
  });
});
