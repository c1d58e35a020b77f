import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AWS_NAME_RULES, awsResourceNames, boundedName, checkedName } from './names.ts';
import { AwsNamingError, AwsProgramError } from './errors.ts';
import { anAwsConfig } from './testing/fixtures.ts';

const LONGEST = 'a'.repeat(40);

describe('AWS resource names', () => {
  it('keep the plain <cluster>-<suffix> form while it meets the rule', () => {
    assert.equal(boundedName('loadBalancer', 'demo', 'api'), 'demo-api');
    assert.equal(boundedName('securityGroup', 'demo', 'controller'), 'demo-controller');
  });

  it('shorten a long cluster name to the limit, keeping two names that share a start apart', () => {
    const a = boundedName('loadBalancer', `${'x'.repeat(30)}-one`, 'api');
    const b = boundedName('loadBalancer', `${'x'.repeat(30)}-two`, 'api');
    for (const name of [a, b]) {
      assert.ok(name.length <= AWS_NAME_RULES.loadBalancer.max, name);
      assert.match(name, /^api-x+-[0-9a-f]{8}$/);
    }
    assert.notEqual(a, b);
  });

  it('never start with a prefix AWS reserves, whatever the cluster is called', () => {
    for (const cluster of ['internal-tools', 'sg-prod', 'xn--bcher-kva', 'sthree-data', 'amzn-s3-demo-x']) {
      const names = awsResourceNames(anAwsConfig({ name: cluster }));
      assert.doesNotMatch(names.loadBalancer, /^internal-/);
      assert.doesNotMatch(names.securityGroups.controller, /^sg-/);
      assert.doesNotMatch(names.securityGroups.worker, /^sg-/);
      assert.doesNotMatch(names.ignitionBucketPrefix, /^(xn--|sthree-|amzn-s3-demo-)/);
    }
  });

  it('fit every kind limit for the longest cluster and pool names', () => {
    const pool = `p${'0'.repeat(62)}`;
    const names = awsResourceNames(
      anAwsConfig({ name: LONGEST, controllers: 5, workerPools: [{ name: pool, count: 1 }] }),
    );
    assert.ok(names.loadBalancer.length <= 32 && names.targetGroup.length <= 32);
    assert.ok(names.ignitionBucketPrefix.length <= 37 && names.ignitionBucketPrefix.endsWith('-'));
    for (const controller of names.controllers) {
      assert.ok(controller.role.length <= 64, controller.role);
      assert.ok(controller.instanceProfile.length <= 128 && controller.rolePolicy.length <= 128);
    }
    assert.equal(new Set(names.controllers.map((controller) => controller.role)).size, 5, 'one role per controller');
    const [workers] = names.workerPools;
    assert.ok(workers !== undefined && workers.launchTemplate.length <= 128 && workers.autoscalingGroup.length <= 255);
    assert.equal(workers.target, `${LONGEST}-${pool}`, "the pool's Ignition target is the topology's");
  });

  it('name the etcd members and the API as the topology does', () => {
    const names = awsResourceNames(anAwsConfig({ controllers: 3 }));
    assert.deepEqual(
      names.controllers.map((controller) => controller.etcdRecord),
      ['demo-etcd0.aws.example.com', 'demo-etcd1.aws.example.com', 'demo-etcd2.aws.example.com'],
    );
    assert.equal(names.apiRecord, 'api.demo.aws.example.com');
  });

  it('refuse a name that breaks its rule, naming the kind', () => {
    assert.throws(
      () => checkedName('targetGroup', '-bad'),
      (error: unknown) => {
        assert.ok(error instanceof AwsNamingError);
        assert.equal(error.context['kind'], 'targetGroup');
        return true;
      },
    );
    assert.throws(() => checkedName('iamRole', 'r'.repeat(65)), AwsNamingError);
  });

  it('need an aws section', () => {
    const config = { ...anAwsConfig(), aws: undefined };
    assert.throws(() => awsResourceNames(config), AwsProgramError);
  });
});
