// Fuzzing the read side with malformed queries, MACs and paths: every answer
// must be 2xx or 4xx, and the server must still answer correctly afterwards.
// Drawn by fast-check: a failure prints the seed and path that replay it.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { aGroup, aProfile, anIgnitionConfig } from '../testing/builders.ts';
import { BOOT_PATHS } from './boot-answers.ts';
import { temporaryDirectory, type TemporaryDirectory } from '../testing/data-dir.ts';
import { withoutEmptyObjects } from '../testing/go-json.ts';
import fc from 'fast-check';
import { randomOf, type Random } from '../testing/random.ts';
import { rawGet, rawHttpRequest } from '../testing/raw-http.ts';
import { startTestBootServer, type TestBootServer } from '../testing/test-server.ts';

/** Sent 16 at a time: one fast-check run draws one batch. */
const BATCH = 16;
const REQUESTS = 4000;
const RAW_REQUESTS = 300;

const ENDPOINTS = [...BOOT_PATHS, '/assets/', '/assets/kernel'];
const KEYS = [
  'mac',
  'MAC',
  'Mac',
  'uuid',
  'os',
  'hostname',
  'serial',
  'arch',
  'domain',
  '__proto__',
  'constructor',
  '',
  'request',
  'a;b',
  'mac[]',
];

function macLike(random: Random): string {
  const hex = () =>
    random
      .int(256)
      .toString(16)
      .padStart(2, random.pick(['0', 'g']));
  const separator = random.pick([':', '-', '.', '', '::', ' ', '%3A']);
  const count = random.pick([6, 6, 6, 5, 7, 8, 20, 0, 1]);
  let mac = Array.from({ length: count }, hex).join(separator);
  if (random.chance(0.3)) mac = mac.toUpperCase();
  if (random.chance(0.1)) mac += random.pick(['%00', '%ff', '\u00e9', 'x'.repeat(random.int(300))]);
  return mac;
}

function junk(random: Random): string {
  const pieces = [
    '%00',
    '%ff%fe',
    '%c3%28',
    '%e2%82',
    '%',
    '%z',
    '%2',
    '%%',
    '+',
    '&',
    '=',
    ';',
    '..',
    '../',
    '..%2f',
    '%2e%2e%2f',
    '/',
    '\\',
    '%5c',
    '{{.mac}}',
    '{{',
    '}}',
    '$',
    '"',
    "'",
    '<script>',
    '%0d%0aX-Injected:%201',
    '%u0041',
    '\u00ff',
    '~',
    '#',
    '?',
    '*',
  ];
  let text = '';
  const length = random.int(12);
  for (let i = 0; i < length; i += 1)
    text += random.chance(0.5) ? random.pick(pieces) : String.fromCharCode(0x21 + random.int(0x5e));
  if (random.chance(0.05)) text += 'A'.repeat(random.int(6000));
  return text.replaceAll('#', '%23');
}

function fuzzTarget(random: Random): string {
  let path = random.pick(ENDPOINTS);
  if (random.chance(0.25)) path += junk(random);
  if (random.chance(0.1))
    path = random.pick([
      '//ipxe',
      '/./ipxe',
      '/ipxe/..',
      '/assets/../groups/node1.json',
      '/assets/%2e%2e/%2e%2e/etc/passwd',
      '/%69pxe',
      '/ipxe%00',
      '/assets/kernel%00.png',
    ]);
  const pairs: string[] = [];
  const count = random.int(6);
  for (let i = 0; i < count; i += 1) {
    const key = random.chance(0.8) ? random.pick(KEYS) : junk(random);
    const value = key.toLowerCase() === 'mac' || random.chance(0.2) ? macLike(random) : junk(random);
    pairs.push(random.chance(0.1) ? key : `${key}=${value}`);
  }
  // Node's client refuses characters outside 0x21-0xff in a path; send those percent-encoded, as a client would.
  const query = pairs.join('&').replace(/[^\u0021-\u00ff]/gu, (char) => encodeURIComponent(char));
  return query === '' && random.chance(0.5) ? path : `${path}?${query}`;
}

const MALFORMED_REQUESTS = [
  'GET\r\n\r\n',
  'GET / HTTP/9.9\r\n\r\n',
  'GET /ipxe?mac=52:54:00:00:00:01 HTTP/1.1\r\n\r\n', // no Host header
  'GET /ipx e HTTP/1.1\r\nHost: b\r\n\r\n',
  'GET /ipxe\0 HTTP/1.1\r\nHost: b\r\n\r\n',
  'GET /\r\nHost: b\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: b\r\nBad Header: x\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: b\r\nContent-Length: -1\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: b\r\n\r\n`,
  'BREW /coffee HTTP/1.1\r\nHost: b\r\n\r\n',
  'DELETE /ipxe HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n',
  'GET http://evil.example/ipxe HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n',
  'GET * HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n',
  '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', // a TLS ClientHello on the plain port
];

