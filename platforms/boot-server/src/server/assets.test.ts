// /assets/ answers as matchbox's Go file server does (its mux's path cleaning
// included); each expectation is the answer matchbox v0.11.0 gives.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporaryDirectory, type TemporaryDirectory } from '../testing/data-dir.ts';
import { rawGet, rawHttpRequest } from '../testing/raw-http.ts';
import { startTestBootServer, type TestBootServer } from '../testing/test-server.ts';

interface Head {
  readonly status: number;
  readonly location?: string;
  readonly body: string;
}

async function head(server: TestBootServer, target: string, method = 'GET'): Promise<Head> {
  const answer = await rawHttpRequest(server.url, rawGet(target).replace(/^GET/, method));
  const location = /\r\nlocation: ([^\r]*)\r\n/i.exec(answer.text)?.[1];
  const body = answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4);
  return { status: answer.status, ...(location === undefined ? {} : { location }), body };
}

describe('/assets/ as Go’s file server', () => {
  let assets: TemporaryDirectory;
  let server: TestBootServer;
  let listing: TestBootServer;

  before(async () => {
    assets = await temporaryDirectory();
    await mkdir(join(assets.path, 'flatcar', 'current'), { recursive: true });
    await mkdir(join(assets.path, 'site'));
    await mkdir(join(assets.path, '.private'));
    await writeFile(join(assets.path, 'flatcar', 'current', 'vmlinuz'), 'KERNEL');
    await writeFile(join(assets.path, 'flatcar', 'a&b <c>.txt'), 'x');
    await writeFile(join(assets.path, 'flatcar', 'x:y'), 'colon');
    await writeFile(join(assets.path, 'flatcar', '.hidden'), 'private');
    await writeFile(join(assets.path, 'site', 'index.html'), '<h1>site</h1>');
    server = await startTestBootServer({ assetsPath: assets.path });
    listing = await startTestBootServer({ assetsPath: assets.path, listAssetDirectories: true });
  });
  after(async () => {
    await server.close();
    await listing.close();
    await assets.remove();
  });

  it('redirects a directory without a trailing slash, relatively, keeping the query', async () => {
    assert.deepEqual(await head(server, '/assets/flatcar/current?x=1'), {
      status: 301,
      location: 'current/?x=1',
      body: '',
    });
  });

  it('redirects a file asked for with a trailing slash to the file', async () => {
    assert.deepEqual(await head(server, '/assets/flatcar/current/vmlinuz/'), {
      status: 301,
      location: '../vmlinuz',
      body: '',
    });
  });

  it('redirects ".../index.html" to "./" and serves a directory by its index.html', async () => {
    assert.deepEqual(await head(server, '/assets/site/index.html'), { status: 301, location: './', body: '' });
    const page = await server.get('/assets/site/');
    assert.deepEqual([page.status, page.body], [200, '<h1>site</h1>']);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  });

  it('redirects an unclean path and "/assets" to the clean one, with Go’s body for GET and none for HEAD', async () => {
    assert.deepEqual(await head(server, '/assets/flatcar/./current//vmlinuz?a=b'), {
      status: 301,
      location: '/assets/flatcar/current/vmlinuz?a=b',
      body: '<a href="/assets/flatcar/current/vmlinuz?a=b">Moved Permanently</a>.\n\n',
    });
    assert.deepEqual(await head(server, '/assets', 'HEAD'), { status: 301, location: '/assets/', body: '' });
    assert.deepEqual(await head(server, '/assets/a%20b/../c%21'), {
      status: 301,
      location: '/assets/c%21',
      body: '<a href="/assets/c%21">Moved Permanently</a>.\n\n',
    });
  });

  it('lists no directory by default', async () => {
    assert.equal((await server.get('/assets/flatcar/')).status, 404);
    assert.equal((await server.get('/assets/')).status, 404);
  });

  it('lists a directory as Go does when told to, without dotfiles', async () => {
    const page = await listing.get('/assets/flatcar/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(
      page.body,
      '<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n' +
        '<a href="a&b%20%3Cc%3E.txt">a&amp;b &lt;c&gt;.txt</a>\n' +
        '<a href="current/">current/</a>\n' +
        '<a href="./x:y">x:y</a>\n' +
        '</pre>\n',
    );
    const root = await listing.get('/assets/');
    assert.equal(root.body.includes('.private'), false);
    assert.equal((await listing.get('/assets/.private/')).status, 404);
  });
});
