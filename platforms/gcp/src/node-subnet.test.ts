import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GcpPlatformError } from './errors.ts';
import { NODE_SUBNET_CIDR, nodeSubnetRange } from './node-subnet.ts';
import { aGcpConfig } from './testing/fixtures.ts';

test("the nodes' range with the default pod and service ranges", () => {
  assert.equal(nodeSubnetRange(aGcpConfig().networking), NODE_SUBNET_CIDR);
});

test('a pod range over the nodes’ range is refused, naming the field', () => {
  const config = aGcpConfig({
    networking: { podCidr: ['10.0.0.0/16', 'fd00:10:2::/56'], serviceCidr: ['10.3.0.0/16', 'fd00:10:3::/112'] },
  });
  assert.throws(
    () => nodeSubnetRange(config.networking),
    (error: unknown) =>
      error instanceof GcpPlatformError &&
      error.context['field'] === 'networking.podCidr' &&
      error.context['value'] === '10.0.0.0/16',
  );
});
