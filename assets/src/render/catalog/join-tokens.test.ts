import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { withholdSecrets } from '../../ignition/withhold-secrets.ts';
import { decodeDataUrl } from '../../ignition/data-url.ts';
import { renderConfig } from '../../testing/fixtures.ts';
import type { RenderConfig } from '../render-config.ts';
import { applyRenderPlan, planClusterRender } from '../render.ts';
import { ASSET_PATHS, NODE_PATHS } from '../layout.ts';
import { clusterTopology } from '../../topology/topology.ts';
import { JoinTokenError, joinTokenTargets, parseJoinTokenFile, type JoinTokenFile } from './join-tokens.ts';

const HOUR_MS = 3_600_000;
const T0 = new Date('2026-03-01T10:00:00Z');

async function render(config: RenderConfig, dir: string, now: Date): Promise<void> {
  await applyRenderPlan(await planClusterRender({ config, dir, now }));
}

async function token(dir: string, target: string): Promise<JoinTokenFile> {
  const path = ASSET_PATHS.bootstrapToken(target);
  return parseJoinTokenFile(path, await readFile(join(dir, path), 'utf8'));
}

const secretSchema = z.object({
  kind: z.literal('Secret'),
  metadata: z.object({ name: z.string() }),
  data: z.record(z.string(), z.string()),
});

