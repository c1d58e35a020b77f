import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClusterConfig } from '@strata/assets';
import { parse, stringify } from 'yaml';
import { configYaml } from './review-text.ts';
import { bareMetalAnswers, cloudAnswers, ED25519_PUBLIC_KEY, stateWith, TEST_HOST_NETWORKS } from './test-fixtures.ts';
import type { Answers } from './answers.ts';

type Config = Record<string, unknown>;

/** The file the answers make, as a person then extends it (`extend`), written again from `answers`. */
function rewritten(first: Partial<Answers>, extend: (config: Config) => Config, answers: Partial<Answers> = first) {
  const existing = stringify(extend(parse(configYaml(stateWith(first).answers)) as Config));
  const text = configYaml(stateWith(answers).answers, existing);
  const checked = parseClusterConfig(text, { hostNetworks: TEST_HOST_NETWORKS });
  assert.ok(checked.ok, checked.ok ? '' : checked.message);
  return parse(text) as Config;
}

describe('fields the wizard does not ask, kept from the file it replaces', () => {
  it('keeps snippets of the controllers and of each pool, a pool’s labels and taints, and a second pool', () => {
    const config = rewritten(
      cloudAnswers('aws'),
      (config) => ({
        ...config,
        controllers: { count: 1, snippets: ['snippets/controller.yaml'] },
        workerPools: [
          {
            ...(config['workerPools'] as Config[])[0],
            labels: { tier: 'web' },
            taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
            snippets: ['snippets/worker.yaml'],
          },
          { name: 'gpu', count: 2, instanceType: 'g5.xlarge', snippets: ['snippets/gpu.yaml'] },
        ],
      }),
      cloudAnswers('aws', { workers: '4' }),
    );
    assert.deepEqual(config['controllers'], { count: 1, snippets: ['snippets/controller.yaml'] });
    const [worker, gpu] = config['workerPools'] as Config[];
    assert.equal(worker?.['count'], 4);
    assert.deepEqual(worker?.['snippets'], ['snippets/worker.yaml']);
    assert.deepEqual(worker?.['labels'], { tier: 'web' });
    assert.equal((worker?.['taints'] as unknown[]).length, 1);
    assert.deepEqual(gpu, { name: 'gpu', count: 2, instanceType: 'g5.xlarge', snippets: ['snippets/gpu.yaml'] });
  });

  it('keeps the pools and a machine’s pool on bare metal, where the machines make the pools', () => {
    const config = rewritten(bareMetalAnswers(), (config) => {
      const bareMetal = config['bareMetal'] as Config;
      const machines = (bareMetal['machines'] as Config[]).map((machine) =>
        machine['name'] === 'wrk1' ? { ...machine, pool: 'edge' } : machine,
      );
      return {
        ...config,
        bareMetal: { ...bareMetal, machines },
        workerPools: [
          { name: 'worker', snippets: ['snippets/worker.yaml'] },
          { name: 'edge', snippets: ['snippets/edge.yaml'] },
        ],
      };
    });
    assert.deepEqual(config['workerPools'], [
      { name: 'worker', snippets: ['snippets/worker.yaml'] },
      { name: 'edge', snippets: ['snippets/edge.yaml'] },
    ]);
    const machines = (config['bareMetal'] as Config)['machines'] as Config[];
    assert.equal(machines.find((machine) => machine['name'] === 'wrk1')?.['pool'], 'edge');
    assert.equal(machines.find((machine) => machine['name'] === 'wrk0')?.['pool'], 'worker');
  });

  it('removes what the answers remove: a key answered "none", a machine no longer listed, the old platform', () => {
    const withKey = { name: 'demo', sshKeySource: 'paste', sshKey: ED25519_PUBLIC_KEY };
    const noKey = rewritten(withKey, (config) => config, { ...withKey, sshKeySource: 'none' });
    assert.equal(noKey['sshAuthorizedKeys'], undefined);
    const fewer = rewritten(
      bareMetalAnswers(),
      (config) => config,
      bareMetalAnswers({ machines: 'ctl0 52:54:00:a1:9c:01 controller' }),
    );
    assert.deepEqual(
      ((fewer['bareMetal'] as Config)['machines'] as Config[]).map((machine) => machine['name']),
      ['ctl0'],
    );
    const moved = rewritten(cloudAnswers('aws'), (config) => config, cloudAnswers('gcp'));
    assert.equal(moved['aws'], undefined);
    assert.equal((moved['gcp'] as Config)['project'], 'my-project-123');
  });

  it('keeps a field it does not know, where the file has it', () => {
    const config = rewritten(cloudAnswers('azure'), (config) => ({
      ...config,
      networking: { ...(config['networking'] as Config), clusterDomain: 'cluster.local' },
    }));
    assert.equal((config['networking'] as Config)['clusterDomain'], 'cluster.local');
  });
});
