// Strata's boot server and matchbox v0.11.0 (built from Go modules) side by
// side on the same generated data directories, asked the same requests. Any
// difference not in DELIBERATE_DIFFERENCES fails; the tally of matched answers
// per endpoint is printed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveBinary } from '@strata/binaries';
import { ButaneTranslator } from '../answers/butane.ts';
import { silentLogger } from '../logging.ts';
import { startBootServer } from '../server/boot-server.ts';
import { DataDirectoryStore } from '../store/directory-store.ts';
import { temporaryDirectory, writeFiles } from '../testing/data-dir.ts';
import { rawGet, rawHttpRequest } from '../testing/raw-http.ts';
import type { Random } from '../testing/random.ts';
import { DELIBERATE_DIFFERENCES, type ComparedAnswer } from './deliberate-differences.ts';
import { ASSET_FILES, ENDPOINTS, generateCase } from './generator.ts';
import { startMatchbox } from './matchbox-process.ts';

/** Data directories per run, and their seeds: 8 × 100 requests keep the test within a few seconds. */
const SEEDS = [17, 4242, 90_001, 123_457, 7, 31_337, 2_026, 65_521];

/** A small seeded generator (mulberry32), so that a failing seed replays exactly. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(items.length)] as T;
    },
    chance: (probability) => next() < probability,
  };
}

async function ask(base: string, target: string): Promise<ComparedAnswer> {
  const answer = await rawHttpRequest(base, rawGet(target));
  const location = /\r\nlocation: ([^\r]*)\r\n/i.exec(answer.text)?.[1];
  const body = Buffer.from(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4), 'latin1').toString('utf8');
  return { status: answer.status, body, ...(location === undefined ? {} : { location }) };
}

/** matchbox writes /metadata lines in Go's random map order; compare them as a set. */
function normalized(endpoint: string, answer: ComparedAnswer): ComparedAnswer {
  if (endpoint !== '/metadata') return answer;
  return { ...answer, body: answer.body.split('\n').sort().join('\n') };
}

describe('Strata’s boot server against matchbox v0.11.0 (differential)', () => {
  it(`answers as matchbox does but for the deliberate differences (${SEEDS.length} data directories)`, async (t) => {
    const [matchboxPath, butanePath] = await Promise.all([resolveBinary('matchbox'), resolveBinary('butane')]);
    const butane = new ButaneTranslator({ butanePath });
    const tally = new Map<string, { matched: number; deliberate: number; total: number }>(
      ENDPOINTS.map((endpoint) => [endpoint, { matched: 0, deliberate: 0, total: 0 }]),
    );
    const unexpected: string[] = [];
    for (const seed of SEEDS) {
      const generated = generateCase(seeded(seed));
      const data = await temporaryDirectory('strata-differential-');
      await writeFiles(data.path, Object.fromEntries(generated.files));
      const assetsPath = join(data.path, 'assets');
      await writeFiles(assetsPath, Object.fromEntries(ASSET_FILES));
      const matchbox = await startMatchbox(matchboxPath, data.path, assetsPath);
      const store = await DataDirectoryStore.open({ dataPath: data.path, logger: silentLogger(), watch: false });
      const strata = await startBootServer({
        address: '127.0.0.1:0',
        store,
        butane,
        assetsPath,
        listAssetDirectories: true,
        logger: silentLogger(),
      });
      try {
        for (const request of generated.requests) {
          const target = `${request.path}${request.subpath ?? ''}${request.query === '' ? '' : `?${request.query}`}`;
          const [theirs, ours] = await Promise.all([ask(matchbox.url, target), ask(strata.url, target)]);
          const counts = tally.get(request.path);
          if (counts === undefined) continue;
          counts.total += 1;
          const a = normalized(request.path, theirs);
          const b = normalized(request.path, ours);
          if (a.status === b.status && a.body === b.body && a.location === b.location) {
            counts.matched += 1;
            continue;
          }
          const known = DELIBERATE_DIFFERENCES.find((difference) => difference.matches(request.path, a, b));
          if (known !== undefined) {
            counts.deliberate += 1;
            continue;
          }
          if (unexpected.length < 5)
            unexpected.push(
              `seed ${seed} ${target}: matchbox ${a.status} ${JSON.stringify(a.body.slice(0, 300))}, ` +
                `strata ${b.status} ${JSON.stringify(b.body.slice(0, 300))}`,
            );
          else unexpected.push(`seed ${seed} ${target}`);
        }
      } finally {
        await strata.close();
        await store.close();
        await matchbox.stop();
        await data.remove();
      }
    }
    for (const [endpoint, { matched, deliberate, total }] of tally)
      t.diagnostic(`${endpoint}: ${matched}/${total} matched, ${deliberate} deliberate differences`);
    assert.deepEqual(unexpected, []);
    assert.ok(
      [...tally.values()].every(({ total }) => total > 0),
      'every endpoint was asked',
    );
  });
});