/** The bootstrap token Secrets of the rendered manifests, their data decoded. */
async function tokenSecrets(dir: string): Promise<Map<string, Record<string, string>>> {
  const text = await readFile(join(dir, ASSET_PATHS.manifest('10-node-bootstrap.yaml')), 'utf8');
  const secrets = new Map<string, Record<string, string>>();
  for (const document of parseAllDocuments(text)) {
    const secret = secretSchema.safeParse(document.toJS());
    if (!secret.success) continue;
    secrets.set(
      secret.data.metadata.name,
      Object.fromEntries(
        Object.entries(secret.data.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
      ),
    );
  }
  return secrets;
}

/** The contents of `path` in a rendered Ignition config. */
function ignitionFile(ignition: string, path: string): string | undefined {
  const config = z
    .object({
      storage: z.object({
        files: z.array(z.object({ path: z.string(), contents: z.object({ source: z.string() }).optional() })),
      }),
    })
    .parse(JSON.parse(ignition));
  const source = config.storage.files.find((file) => file.path === path)?.contents?.source;
  if (source === undefined) return undefined;
  const decoded = decodeDataUrl(source);
  return decoded.ok ? Buffer.from(decoded.value.data).toString('utf8') : undefined;
}

describe('per-machine bootstrap tokens', () => {
  const config = renderConfig({ controllers: { count: 1 }, workerPools: [{ name: 'worker', count: 2 }] });
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-join-tokens-'));
    await render(config, dir, T0);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('issues each machine its own token, bound to its name, expiring after the configured TTL', async () => {
    const names = ['proof-controller-0', 'proof-worker-0', 'proof-worker-1'];
    const tokens = await Promise.all(names.map((name) => token(dir, name)));
    assert.equal(new Set(tokens.map((file) => file.id)).size, 3, 'three distinct token ids');
    const secrets = await tokenSecrets(dir);
    assert.equal(secrets.size, 3);
    tokens.forEach((file, index) => {
      assert.deepEqual(file.target, { kind: 'node', name: names[index] });
      assert.equal(file.expiration, new Date(T0.getTime() + 24 * HOUR_MS).toISOString().replace('.000', ''));
      const secret = secrets.get(`bootstrap-token-${file.id}`);
      assert.equal(secret?.['auth-extra-groups'], `system:bootstrappers:strata:node:${names[index] ?? ''}`);
      assert.equal(secret?.['expiration'], file.expiration);
      assert.equal(secret?.['token-secret'], file.secret);
    });
  });

  it("puts only a machine's own token into its bootstrap kubeconfig and Ignition", async () => {
    const [zero, one] = [await token(dir, 'proof-worker-0'), await token(dir, 'proof-worker-1')];
    const ignition = await readFile(join(dir, ASSET_PATHS.ignition('proof-worker-0')), 'utf8');
    const kubeconfig = ignitionFile(ignition, NODE_PATHS.bootstrapKubeconfig) ?? '';
    const users = z
      .object({ users: z.array(z.object({ user: z.object({ token: z.string() }) })) })
      .parse(parse(kubeconfig)).users;
    assert.deepEqual(
      users.map((entry) => entry.user.token),
      [`${zero.id}.${zero.secret}`],
      'its own token, and only it',
    );
    assert.ok(!ignition.includes(one.secret) && !kubeconfig.includes(one.id), "no other machine's token");
    const asset = await readFile(join(dir, ASSET_PATHS.bootstrapKubeconfig('proof-worker-0')), 'utf8');
    assert.equal(asset, kubeconfig);
  });

  it("withholds a controller's bootstrap kubeconfig from the boot server and serves a worker's", async () => {
    const controller = withholdSecrets(
      await readFile(join(dir, ASSET_PATHS.ignition('proof-controller-0')), 'utf8'),
      'controller',
    );
    assert.ok(controller.withheld.some((file) => file.path === NODE_PATHS.bootstrapKubeconfig));
    assert.equal(ignitionFile(controller.served, NODE_PATHS.bootstrapKubeconfig), undefined);
    const worker = withholdSecrets(await readFile(join(dir, ASSET_PATHS.ignition('proof-worker-0')), 'utf8'), 'worker');
    assert.ok(!worker.withheld.some((file) => file.path === NODE_PATHS.bootstrapKubeconfig));
    assert.notEqual(ignitionFile(worker.served, NODE_PATHS.bootstrapKubeconfig), undefined);
  });

  it('keeps a token across renders until its expiration has passed, then issues a new one', async () => {
    const before = await token(dir, 'proof-worker-0');
    await render(config, dir, new Date(T0.getTime() + 23 * HOUR_MS));
    assert.deepEqual(await token(dir, 'proof-worker-0'), before, 'reused while valid');
    await render(config, dir, new Date(T0.getTime() + 24 * HOUR_MS));
    const after = await token(dir, 'proof-worker-0');
    assert.notEqual(after.id, before.id, 'a new token once expired');
    assert.equal(after.expiration, new Date(T0.getTime() + 48 * HOUR_MS).toISOString().replace('.000', ''));
    const secrets = await tokenSecrets(dir);
    assert.ok(secrets.has(`bootstrap-token-${after.id}`) && !secrets.has(`bootstrap-token-${before.id}`));
  });

  it('issues a new token when a shorter TTL would have it expire sooner', async () => {
    const before = await token(dir, 'proof-worker-1');
    const now = new Date(T0.getTime() + 25 * HOUR_MS);
    await render(config, dir, now);
    assert.deepEqual(await token(dir, 'proof-worker-1'), before, 'rendered at T0+24h, valid until T0+48h');
    await render({ ...config, join: { tokenTtlHours: 2 } }, dir, now);
    const after = await token(dir, 'proof-worker-1');
    assert.notEqual(after.id, before.id);
    assert.equal(after.expiration, new Date(now.getTime() + 2 * HOUR_MS).toISOString().replace('.000', ''));
  });
});

describe('join token targets', () => {
  it('gives a cloud pool sharing one config one token bound to the pool', () => {
    const topology = clusterTopology(renderConfig({ platform: 'aws', workerPools: [{ name: 'gpu', count: 3 }] }));
    assert.deepEqual(
      joinTokenTargets(topology).map((target) => target.target),
      [
        { kind: 'node', name: 'proof-controller-0' },
        { kind: 'pool', name: 'gpu' },
      ],
    );
  });

  it('refuses a name the API server would not accept in a bootstrap group, naming it', () => {
    const topology = clusterTopology(
      renderConfig({
        platform: 'bare-metal',
        bareMetal: {
          machines: [{ name: 'Node_1', mac: '52:54:00:00:00:01', domain: 'n1.example.com', role: 'controller' }],
        },
      }),
    );
    assert.throws(
      () => joinTokenTargets(topology),
      (error: unknown) => error instanceof JoinTokenError && /node "Node_1"/.test(error.message),
    );
  });
});
