// Benchmark: the Nodes page with 5,000 nodes (issue 16), in headless Chromium against a real kube-apiserver and etcd
// (@strata/harness), the console's production build served over HTTPS by `console serve`, signed in as a user who
// may patch and drain nodes (so every row carries its action buttons). The Nodes are the local platform's simulated
// workers as the API server holds them (no node runs). It measures:
// - time to first full render of /nodes: from the navigation's start (performance.timeOrigin) until the page shows
//   the total ("5000 nodes") and the first node's row, read in the page on every animation frame;
// - watch event to DOM: label and Ready-condition patches on the nodes in view at a bounded rate; the benchmark takes
//   Date.now() just before each PATCH leaves, and a MutationObserver in the page takes Date.now() when the row's cell
//   first reads the new value (same machine, same clock);
// - first-load JavaScript of each page, from the build's own route-bundle statistics, raw and gzipped;
// - the page's JavaScript heap (CDP Performance.getMetrics, before and after a forced GC) and DOM node count.
// Usage (from the root): npm run bench -w console [-- --nodes 5000 --events 200 --rate 10 --loads 5 --json --out results.json --profile events.cpuprofile]
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { LABELS } from '@strata/api';
import { HarnessCluster, startControlPlane } from '@strata/harness';
import { CONSOLE_HEALTH_PATH } from '@strata/assets';
import { freePort, httpsRequest, ManagedProcess, SECRET_FILE_MODE, waitFor, writeFileAtomic } from '@strata/host';
import { createSimulatedNodes } from '@strata/platform-local/testing';
import { z } from 'zod';
import { CONSOLE_BUILD_DIR, CONSOLE_DIR, ensureConsoleBuilt } from '../server/build.ts';
import { launchChromium } from '../testing/browser.ts';
import { createUser, patchNodeMetadata, setNodeReady } from '../testing/fixtures.ts';
import { signInWithToken } from '../testing/session.ts';
import { createTestTls } from '../testing/test-tls.ts';
import { heaviestFunctions, type CpuProfile } from './profile.ts';
import { distribution, type Distribution } from './stats.ts';

// The page's globals, as far as the callbacks run in Chromium use them (this project has Node's types, not the DOM's).
declare const document: {
  readonly body: unknown;
  querySelector(selector: string): { readonly textContent: string | null } | null;
};
declare const MutationObserver: new (callback: () => void) => {
  observe(target: unknown, options: Readonly<Record<string, boolean>>): void;
};
declare const window: Record<string, unknown>;

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    events: { type: 'string', default: '200' },
    rate: { type: 'string', default: '10' },
    loads: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    /** Chromium's CPU profile of the watch events' phase (a .cpuprofile for DevTools), and its heaviest functions. */
    profile: { type: 'string' },
  },
});
const count = Number(values.nodes);
const eventCount = Number(values.events);
const rate = Number(values.rate);
const loads = Number(values.loads);
for (const [name, value] of [
  ['nodes', count],
  ['events', eventCount],
  ['loads', loads],
] as const)
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
if (!Number.isFinite(rate) || rate <= 0) throw new Error(`--rate must be above 0, got ${values.rate}`);

