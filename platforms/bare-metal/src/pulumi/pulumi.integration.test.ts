// A real `pulumi up` / `pulumi destroy` of the bare-metal flow: the pinned
// Pulumi engine (built from Go modules by @strata/assets/binaries), the
// Automation API with an in-process program, a local file backend, and the
// boot server's write API (mutual TLS with certificates from Strata's PKI)
// in front of a matchbox data directory.
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { applyRenderPlan, planClusterRender, type ClusterConfig } from '@strata/assets';
import { PULUMI_VERSION, resolveBinary } from '@strata/binaries';
import type { EngineEvent, UpResult } from '@pulumi/pulumi/automation/index.js';
import { BootApiClient } from '@strata/api/boot-client';
import type { BootApiEndpoint } from '@strata/api';
import { startWriteApi, type RunningWriteApi } from '@strata/boot-server/testing';
import { captureLogger, writeApiCredentials, type WriteApiCredentials } from '@strata/boot-server/testing';
import { aBareMetalConfig, TWO_MACHINES } from '../flow/fixtures.ts';
import { planBareMetal } from '../flow/plan-bare-metal.ts';
import type { BareMetalPlan } from '../flow/plan.ts';
import { bareMetalProgram } from '../flow/program.ts';
import { readRenderedIgnition } from '../flow/rendered-ignition.ts';
import { groupSchema, profileSchema } from '@strata/api';
import { DataDirectoryStore } from '@strata/boot-server/testing';
import { openStack, preparePulumiTools, type PulumiTools } from '@strata/pulumi-workspace';

const PROJECT = 'strata-bare-metal-test';
const STACK = 'rack1';
const PASSPHRASE = 'correct horse battery staple';

/** The data directory's files, path → text, the way matchbox lays them out. */
async function dataFiles(dataDir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const directory of ['groups', 'profiles', 'ignition']) {
    const entries = await readdir(join(dataDir, directory)).catch(() => []);
    for (const name of entries.sort()) {
      if (name.startsWith('.')) continue;
      files.set(`${directory}/${name}`, await readFile(join(dataDir, directory, name), 'utf8'));
    }
  }
  return files;
}

/** Asserts that the data directory holds exactly the plan, file for file. */
async function assertDataDirectoryHolds(dataDir: string, plan: BareMetalPlan): Promise<void> {
  const files = await dataFiles(dataDir);
  assert.deepEqual(
    [...files.keys()].sort(),
    [
      ...plan.groups.map((group) => `groups/${group.id}.json`),
      ...plan.profiles.map((profile) => `profiles/${profile.id}.json`),
      ...plan.templates.map((template) => `ignition/${template.name}`),
    ].sort(),
  );
  for (const group of plan.groups)
    assert.deepEqual(groupSchema.parse(JSON.parse(files.get(`groups/${group.id}.json`) ?? '')), group);
  for (const profile of plan.profiles)
    assert.deepEqual(profileSchema.parse(JSON.parse(files.get(`profiles/${profile.id}.json`) ?? '')), profile);
  for (const template of plan.templates)
    assert.equal(files.get(`ignition/${template.name}`), template.content, template.name);
}

/** Every file of the file backend (state, backups, history), for the secrets check. */
async function stateFiles(stateDir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(join(stateDir, '.pulumi'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(stateDir, path), await readFile(path, 'utf8'));
  }
  return files;
}

/** The base64 body of a PEM: what would show up in a state file, however it was escaped. */
function pemBody(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

interface PulumiState {
  readonly checkpoint: {
    readonly latest: {
      readonly resources: readonly {
        urn: string;
        type: string;
        inputs?: Record<string, unknown>;
        outputs?: Record<string, unknown>;
      }[];
    };
  };
}

/** How Pulumi's state marks a secret: its signature key with the "secret" value, and the ciphertext. */
function isEncryptedSecret(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record['4dabf18193072939515e22adb298388d'] === '1b47061264138c4ac30d75fd1eb44270' &&
    typeof record['ciphertext'] === 'string'
  );
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)}s`;
}

async function resolvePulumi(): Promise<string> {
  try {
    return await resolveBinary('pulumi');
  } catch (error) {
    throw new Error(
      `this test runs the Pulumi engine ${PULUMI_VERSION}; \`npm test\` builds it from Go modules in its binaries phase, or see the message below for the other ways to provide it`,
      { cause: error },
    );
  }
}

