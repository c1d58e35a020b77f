import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseClusterConfig, type ClusterConfig } from '@strata/assets';
import type { Answers } from './answers.ts';
import { answersOfConfig, readExistingConfig } from './prefill.ts';
import { configYaml } from './review-text.ts';
import {
  bareMetalAnswers,
  cloudAnswers,
  ED25519_PUBLIC_KEY,
  stateWith,
  testEnvironment,
  TEST_HOST_NETWORKS,
} from './test-fixtures.ts';

function parsed(text: string): ClusterConfig {
  const result = parseClusterConfig(text, { hostNetworks: TEST_HOST_NETWORKS });
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.config;
}

/** The config the answers make, read back into answers, makes the same config (MACs come back in the schema's spelling). */
function roundTrip(answers: Partial<Answers>): { before: ClusterConfig; after: ClusterConfig } {
  const before = parsed(configYaml(stateWith(answers).answers));
  return { before, after: parsed(configYaml(stateWith(answersOfConfig(before, [], [])).answers)) };
}

describe('an existing cluster.yaml as the starting answers', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-prefill-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: Record<string, Partial<Answers>> = {
    local: { name: 'demo', controllers: '3', workers: '2', apiServerPort: '7443', sshKeySource: 'none', sshKey: '' },
    'bare-metal with a reboot window': bareMetalAnswers({
      windowDays: 'Sat,Sun',
      windowStart: '03:30',
      windowDuration: '2h',
      timeZone: 'Europe/Berlin',
      maxUnavailable: '10%',
      os: 'flatcar/beta',
    }),
    'aws in two zones': cloudAnswers('aws', { region: 'eu-west-1', zones: 'eu-west-1a,eu-west-1c', workers: '4' }),
    gcp: cloudAnswers('gcp', { zones: 'us-central1-b' }),
    'azure in three zones': cloudAnswers('azure', { region: 'westeurope', workerType: 'Standard_D8as_v5' }),
    'azure in two zones': cloudAnswers('azure', { zones: '1,3' }),
    'azure without zones': cloudAnswers('azure', { zones: '' }),
  };
  for (const [name, answers] of Object.entries(cases)) {
    it(`gives back every answer of a file the wizard wrote: ${name}`, () => {
      const { before, after } = roundTrip(answers);
      assert.deepEqual(after, before);
    });
  }

  it('takes a key of ~/.ssh as chosen when the file holds it, and its private half as the identity', () => {
    const offered = [{ path: '/home/u/.ssh/id_ed25519.pub', line: ED25519_PUBLIC_KEY }];
    const parsed = parseClusterConfig(configYaml(stateWith(bareMetalAnswers()).answers), {
      hostNetworks: TEST_HOST_NETWORKS,
    });
    assert.ok(parsed.ok);
    const answers = answersOfConfig(parsed.config, offered, ['/home/u/.ssh/id_ed25519']);
    assert.equal(answers.sshKeySource, '/home/u/.ssh/id_ed25519.pub');
    assert.equal(answers.sshIdentitySource, '/home/u/.ssh/id_ed25519');
    assert.equal(stateWith(answers, testEnvironment({ offered })).answers.sshKey, ED25519_PUBLIC_KEY);
  });

  it('reads a valid file into answers, and an absent one as absent', async () => {
    const path = join(dir, 'valid.yaml');
    const text = configYaml(stateWith({ name: 'kept', workers: '5' }).answers);
    await writeFile(path, text);
    const found = await readExistingConfig(path, [], [], TEST_HOST_NETWORKS);
    assert.equal(found.kind, 'parsed');
    assert.equal(found.kind === 'parsed' ? found.text : '', text);
    assert.equal(found.kind === 'parsed' ? found.answers.workers : '', '5');
    assert.deepEqual(await readExistingConfig(join(dir, 'none.yaml'), [], [], TEST_HOST_NETWORKS), { kind: 'absent' });
  });

  it('names what is wrong with a file that does not parse in the words of --config, and keeps its text', async () => {
    const path = join(dir, 'invalid.yaml');
    const text = configYaml(stateWith({ name: 'kept' }).answers).replace('10.2.0.0/16', '10.2.0.0/33');
    await writeFile(path, text);
    const found = await readExistingConfig(path, [], [], TEST_HOST_NETWORKS);
    const expected = parseClusterConfig(text, { hostNetworks: TEST_HOST_NETWORKS, sourceName: path });
    assert.ok(!expected.ok);
    assert.deepEqual(found, { kind: 'invalid', text, problem: expected.message });
    assert.match(expected.message, /networking\.podCidr/);
  });
});