/** The nodes in view that the watch events change, round robin: a change is only drawn for a row in the DOM. */
const CHANGED_ROWS = 10;
const say = (line: string): void => {
  if (!values.json) process.stdout.write(`${line}\n`);
};
const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)}s`;
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const loadBefore = loadavg().map((load) => load.toFixed(2));
say(`machine: ${machine}; load average ${loadBefore.join(' ')} (shared machine)`);

const routeStatsSchema = z.array(
  z.object({ route: z.string(), firstLoadUncompressedJsBytes: z.number(), firstLoadChunkPaths: z.array(z.string()) }),
);

/** First-load JS of every page: the chunks the build says each route loads first, summed raw and gzipped. */
async function firstLoadJs(): Promise<{ route: string; rawBytes: number; gzipBytes: number }[]> {
  const stats = routeStatsSchema.parse(
    JSON.parse(await readFile(join(CONSOLE_BUILD_DIR, 'diagnostics', 'route-bundle-stats.json'), 'utf8')),
  );
  const gzipped = new Map<string, number>();
  const gzipOf = async (path: string): Promise<number> => {
    const known = gzipped.get(path);
    if (known !== undefined) return known;
    const size = gzipSync(await readFile(join(CONSOLE_DIR, path))).length;
    gzipped.set(path, size);
    return size;
  };
  const pages = [];
  for (const route of stats.filter((entry) => !entry.route.startsWith('/api') && entry.route !== '/_not-found')) {
    let gzipBytes = 0;
    for (const path of route.firstLoadChunkPaths) gzipBytes += await gzipOf(path);
    pages.push({ route: route.route, rawBytes: route.firstLoadUncompressedJsBytes, gzipBytes });
  }
  return pages.sort((a, b) => a.route.localeCompare(b.route));
}

const dir = await mkdtemp(join(tmpdir(), 'strata-console-bench-'));
const [plane] = await Promise.all([startControlPlane({ releaseWithProcess: true }), ensureConsoleBuilt()]);
let server: ManagedProcess | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
try {
  const cluster = new HarnessCluster(plane.info);
  const admin = cluster.adminKubeConfig();
  say(`[${elapsed()}] control plane up, console built`);
  const createStarted = performance.now();
  const nodes = await createSimulatedNodes(admin, { count, prefix: 'bench', concurrency: 32 });
  const createSeconds = (performance.now() - createStarted) / 1000;
  say(`[${elapsed()}] ${nodes.length} Nodes created in ${createSeconds.toFixed(1)} s`);
  const names = nodes.map((node) => node.metadata?.name ?? '').sort((a, b) => a.localeCompare(b));
  const operator = await createUser(admin, 'default', 'bench-operator', [
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [''], resources: ['pods', 'events'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  ]);

  const tls = await createTestTls(dir);
  await writeFileAtomic(join(dir, 'tls.crt'), tls.server.certificatePem);
  await writeFileAtomic(join(dir, 'tls.key'), tls.server.privateKeyPem, SECRET_FILE_MODE);
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  server = ManagedProcess.start({
    name: 'console',
    command: process.execPath,
    args: [
      // With --profile, the console's own process is profiled too (written when it exits, summed after).
      ...(values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'server-profile')}`]),
      join(CONSOLE_DIR, 'bin', 'console.ts'),
      'serve',
      '--host=127.0.0.1',
      `--port=${port}`,
      `--tls-cert-file=${join(dir, 'tls.crt')}`,
      `--tls-key-file=${join(dir, 'tls.key')}`,
    ],
    env: {
      PATH: process.env['PATH'] ?? '',
      STRATA_CONSOLE_KUBECONFIG: cluster.kubeconfigPath,
      STRATA_CONSOLE_SESSION_SECRET: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
    },
    logFile: join(dir, 'console.log'),
  });
  const serving = server;
  await waitFor(
    'the console to answer its health route',
    async () => {
      if (!serving.running) throw await serving.failure('console serve exited');
      const answer = await httpsRequest(`${url}${CONSOLE_HEALTH_PATH}`, { ca: tls.caPem }).catch(() => undefined);
      return answer?.status === 200 ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  browser = await launchChromium({ trustedSpki: [tls.serverSpki] });
  const { page } = await signInWithToken(browser, url, operator.token);
  say(`[${elapsed()}] signed in over HTTPS`);

  // Time to first full render, `loads` times (the first after sign-in has loaded the page's code once).
  const first = names[0] ?? '';
  const renders: number[] = [];
  // Where a render's time went, from the navigation's own timing: the HTML's last byte, the end of
  // DOMContentLoaded (the page's scripts run), then the stream's list of every node and the table.
  const htmlDone: number[] = [];
  const scriptsDone: number[] = [];
  for (let load = 0; load < loads; load += 1) {
    await page.goto('/nodes', { waitUntil: 'commit' });
    const handle = await page.waitForFunction(
      ([total, row]) => {
        const shown = document.querySelector('[data-testid="node-count"]')?.textContent === total;
        if (!shown || document.querySelector(`tr[data-node="${row}"]`) === null) return false;
        const [navigation] = (performance.getEntriesByType as (type: string) => unknown[])('navigation') as {
          readonly responseEnd: number;
          readonly domContentLoadedEventEnd: number;
        }[];
        return [
          performance.now(),
          navigation?.responseEnd ?? Number.NaN,
          navigation?.domContentLoadedEventEnd ?? Number.NaN,
        ];
      },
      [`${count} nodes`, first] as const,
      { polling: 'raf', timeout: 120_000 },
    );
    const [rendered = Number.NaN, html = Number.NaN, scripts = Number.NaN] = (await handle.jsonValue()) as number[];
    renders.push(rendered);
    htmlDone.push(html);
    scriptsDone.push(scripts);
    say(
      `  load ${load + 1}: first full render at ${rendered.toFixed(0)} ms (HTML by ${html.toFixed(0)} ms, scripts run by ${scripts.toFixed(0)} ms)`,
    );
  }

  // The page's memory with every node loaded: as it stands, then what a full GC keeps.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const live = await metric();
  await cdp.send('HeapProfiler.collectGarbage');
  const collected = await metric();
  const memory = {
    jsHeapUsedMiB: (live['JSHeapUsedSize'] ?? Number.NaN) / 2 ** 20,
    jsHeapTotalMiB: (live['JSHeapTotalSize'] ?? Number.NaN) / 2 ** 20,
    jsHeapUsedAfterGcMiB: (collected['JSHeapUsedSize'] ?? Number.NaN) / 2 ** 20,
    domNodes: collected['Nodes'] ?? Number.NaN,
  };

  // Watch event to DOM: a MutationObserver in the page stamps each expected cell text when it first appears. To split
  // the latency, the tab's EventSource is wrapped (before the page's own code runs) to stamp the stream message that
  // carries the change: patch → message is the API server's watch, the console's informer and the stream; message →
  // DOM is the page's own work (the frame's batch, sorting, the table's row model, React).
  await page.context().addInitScript(() => {
    const wire = new Map<number, readonly string[]>();
    const wireSeen = new Map<number, number>();
    window['benchWire'] = wire;
    window['benchWireSeen'] = () => [...wireSeen];
    const Original = window['EventSource'] as new (url: string) => {
      addEventListener(type: string, listener: (event: { data: string }) => void): void;
    };
    window['EventSource'] = class extends Original {
      constructor(url: string) {
        super(url);
        this.addEventListener('message', ({ data }) => {
          const now = Date.now();
          for (const [id, fragments] of wire) {
            if (!fragments.every((fragment) => data.includes(fragment))) continue;
            wireSeen.set(id, now);
            wire.delete(id);
          }
        });
      }
    };
  });
  await page.goto('/nodes');
  await page.waitForFunction(
    (total) => document.querySelector('[data-testid="node-count"]')?.textContent === total,
    `${count} nodes`,
    { timeout: 120_000 },
  );
  await page.evaluate(() => {
    const pending = new Map<number, { selector: string; text: string }>();
    const seen = new Map<number, number>();
    window['benchExpect'] = (id: number, selector: string, text: string, fragments: readonly string[]) => {
      pending.set(id, { selector, text });
      (window['benchWire'] as Map<number, readonly string[]>).set(id, fragments);
    };
    window['benchSeen'] = () => [...seen];
    new MutationObserver(() => {
      const now = Date.now();
      for (const [id, { selector, text }] of pending) {
        if (document.querySelector(selector)?.textContent !== text) continue;
        seen.set(id, now);
        pending.delete(id);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  if (values.profile !== undefined) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const targets = names.slice(0, CHANGED_ROWS);
  const ready = new Map(targets.map((name) => [name, true]));
  const sent = new Map<number, number>();
  const patches: Promise<void>[] = [];
  const eventsStarted = performance.now();
  for (let id = 0; id < eventCount; id += 1) {
    await sleep(Math.max(0, eventsStarted + (id * 1000) / rate - performance.now()));
    const node = targets[id % targets.length] ?? '';
    // Alternate label changes (the update agent's version label) and Ready flips (a kubelet's status patch).
    const label = Math.floor(id / targets.length) % 2 === 0;
    const nowReady = !(ready.get(node) ?? true);
    const [column, text] = label ? ['osVersion', `bench-${id}`] : ['status', nowReady ? 'Ready' : 'NotReady'];
    // The stream's row for the change: its name, and the field as the row schema spells it.
    const fragments = [`"name":"${node}"`, label ? `"osVersion":"${text}"` : `"ready":"${text}"`];
    await page.evaluate(
      ([eventId, selector, expected, wireFragments]) => {
        (window['benchExpect'] as (id: number, selector: string, text: string, fragments: readonly string[]) => void)(
          eventId,
          selector,
          expected,
          wireFragments,
        );
      },
      [id, `tr[data-node="${node}"] td[data-column="${column}"]`, text, fragments] as const,
    );
    sent.set(id, Date.now());
    if (label) patches.push(patchNodeMetadata(admin, node, { labels: { [LABELS.version]: text } }));
    else {
      ready.set(node, nowReady);
      patches.push(setNodeReady(admin, node, nowReady ? 'True' : 'False'));
    }
  }
  await Promise.all(patches);
  const seenAt = new Map<number, number>();
  await waitFor(
    'every change to reach the page',
    async () => {
      const seen = await page.evaluate(() => (window['benchSeen'] as () => [number, number][])());
      for (const [id, at] of seen) seenAt.set(id, at);
      return seenAt.size === eventCount ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  ).catch(() => undefined);
  const latencies = [...seenAt].flatMap(([id, at]) => {
    const before = sent.get(id);
    return before === undefined ? [] : [at - before];
  });
  if (values.profile !== undefined) {
    const { profile } = await cdp.send('Profiler.stop');
    await writeFile(values.profile, JSON.stringify(profile));
    say(`CPU profile of the events' phase: ${values.profile}; heaviest functions by self time:`);
    for (const [name, ms] of heaviestFunctions(profile, 15)) say(`  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  }
  const wireAt = new Map(await page.evaluate(() => (window['benchWireSeen'] as () => [number, number][])()));
  const toWire = [...wireAt].flatMap(([id, at]) => {
    const before = sent.get(id);
    return before === undefined ? [] : [at - before];
  });
  const wireToDom = [...seenAt].flatMap(([id, at]) => {
    const message = wireAt.get(id);
    return message === undefined ? [] : [at - message];
  });

  const results = {
    machine,
    loadAverage: { before: loadBefore, after: loadavg().map((load) => load.toFixed(2)) },
    nodes: count,
    createSeconds,
    firstFullRenderMs: distribution(renders),
    htmlDoneMs: distribution(htmlDone),
    scriptsDoneMs: distribution(scriptsDone),
    rendersMs: renders,
    watchToDom: {
      events: eventCount,
      ratePerSecond: rate,
      missing: eventCount - latencies.length,
      ms: distribution(latencies),
      patchToMessageMs: distribution(toWire),
      messageToDomMs: distribution(wireToDom),
    },
    memory,
    firstLoadJs: await firstLoadJs(),
  };
  if (values.out !== undefined) await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else printTable(results.firstFullRenderMs, results.watchToDom, memory, results.firstLoadJs);
  say(`load average after: ${results.loadAverage.after.join(' ')}`);
} finally {
  await browser?.close();
  await server?.stop();
  if (values.profile !== undefined && server !== undefined) {
    const profiles = await readdir(join(dir, 'server-profile')).catch(() => []);
    for (const file of profiles) {
      const profile = JSON.parse(await readFile(join(dir, 'server-profile', file), 'utf8')) as CpuProfile;
      await writeFile(`${values.profile}.server.cpuprofile`, JSON.stringify(profile));
      say(`the console server's CPU profile (the whole run): ${values.profile}.server.cpuprofile; heaviest functions:`);
      for (const [name, ms] of heaviestFunctions(profile, 15)) say(`  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
    }
  }
  await plane.stop();
  await rm(dir, { recursive: true, force: true });
}

function printTable(
  render: Distribution,
  watch: {
    events: number;
    ratePerSecond: number;
    missing: number;
    ms: Distribution;
    patchToMessageMs: Distribution;
    messageToDomMs: Distribution;
  },
  memory: Record<string, number>,
  js: { route: string; rawBytes: number; gzipBytes: number }[],
): void {
  const ms = (value: number): string => `${value.toFixed(0)} ms`;
  say('');
  say(`Nodes page, ${count} nodes                    p50        p95        max`);
  say(
    `first full render (${render.count} loads)`.padEnd(40) +
      `${ms(render.p50).padStart(7)}${ms(render.p95).padStart(11)}${ms(render.max).padStart(11)}`,
  );
  say(
    `watch event → DOM (${watch.events} at ${watch.ratePerSecond}/s)`.padEnd(40) +
      `${ms(watch.ms.p50).padStart(7)}${ms(watch.ms.p95).padStart(11)}${ms(watch.ms.max).padStart(11)}` +
      (watch.missing === 0 ? '' : `  (${watch.missing} never seen)`),
  );
  for (const [part, values] of [
    ['  PATCH sent → stream message', watch.patchToMessageMs],
    ['  stream message → DOM', watch.messageToDomMs],
  ] as const)
    say(`${part.padEnd(40)}${ms(values.p50).padStart(7)}${ms(values.p95).padStart(11)}${ms(values.max).padStart(11)}`);
  say('');
  say(
    `JS heap: ${memory['jsHeapUsedMiB']?.toFixed(1)} MiB used of ${memory['jsHeapTotalMiB']?.toFixed(1)} MiB, ` +
      `${memory['jsHeapUsedAfterGcMiB']?.toFixed(1)} MiB after a full GC; ${memory['domNodes']} DOM nodes`,
  );
  say('');
  say('first-load JS                                      raw       gzip');
  for (const page of js)
    say(
      `${page.route.padEnd(44)}${`${(page.rawBytes / 1024).toFixed(0)} KiB`.padStart(11)}${`${(page.gzipBytes / 1024).toFixed(0)} KiB`.padStart(11)}`,
    );
}
