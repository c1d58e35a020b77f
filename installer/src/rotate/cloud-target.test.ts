// Where the rotation reaches a cloud cluster's controllers: the addresses its
// stack outputs give, matched to the config's controllers by name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlatformStackOutputs, ProvisionedNode } from '@strata/api';
import { clusterTopology } from '@strata/assets';
import { anAwsConfig } from '@strata/platform-aws/testing';
import { cloudControllers } from './cloud-target.ts';
import { EncryptionRotationError } from './encryption-key.ts';

const config = anAwsConfig({ controllers: 3 });
const names = clusterTopology(config).controllers.map((controller) => controller.name);
const port = new URL(clusterTopology(config).apiServerUrl).port || '443';

/** The stack outputs as the AWS program returns them, with `address(index)` for each controller. */
function outputsWith(address: (index: number) => string | undefined): PlatformStackOutputs {
  return {
    apiEndpoint: clusterTopology(config).apiServerUrl,
    nodes: [
      { name: 'demo-worker', role: 'worker', count: 2 },
      ...names.map((name, index): ProvisionedNode => {
        const at = address(index);
        return { name, role: 'controller', ...(at === undefined ? {} : { address: at }) };
      }),
    ],
  };
}

describe("a cloud cluster's controllers for the rotation", () => {
  it('each at its private address: SSH there, its own API server there (checked against the API name)', () => {
    assert.deepEqual(
      cloudControllers(
        config,
        outputsWith((index) => `10.0.${index}.10`),
      ),
      names.map((name, index) => ({
        name,
        sshHost: `10.0.${index}.10`,
        apiServerUrl: `https://10.0.${index}.10:${port}`,
      })),
    );
  });

  it('an IPv6 address is bracketed in the URL, not for SSH', () => {
    const [first] = cloudControllers(
      config,
      outputsWith((index) => `fd00::${index + 1}`),
    );
    assert.deepEqual(first, { name: names[0], sshHost: 'fd00::1', apiServerUrl: `https://[fd00::1]:${port}` });
  });

  it('refuses a controller the outputs give no address for, naming it, the field and the fix', () => {
    assert.throws(
      () =>
        cloudControllers(
          config,
          outputsWith((index) => (index === 1 ? undefined : `10.0.${index}.10`)),
        ),
      (error: unknown) =>
        error instanceof EncryptionRotationError &&
        error.message ===
          `the stack outputs give no address for controller ${names[1]} (nodes[].address): run \`strata install\` again so that the stack records it` &&
        error.context['controller'] === names[1],
    );
  });
});