describe('the bare-metal flow under a real Pulumi engine', () => {
  let scratch: string;
  let dataDir: string;
  let stateDir: string;
  let assetDir: string;
  let store: DataDirectoryStore;
  let api: RunningWriteApi;
  let credentials: WriteApiCredentials;
  let endpoint: BootApiEndpoint;
  let tools: PulumiTools;

  /** Renders the config's assets into the one asset directory (keys are reused across renders) and plans. */
  async function planOf(config: ClusterConfig): Promise<BareMetalPlan> {
    await applyRenderPlan(await planClusterRender({ config, dir: assetDir }));
    return planBareMetal({ config, ignition: await readRenderedIgnition(assetDir, config) });
  }

  async function stackFor(plan: BareMetalPlan) {
    return openStack({
      tools,
      projectName: PROJECT,
      stackName: STACK,
      program: bareMetalProgram(plan, endpoint),
      stateDir,
      passphrase: PASSPHRASE,
    });
  }

  before(async () => {
    const pulumiBinary = await resolvePulumi();
    scratch = await mkdtemp(join(tmpdir(), 'strata-pulumi-'));
    dataDir = join(scratch, 'data');
    stateDir = join(scratch, 'state');
    assetDir = join(scratch, 'assets');
    // An empty matchbox data directory, as an operator starts one.
    await mkdir(dataDir);
    store = await DataDirectoryStore.open({ dataPath: dataDir, logger: captureLogger().logger });
    credentials = await writeApiCredentials();
    api = await startWriteApi({
      address: '127.0.0.1:0',
      store,
      tls: credentials.serverTls,
      logger: captureLogger().logger,
    });
    endpoint = credentials.endpoint(api.url);
    tools = await preparePulumiTools({ pulumiBinary, dir: join(scratch, 'pulumi') });
  });

  after(async () => {
    await api?.close();
    await store?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  let firstPlan: BareMetalPlan;

  it('pulumi up registers every machine: profiles, groups and Ignition configs in the data directory', async (t: TestContext) => {
    firstPlan = await planOf(aBareMetalConfig());
    const stack = await stackFor(firstPlan);
    const started = performance.now();
    const result = await stack.up();
    t.diagnostic(
      `pulumi up (create ${firstPlan.profiles.length + firstPlan.groups.length + firstPlan.templates.length} resources): ${seconds(started)}`,
    );
    // Two machines, each with two profiles, two groups and two Ignition configs; plus the stack itself.
    assert.deepEqual(result.summary.resourceChanges, { create: 13 });
    assert.deepEqual(
      result.outputs['groups']?.value,
      firstPlan.groups.map((group) => group.id),
    );
    await assertDataDirectoryHolds(dataDir, firstPlan);
  });

  it('a changed machine updates only its own resources', async (t: TestContext) => {
    const machines = TWO_MACHINES.map((machine) =>
      machine.name === 'node1' ? { ...machine, mac: '52:54:00:2b:00:99' } : machine,
    );
    const plan = await planOf(aBareMetalConfig({ machines }));
    const stack = await stackFor(plan);
    const updated: string[] = [];
    const started = performance.now();
    const result: UpResult = await stack.up({
      onEvent: (event: EngineEvent) => {
        const metadata = event.resOutputsEvent?.metadata;
        if (metadata?.op === 'update') updated.push(metadata.urn.split('::').at(-1) ?? metadata.urn);
      },
    });
    t.diagnostic(`pulumi up (update 3 of 13): ${seconds(started)}`);
    assert.deepEqual(result.summary.resourceChanges, { update: 3, same: 10 });
    assert.deepEqual(updated.sort(), [
      'group/rack1-node1-install',
      'group/rack1-node1-installed',
      'ignition/rack1-node1-install.ign',
    ]);
    await assertDataDirectoryHolds(dataDir, plan);
    const group = groupSchema.parse(
      JSON.parse(await readFile(join(dataDir, 'groups', 'rack1-node1-installed.json'), 'utf8')),
    );
    assert.deepEqual(group.selector, { mac: '52:54:00:2b:00:99', os: 'installed' });
  });

  it('keeps the write API credentials and the Ignition configs out of the state, in every file', async () => {
    const files = await stateFiles(stateDir);
    assert.ok(
      [...files.keys()].some((path) => path.endsWith(`stacks/${PROJECT}/${STACK}.json`)),
      [...files.keys()].join('\n'),
    );
    const installed =
      firstPlan.templates.find((template) => template.name === 'rack1-ctrl1-installed.ign')?.content ?? '';
    // A stretch of the rendered controller config (which embeds the cluster's keys) that appears nowhere else.
    const ignitionSample = installed.slice(installed.length / 2, installed.length / 2 + 80);
    for (const [path, text] of files) {
      assert.doesNotMatch(text, /PRIVATE KEY/, path);
      assert.ok(!text.includes(pemBody(credentials.client.privateKeyPem)), `${path} holds the client key`);
      assert.ok(
        !text.includes(JSON.stringify(ignitionSample).slice(1, -1)),
        `${path} holds Ignition content in plain text`,
      );
    }
    // They are there, encrypted, in the inputs and the outputs of every resource.
    const state = JSON.parse(files.get(join('.pulumi', 'stacks', PROJECT, `${STACK}.json`)) ?? '') as PulumiState;
    const resources = state.checkpoint.latest.resources.filter((resource) =>
      resource.type.startsWith('pulumi-nodejs:dynamic/strata-boot:'),
    );
    assert.equal(resources.length, 12);
    for (const resource of resources) {
      for (const [side, properties] of [
        ['inputs', resource.inputs],
        ['outputs', resource.outputs],
      ] as const) {
        const secrets = resource.type.endsWith(':Ignition') ? ['endpoint', 'content'] : ['endpoint'];
        for (const name of secrets)
          assert.ok(
            isEncryptedSecret(properties?.[name]),
            `${resource.urn} ${side}.${name} is not an encrypted secret`,
          );
      }
    }
  });

  it('pulumi refresh drops a resource deleted behind its back, and up puts it back', async () => {
    const plan = await planOf(
      aBareMetalConfig({
        machines: TWO_MACHINES.map((m) => (m.name === 'node1' ? { ...m, mac: '52:54:00:2b:00:99' } : m)),
      }),
    );
    const stack = await stackFor(plan);
    const someoneElse = new BootApiClient(endpoint);
    try {
      assert.equal(await someoneElse.deleteGroup('rack1-ctrl1-install'), true);
    } finally {
      someoneElse.close();
    }
    const refresh = await stack.refresh();
    assert.equal(refresh.summary.resourceChanges?.['delete'], 1);
    const up = await stack.up();
    assert.deepEqual(up.summary.resourceChanges, { create: 1, same: 12 });
    await assertDataDirectoryHolds(dataDir, plan);
  });

  it('pulumi destroy removes everything it registered', async (t: TestContext) => {
    const stack = await stackFor(firstPlan);
    const started = performance.now();
    const result = await stack.destroy();
    t.diagnostic(`pulumi destroy (13 resources): ${seconds(started)}`);
    assert.deepEqual(result.summary.resourceChanges, { delete: 13 });
    assert.deepEqual([...(await dataFiles(dataDir)).keys()], []);
  });
});
