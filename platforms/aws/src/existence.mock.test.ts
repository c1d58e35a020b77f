// The AWS existence checks against Pulumi's mocks: the invokes answer as an
// account with three zones in us-east-1, two instance types and one public
// hosted zone would, and fail as AWS does for what the account lacks.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { awsExistenceChecks } from './existence.ts';
import { anAwsConfig } from './testing/index.ts';

interface MockAccount {
  readonly zones: readonly string[];
  readonly instanceTypes: readonly string[];
  readonly hostedZones: readonly string[];
}

const ACCOUNT: MockAccount = {
  zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  instanceTypes: ['t3.medium', 't3.small', 'm6i.xlarge'],
  hostedZones: ['aws.example.com'],
};

const offeringsSchema = z.object({
  filters: z.array(z.object({ name: z.literal('instance-type'), values: z.array(z.string()) })),
});

/** A provider's failure as the engine hands it to the program: a gRPC error whose details are the message. */
function providerError(message: string): Error {
  return Object.assign(new Error(message), { details: message });
}

/** What AWS answers each invoke with, for `account`; the tokens it does not know fail loudly. */
function awsCall(account: MockAccount, token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      return { names: [...account.zones], zoneIds: account.zones.map((_, index) => `use1-az${index + 1}`) };
    case 'aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings': {
      const asked = offeringsSchema.parse(inputs).filters.flatMap((filter) => filter.values);
      return { instanceTypes: asked.filter((type) => account.instanceTypes.includes(type)) };
    }
    case 'aws:route53/getZone:getZone': {
      const name = z.object({ name: z.string() }).parse(inputs).name;
      if (!account.hostedZones.includes(name)) throw providerError('no matching Route53Zone found');
      return { name, zoneId: 'Z0MOCKZONE' };
    }
    default:
      throw new Error(`no mock for the invoke ${token}`);
  }
}

describe('AWS existence checks (Pulumi mocks)', () => {
  const calls: string[] = [];
  beforeEach(async () => {
    calls.length = 0;
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: z.record(z.string(), z.unknown()).parse(args.inputs) }),
        call: (args) => {
          calls.push(args.token);
          return awsCall(ACCOUNT, args.token, z.record(z.string(), z.unknown()).parse(args.inputs));
        },
      },
      'strata-aws',
      'mock',
      true,
    );
  });
  afterEach(() => pulumi.runtime.disconnect());

  it('mock: every check passes for zones, instance types and a hosted zone the account has', async () => {
    const checks = await awsExistenceChecks(
      anAwsConfig({ workerPools: [{ name: 'general', count: 2, instanceType: 'm6i.xlarge' }] }),
    );
    assert.deepEqual(
      checks.map(({ id, ok }) => ({ id, ok })),
      [
        { id: 'aws-zones', ok: true },
        { id: 'aws-instance-types', ok: true },
        { id: 'aws-dns-zone', ok: true },
      ],
    );
    assert.deepEqual([...calls].sort(), [
      'aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings',
      'aws:index/getAvailabilityZones:getAvailabilityZones',
      'aws:route53/getZone:getZone',
    ]);
  });

  it('mock: an unknown zone, an unknown instance type and a missing hosted zone are reported together', async () => {
    const checks = await awsExistenceChecks(
      anAwsConfig({
        baseDomain: 'nowhere.example.net',
        zones: ['us-east-1a', 'us-east-1q'],
        workerPools: [
          { name: 'general', count: 2 },
          { name: 'big', count: 1, instanceType: 'q9.mega' },
        ],
      }),
    );
    const failed = checks.filter((check) => !check.ok);
    assert.deepEqual(
      failed.map((check) => check.id),
      ['aws-zones', 'aws-instance-types', 'aws-dns-zone'],
    );
    const [zones, types, dns] = failed;
    assert.equal(
      zones?.detail,
      'aws.zones[1] "us-east-1q" is not an available zone of us-east-1 (it has us-east-1a, us-east-1b, us-east-1c)',
    );
    assert.equal(types?.detail, 'workerPools[1].instanceType "q9.mega": not offered in us-east-1');
    assert.match(
      dns?.detail ?? '',
      /^baseDomain "nowhere\.example\.net": no public Route53 hosted zone of that name: /,
    );
    assert.match(dns?.detail ?? '', /no matching Route53Zone found/);
    for (const check of failed) assert.ok(check.fix !== undefined && check.fix !== '', `${check.id} has a fix`);
  });
});
