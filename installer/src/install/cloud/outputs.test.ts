// A cloud program's stack outputs are read through platformStackOutputsSchema.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutputMap } from '@pulumi/pulumi/automation/index.js';
import { InstallError } from '../errors.ts';
import { describeOutputs, parseStackOutputs } from './outputs.ts';

/** Outputs as the Automation API hands them over after an update. */
function outputMap(values: Readonly<Record<string, unknown>>): OutputMap {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value, secret: false }]));
}

describe('cloud stack outputs', () => {
  it('are parsed and summed up: controllers one by one, a worker group by its count', () => {
    const outputs = parseStackOutputs(
      outputMap({
        apiEndpoint: 'https://api.prod.example.com:6443',
        nodes: [
          { name: 'prod-controller-0', role: 'controller', address: '10.0.0.10' },
          { name: 'prod-workers', role: 'worker', count: 3 },
        ],
      }),
    );
    assert.equal(
      describeOutputs(outputs),
      'the API is at https://api.prod.example.com:6443; 1 controller(s) and 3 worker(s) provisioned',
    );
  });

  it('that the installer cannot read fail with the field named', () => {
    assert.throws(
      () => parseStackOutputs(outputMap({ apiEndpoint: 'http://api.prod.example.com:6443', nodes: [] })),
      (error: unknown) =>
        error instanceof InstallError &&
        /apiEndpoint/.test(JSON.stringify(error.context)) &&
        /outputs/.test(error.message),
    );
  });
});