describe('fuzzing the boot server', () => {
  let server: TestBootServer;
  let assets: TemporaryDirectory;
  before(async () => {
    assets = await temporaryDirectory();
    await mkdir(assets.path, { recursive: true });
    await writeFile(join(assets.path, 'kernel'), 'kernel');
    server = await startTestBootServer({
      assetsPath: assets.path,
      contents: {
        profiles: [
          aProfile({ id: 'worker', generic_id: 'query.env', cloud_id: 'c.yaml' }),
          aProfile({ id: 'default', ignition_id: 'default.ign' }),
        ],
        groups: [
          aGroup({
            id: 'node1',
            profile: 'worker',
            selector: { mac: '52:54:00:00:00:01' },
            metadata: { nested: { list: [1, 2], map: { a: null } } },
          }),
          aGroup({ id: 'default', profile: 'default', selector: {} }),
          aGroup({ id: 'by-os', profile: 'worker', selector: { os: 'installed' } }),
        ],
        ignition: {
          'worker.ign': '{"ignition":{"version":"3.2.0"},"x":"{{.mac}} {{.request.raw_query | urlquery}}"}',
          'default.ign': anIgnitionConfig({ version: '3.0.0' }),
        },
        generic: {
          'query.env':
            '{{range $k, $v := .request.query}}{{printf "%q=%q" $k $v}}\n{{end}}{{index .request.query "os" | len}}',
        },
        cloud: { 'c.yaml': '#cloud-config\nx: {{index .request.query "hostname"}}\n' },
      },
    });
  });
  after(async () => {
    await server.close();
    await assets.remove();
  });

  it(`answers ${REQUESTS} random malformed requests with 2xx or 4xx only`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const { hostname, port } = new URL(server.url);
    const statuses = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(fc.gen(), async (g) => {
          const random = randomOf(g);
          const batch = Array.from({ length: BATCH }, () => ({
            path: fuzzTarget(random),
            method: random.chance(0.05) ? random.pick(['HEAD', 'POST', 'PUT', 'OPTIONS']) : 'GET',
          }));
          await Promise.all(
            batch.map(
              ({ path, method }) =>
                new Promise<void>((resolve, reject) => {
                  const outgoing = request({ host: hostname, port: Number(port), path, method, agent }, (response) => {
                    response.resume();
                    response.on('end', () => {
                      const status = response.statusCode ?? 0;
                      statuses.set(status, (statuses.get(status) ?? 0) + 1);
                      if (status >= 500 || status < 200) reject(new Error(`${method} ${path} answered ${status}`));
                      else resolve();
                    });
                  });
                  outgoing.on('error', (error) => reject(new Error(`${method} ${path}: ${error.message}`)));
                  outgoing.end();
                }),
            ),
          );
        }),
        { numRuns: REQUESTS / BATCH },
      );
    } finally {
      agent.destroy();
    }
    // The corpus reached every kind of answer, so it exercised more than the front door.
    for (const status of [200, 404, 405, 414])
      assert.ok((statuses.get(status) ?? 0) > 0, `no ${status} among ${JSON.stringify([...statuses])}`);
  });

  it(`answers ${RAW_REQUESTS} malformed raw requests with 2xx or 4xx only`, async () => {
    const answers = async (raw: string): Promise<void> => {
      const answer = await rawHttpRequest(server.url, Buffer.from(raw, 'latin1'));
      assert.ok(
        answer.status >= 200 && answer.status < 500,
        `${JSON.stringify(raw.slice(0, 80))} answered ${answer.status}`,
      );
    };
    for (const raw of MALFORMED_REQUESTS) await answers(raw);
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const random = randomOf(g);
        const bytes = Buffer.from(Array.from({ length: 1 + random.int(64) }, () => random.int(256)));
        // Connection: close, as rawGet sends: a well-formed request would otherwise keep its connection open after the answer.
        await answers(
          random.chance(0.5)
            ? rawGet(`/${junk(random)}`.replaceAll(' ', '%20'))
            : Buffer.concat([
                Buffer.from('GET /'),
                bytes,
                Buffer.from(' HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n'),
              ]).toString('latin1'),
        );
      }),
      { numRuns: Math.max(0, RAW_REQUESTS - MALFORMED_REQUESTS.length) },
    );
  });

  it('still answers correctly afterwards', async () => {
    assert.equal((await server.get('/')).body, 'matchbox\n');
    const ipxe = await server.get('/ipxe?mac=52-54-00-00-00-01');
    assert.equal(ipxe.status, 200);
    assert.match(ipxe.body, /^#!ipxe\nkernel /);
    assert.deepEqual(withoutEmptyObjects(JSON.parse((await server.get('/ignition?mac=none')).body)), {
      ignition: { version: '3.4.0' },
    });
  });
});
