import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsProgramError } from './errors.ts';
import { MAX_ZONES, networkPlan, VPC_CIDR } from './network.ts';
import { checkAwsConfig } from './program.ts';
import { anAwsConfig } from './testing/fixtures.ts';

const letters = 'abcdefghijklmnopqrstuvwxyz';

describe('the AWS network plan', () => {
  it('gives each zone its own /20 of the VPC, in order', () => {
    assert.deepEqual(networkPlan(anAwsConfig({ zones: ['us-east-1a', 'us-east-1b', 'us-east-1d'] })), {
      vpcCidr: VPC_CIDR,
      subnets: [
        { zone: 'us-east-1a', cidr: '10.0.0.0/20' },
        { zone: 'us-east-1b', cidr: '10.0.16.0/20' },
        { zone: 'us-east-1d', cidr: '10.0.32.0/20' },
      ],
    });
  });

  it('refuses more zones than the VPC has /20s for', () => {
    const zones = [...letters.slice(0, MAX_ZONES + 1)].map((letter) => `us-east-1${letter}`);
    assert.throws(() => networkPlan(anAwsConfig({ zones })), AwsProgramError);
    assert.equal(networkPlan(anAwsConfig({ zones: zones.slice(0, MAX_ZONES) })).subnets.at(-1)?.cidr, '10.0.240.0/20');
  });

  it('refuses pod or service ranges that overlap the VPC, naming the field', () => {
    for (const [field, networking] of [
      ['networking.podCidr', { podCidr: '10.0.0.0/15' }],
      ['networking.serviceCidr', { serviceCidr: '10.0.128.0/24' }],
    ] as const) {
      assert.throws(
        () => networkPlan(anAwsConfig({ networking })),
        (error: unknown) => error instanceof AwsProgramError && error.context['field'] === field,
      );
    }
  });
});

describe('checking an AWS config before the program runs', () => {
  it('accepts the fixture', () => {
    assert.equal(checkAwsConfig(anAwsConfig()).network.subnets.length, 3);
  });

  it("refuses an API name outside the base domain, whose zone gets the API's record", () => {
    assert.throws(
      () => checkAwsConfig(anAwsConfig({ apiDnsName: 'k8s.elsewhere.example.org' })),
      (error: unknown) => error instanceof AwsProgramError && error.context['field'] === 'apiDnsName',
    );
  });

  it('refuses another platform', () => {
    const config = { ...anAwsConfig(), platform: 'gcp' as const };
    assert.throws(() => checkAwsConfig(config), AwsProgramError);
  });
});
