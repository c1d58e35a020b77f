// The AWS program under Pulumi's mocks: what it would ask AWS for, checked
// against really rendered assets. AWS itself cannot run here; everything the
// program decides can.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { platformStackOutputsSchema } from '@strata/api';
import { UPDATE_SERVER_PORT, validateIgnition, type ClusterConfig, type PlatformProgramInput } from '@strata/assets';
import { AwsProgramError } from './errors.ts';
import { awsProgram } from './program.ts';
import {
  anAwsConfig,
  MOCK_IMAGE_ID,
  MOCK_ZONE_ID,
  renderDir,
  runWithMocks,
  type MockRun,
  type RegisteredResource,
  type RenderDir,
} from './testing/index.ts';

const T = {
  provider: 'pulumi:providers:aws',
  vpc: 'aws:ec2/vpc:Vpc',
  gateway: 'aws:ec2/internetGateway:InternetGateway',
  routeTable: 'aws:ec2/routeTable:RouteTable',
  route: 'aws:ec2/route:Route',
  subnet: 'aws:ec2/subnet:Subnet',
  routeTableAssociation: 'aws:ec2/routeTableAssociation:RouteTableAssociation',
  securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
  ingress: 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  egress: 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule',
  loadBalancer: 'aws:lb/loadBalancer:LoadBalancer',
  targetGroup: 'aws:lb/targetGroup:TargetGroup',
  listener: 'aws:lb/listener:Listener',
  attachment: 'aws:lb/targetGroupAttachment:TargetGroupAttachment',
  record: 'aws:route53/record:Record',
  bucket: 'aws:s3/bucket:Bucket',
  publicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  object: 'aws:s3/bucketObjectv2:BucketObjectv2',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  instanceProfile: 'aws:iam/instanceProfile:InstanceProfile',
  instance: 'aws:ec2/instance:Instance',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  group: 'aws:autoscaling/group:Group',
} as const;

type Run = MockRun<{ apiEndpoint: string; nodes: unknown[] }>;

function ofType(run: Run, type: string): RegisteredResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

function one(run: Run, type: string): RegisteredResource {
  const found = ofType(run, type);
  assert.equal(found.length, 1, `expected exactly one ${type}, found ${found.length}`);
  return found[0] as RegisteredResource;
}

function field<S extends z.ZodType>(resource: RegisteredResource, name: string, schema: S): z.output<S> {
  return schema.parse(resource.inputs[name], { error: () => `${resource.type} ${resource.name}: input ${name}` });
}

/** The inputs of a standalone ingress rule the firewall tests read. */
const ingressRuleSchema = z.object({
  securityGroupId: z.string(),
  ipProtocol: z.string(),
  fromPort: z.number(),
  toPort: z.number(),
  cidrIpv4: z.string().optional(),
  referencedSecurityGroupId: z.string().optional(),
});

const CLUSTER_TAGS = (cluster: string) => ({
  [`kubernetes.io/cluster/${cluster}`]: 'owned',
  'strata.dev/cluster': cluster,
});

/** What the issue asks of a cluster of `controllers` controllers, `zones` zones and `pools` worker pools. */
function expectedCounts(controllers: number, zones: number, pools: number): Record<string, number> {
  const controllerIngress = 10; // SSH, API, etcd client, etcd peer; VXLAN, kubelet and the update server from each role
  const workerIngress = 5; // SSH, VXLAN and kubelet from each role
  return {
    [T.provider]: 1,
    [T.vpc]: 1,
    [T.gateway]: 1,
    [T.routeTable]: 1,
    [T.route]: 1,
    [T.subnet]: zones,
    [T.routeTableAssociation]: zones,
    [T.securityGroup]: 2,
    [T.ingress]: controllerIngress + workerIngress,
    [T.egress]: 2,
    [T.loadBalancer]: 1,
    [T.targetGroup]: 1,
    [T.listener]: 1,
    [T.attachment]: controllers,
    [T.record]: 1 + controllers,
    [T.bucket]: 1,
    [T.publicAccessBlock]: 1,
    [T.object]: controllers,
    [T.role]: controllers,
    [T.rolePolicy]: controllers,
    [T.instanceProfile]: controllers,
    [T.instance]: controllers,
    ...(pools === 0 ? {} : { [T.launchTemplate]: pools, [T.group]: pools }),
  };
}

function counts(run: Run): Record<string, number> {
  const result: Record<string, number> = {};
  for (const resource of run.resources) result[resource.type] = (result[resource.type] ?? 0) + 1;
  return result;
}

describe('the AWS program under Pulumi mocks', () => {
  const dirs = new Map<number, RenderDir>();
  const runs = new Map<string, { input: PlatformProgramInput; run: Run }>();

  /** Renders for real (keys reused per controller count) and runs the program under mocks; cached per shape. */
  async function mockRun(controllers: 1 | 3, workers: number | 'no pools') {
    const key = `${controllers}/${workers}`;
    const cached = runs.get(key);
    if (cached !== undefined) return cached;
    let dir = dirs.get(controllers);
    if (dir === undefined) {
      dir = await renderDir();
      dirs.set(controllers, dir);
    }
    const config = anAwsConfig({
      controllers,
      workerPools: workers === 'no pools' ? [] : [{ name: 'worker', count: workers, instanceType: 't3.large' }],
    });
    const input = await dir.render(config);
    const run: Run = await runWithMocks(awsProgram(input));
    runs.set(key, { input, run });
    return { input, run };
  }

  before(async () => {
    await mockRun(1, 2);
    await mockRun(3, 2);
  });
  after(async () => {
    for (const dir of dirs.values()) await dir.remove();
  });

  for (const controllers of [1, 3] as const) {
    for (const workers of [0, 2, 50] as const) {
      it(`mock run: ${controllers} controller(s) and ${workers} workers make the resources the issue lists`, async () => {
        const { input, run } = await mockRun(controllers, workers);
        const zones = input.config.aws?.zones.length ?? 0;
        assert.deepEqual(counts(run), expectedCounts(controllers, zones, 1));
        const group = one(run, T.group);
        for (const size of ['minSize', 'maxSize', 'desiredCapacity']) {
          assert.equal(field(group, size, z.number()), workers, size);
        }
        const outputs = platformStackOutputsSchema.parse(run.outputs);
        assert.equal(outputs.apiEndpoint, 'https://api.demo.aws.example.com:6443');
        assert.deepEqual(
          outputs.nodes.map((node) => [node.name, node.role, node.count]),
          [
            ...input.topology.controllers.map((node) => [node.name, 'controller', undefined]),
            ['demo-worker', 'worker', workers],
          ],
        );
        for (const node of outputs.nodes.filter((each) => each.role === 'controller')) {
          assert.match(node.address ?? '', /^10\.0\.\d+\.\d+$/, `${node.name} has its private address`);
        }
      });
    }
  }

  it('mock run: a config without worker pools makes no launch template or group', async () => {
    const { run } = await mockRun(1, 'no pools');
    assert.deepEqual(counts(run), expectedCounts(1, 3, 0));
  });

  it("mock run: each machine's user data is the Ignition rendered for it", async () => {
    const { input, run } = await mockRun(3, 2);
    const bucket = field(one(run, T.bucket), 'bucketPrefix', z.string());
    const objects = new Map(ofType(run, T.object).map((object) => [field(object, 'key', z.string()), object]));
    for (const controller of input.topology.controllers) {
      const rendered = input.ignition.get(controller.name);
      assert.ok(rendered !== undefined);
      const instance = ofType(run, T.instance).find((each) => each.name === controller.name);
      assert.ok(instance, `an instance for ${controller.name}`);
      const pointerText = field(instance, 'userData', z.string());
      assert.deepEqual(validateIgnition(JSON.parse(pointerText)), [], 'the pointer is valid Ignition');
      const pointer = z
        .object({
          ignition: z.object({
            config: z.object({
              replace: z.object({ source: z.string(), verification: z.object({ hash: z.string() }) }),
            }),
          }),
        })
        .parse(JSON.parse(pointerText)).ignition.config.replace;
      const [, bucketName = '', key = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(pointer.source) ?? [];
      assert.ok(bucketName.startsWith(bucket), `${pointer.source} is in the cluster's bucket`);
      const object = objects.get(key);
      assert.ok(object, `the object ${pointer.source} is created`);
      assert.equal(field(object, 'content', z.string()), rendered, `${controller.name}'s object holds its own config`);
      assert.ok(object.secretInputs.has('content'), 'the config is a secret in the state');
      assert.equal(pointer.verification.hash, `sha512-${createHash('sha512').update(rendered).digest('hex')}`);
      assert.ok(!pointerText.includes('PRIVATE KEY'), 'no key in the user data');
    }
    const rendered = input.ignition.get('demo-worker');
    assert.ok(rendered !== undefined);
    const template = one(run, T.launchTemplate);
    assert.equal(Buffer.from(field(template, 'userData', z.string()), 'base64').toString('utf8'), rendered);
    assert.ok(template.secretInputs.has('userData'), "the worker config's bootstrap token is a secret in the state");
  });

  it('mock run: the 6443 listener forwards to the controllers and nothing else', async () => {
    const { run } = await mockRun(3, 2);
    const listener = one(run, T.listener);
    const targetGroup = one(run, T.targetGroup);
    const loadBalancer = one(run, T.loadBalancer);
    assert.equal(field(listener, 'port', z.number()), 6443);
    assert.equal(field(listener, 'loadBalancerArn', z.string()), loadBalancer.outputs['arn']);
    const actions = field(
      listener,
      'defaultActions',
      z.array(z.object({ type: z.string(), targetGroupArn: z.string() })),
    );
    assert.equal(actions.length, 1);
    assert.equal(actions[0]?.type, 'forward');
    assert.equal(actions[0]?.targetGroupArn, targetGroup.outputs['arn']);
    assert.equal(field(targetGroup, 'port', z.number()), 6443);
    assert.equal(field(loadBalancer, 'loadBalancerType', z.string()), 'network');
    const targets = ofType(run, T.attachment).map((attachment) => {
      assert.equal(field(attachment, 'targetGroupArn', z.string()), actions[0]?.targetGroupArn);
      assert.equal(field(attachment, 'port', z.number()), 6443);
      return field(attachment, 'targetId', z.string());
    });
    assert.deepEqual(
      targets.toSorted(),
      ofType(run, T.instance)
        .map((instance) => instance.id)
        .toSorted(),
    );
    assert.equal(one(run, T.group).inputs['targetGroupArns'], undefined, 'workers are no API targets');
    const subnets = ofType(run, T.subnet).map((subnet) => subnet.id);
    assert.deepEqual(field(loadBalancer, 'subnets', z.array(z.string())).toSorted(), subnets.toSorted());
  });

  it('mock run: only the API is open to the world; SSH only from the VPC; etcd only from controllers', async () => {
    const { run } = await mockRun(3, 2);
    const groups = new Map(ofType(run, T.securityGroup).map((group) => [group.id, group.name]));
    const controllerGroup = ofType(run, T.securityGroup).find((group) => group.name === 'demo-controller')?.id;
    const vpcCidr = field(one(run, T.vpc), 'cidrBlock', z.string());
    for (const group of ofType(run, T.securityGroup)) {
      assert.equal(group.inputs['ingress'], undefined, `${group.name} has no inline rules`);
    }
    const rules = ofType(run, T.ingress).map((rule) => ingressRuleSchema.parse(rule.inputs));
    for (const rule of rules) {
      assert.ok(groups.has(rule.securityGroupId));
      assert.equal(rule.fromPort, rule.toPort, 'one port per rule');
      assert.ok((rule.cidrIpv4 === undefined) !== (rule.referencedSecurityGroupId === undefined), 'one source');
    }
    const world = rules.filter((rule) => rule.cidrIpv4 === '0.0.0.0/0');
    assert.deepEqual(
      world.map((rule) => [rule.fromPort, rule.securityGroupId]),
      [[6443, controllerGroup]],
    );
    const ssh = rules.filter((rule) => rule.fromPort <= 22 && rule.toPort >= 22);
    assert.equal(ssh.length, 2, 'SSH to each role');
    for (const rule of ssh) assert.equal(rule.cidrIpv4, vpcCidr);
    const etcd = rules.filter((rule) => [2379, 2380].some((port) => rule.fromPort <= port && rule.toPort >= port));
    assert.deepEqual(etcd.map((rule) => rule.fromPort).toSorted(), [2379, 2380]);
    for (const rule of etcd) {
      assert.equal(rule.securityGroupId, controllerGroup);
      assert.equal(rule.referencedSecurityGroupId, controllerGroup);
    }
  });

  it("mock run: the controllers admit the update server's port from both roles' groups, never from the world", async () => {
    const { run } = await mockRun(3, 2);
    const groupId = (name: string) => ofType(run, T.securityGroup).find((group) => group.name === name)?.id;
    const controllerGroup = groupId('demo-controller');
    const workerGroup = groupId('demo-worker');
    assert.ok(controllerGroup !== undefined && workerGroup !== undefined);
    const rules = ofType(run, T.ingress)
      .map((rule) => ingressRuleSchema.parse(rule.inputs))
      .filter((rule) => rule.fromPort <= UPDATE_SERVER_PORT && rule.toPort >= UPDATE_SERVER_PORT);
    assert.deepEqual(
      rules.map((rule) => [rule.securityGroupId, rule.ipProtocol, rule.referencedSecurityGroupId, rule.cidrIpv4]),
      [
        [controllerGroup, 'tcp', controllerGroup, undefined],
        [controllerGroup, 'tcp', workerGroup, undefined],
      ],
    );
  });

  it('mock run: every resource that takes tags carries the cluster tags', async () => {
    const { run } = await mockRun(3, 2);
    const sdk = dirname(createRequire(import.meta.url).resolve('@pulumi/aws/package.json'));
    const expected = CLUSTER_TAGS('demo');
    const tagged = new Set<string>();
    for (const resource of run.resources.filter((each) => each.custom && each.type !== T.provider)) {
      const [, module = '', kind = ''] = /^aws:([^/]+)\/[^:]+:(\w+)$/.exec(resource.type) ?? [];
      const declaration = readFileSync(
        join(sdk, module, `${kind[0]?.toLowerCase() ?? ''}${kind.slice(1)}.d.ts`),
        'utf8',
      );
      const args = new RegExp(`export interface ${kind}Args \\{([\\s\\S]*?)\\n\\}`).exec(declaration)?.[1] ?? '';
      assert.notEqual(args, '', `the SDK declares ${kind}Args`);
      if (!/\n\s+tags\?:/.test(args)) {
        assert.equal(resource.inputs['tags'], undefined);
        continue;
      }
      tagged.add(resource.type);
      if (resource.type === T.group) {
        const tags = field(
          resource,
          'tags',
          z.array(z.object({ key: z.string(), value: z.string(), propagateAtLaunch: z.boolean() })),
        );
        for (const [key, value] of Object.entries(expected)) {
          assert.ok(
            tags.some((tag) => tag.key === key && tag.value === value && tag.propagateAtLaunch),
            `${resource.name}: ${key}`,
          );
        }
        continue;
      }
      const tags = field(resource, 'tags', z.record(z.string(), z.string()));
      assert.deepEqual({ ...tags, ...expected }, tags, `${resource.type} ${resource.name} carries the cluster tags`);
    }
    // The SDK's declarations really were consulted: these kinds, and only these, take no tags.
    const untagged = new Set(run.resources.map((resource) => resource.type).filter((type) => !tagged.has(type)));
    assert.deepEqual(
      [...untagged].toSorted(),
      [
        T.provider,
        T.route,
        T.routeTableAssociation,
        T.attachment,
        T.record,
        T.publicAccessBlock,
        T.rolePolicy,
      ].toSorted(),
    );
    for (const specification of field(
      one(run, T.launchTemplate),
      'tagSpecifications',
      z.array(z.object({ resourceType: z.string(), tags: z.record(z.string(), z.string()) })),
    )) {
      assert.deepEqual(
        { ...specification.tags, ...expected },
        specification.tags,
        `launched ${specification.resourceType}s`,
      );
    }
    for (const instance of ofType(run, T.instance)) {
      const volumeTags = field(instance, 'volumeTags', z.record(z.string(), z.string()));
      assert.deepEqual({ ...volumeTags, ...expected }, volumeTags);
    }
  });

  it('mock run: changing the worker count changes only the worker group', async () => {
    const before2 = (await mockRun(1, 2)).run;
    const after50 = (await mockRun(1, 50)).run;
    const byUrn = (run: Run) => new Map(run.resources.map((resource) => [resource.urn, resource.inputs]));
    const a = byUrn(before2);
    const b = byUrn(after50);
    assert.deepEqual([...a.keys()].toSorted(), [...b.keys()].toSorted());
    const changed = [...a.keys()].filter((urn) => !isDeepStrictEqual(a.get(urn), b.get(urn)));
    assert.deepEqual(changed, [one(before2, T.group).urn]);
    const diff = Object.keys({ ...a.get(changed[0] ?? ''), ...b.get(changed[0] ?? '') }).filter(
      (key) => !isDeepStrictEqual(a.get(changed[0] ?? '')?.[key], b.get(changed[0] ?? '')?.[key]),
    );
    assert.deepEqual(diff.toSorted(), ['desiredCapacity', 'maxSize', 'minSize']);
  });

  it('mock run: a destroy leaves nothing: no resource is protected, retained, imported or only read', async () => {
    const { run } = await mockRun(3, 2);
    assert.equal(run.reads, 0, 'no resource is adopted by reading it');
    for (const resource of run.resources) {
      assert.equal(resource.protect, false, `${resource.name} is not protected`);
      assert.equal(resource.retainOnDelete, false, `${resource.name} is not retained on delete`);
      assert.equal(resource.importId, '', `${resource.name} is not imported`);
    }
    assert.equal(field(one(run, T.bucket), 'forceDestroy', z.boolean()), true, 'the bucket goes with its objects');
    // Everything else the program uses is looked up, not owned: the Flatcar image and the base domain's zone.
    assert.deepEqual(run.calls.map((call) => call.token).toSorted(), [
      'aws:ec2/getAmi:getAmi',
      'aws:route53/getZone:getZone',
    ]);
  });

  it('mock run: IMDSv2 with a hop limit of 1 on every machine; IAM only for the controllers, each reading its own object', async () => {
    const { run } = await mockRun(3, 2);
    const metadata = z.object({
      httpTokens: z.literal('required'),
      httpPutResponseHopLimit: z.literal(1),
      httpEndpoint: z.literal('enabled'),
    });
    for (const machine of [...ofType(run, T.instance), one(run, T.launchTemplate)]) {
      field(machine, 'metadataOptions', metadata);
    }
    assert.equal(one(run, T.launchTemplate).inputs['iamInstanceProfile'], undefined, 'workers get no IAM identity');
    const bucket = `${field(one(run, T.bucket), 'bucketPrefix', z.string())}`;
    const profiles = new Map(
      ofType(run, T.instanceProfile).map((profile) => [
        field(profile, 'name', z.string()),
        field(profile, 'role', z.string()),
      ]),
    );
    const policies = new Map(
      ofType(run, T.rolePolicy).map((policy) => [
        field(policy, 'role', z.string()),
        field(policy, 'policy', z.string()),
      ]),
    );
    const statement = z.object({
      Version: z.literal('2012-10-17'),
      Statement: z.tuple([
        z.object({ Effect: z.literal('Allow'), Action: z.literal('s3:GetObject'), Resource: z.string() }),
      ]),
    });
    for (const instance of ofType(run, T.instance)) {
      const role = profiles.get(field(instance, 'iamInstanceProfile', z.string()));
      assert.ok(role !== undefined, `${instance.name} has its own profile`);
      const policy = statement.parse(JSON.parse(policies.get(role) ?? 'null'));
      assert.ok(policy.Statement[0].Resource.startsWith(`arn:aws:s3:::${bucket}`));
      assert.ok(
        policy.Statement[0].Resource.endsWith(`/${instance.name}.ign`),
        `${instance.name} reads only its own config`,
      );
    }
    assert.equal(new Set(profiles.values()).size, ofType(run, T.instance).length, 'one role per controller');
    const block = one(run, T.publicAccessBlock);
    for (const setting of ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets']) {
      assert.equal(block.inputs[setting], true, setting);
    }
  });

  it("mock run: machines boot Flatcar of the config's channel, looked up from Flatcar's account", async () => {
    const { run } = await mockRun(1, 2);
    const lookup = run.calls.find((call) => call.token === 'aws:ec2/getAmi:getAmi');
    assert.ok(lookup);
    const query = z
      .object({
        owners: z.array(z.string()),
        mostRecent: z.boolean(),
        filters: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
      })
      .parse(lookup.inputs);
    assert.deepEqual(query.owners, ['075585003325']);
    assert.equal(query.mostRecent, true);
    assert.deepEqual(Object.fromEntries(query.filters.map((filter) => [filter.name, filter.values])), {
      name: ['Flatcar-stable-*'],
      architecture: ['x86_64'],
      'virtualization-type': ['hvm'],
    });
    assert.equal(field(one(run, T.instance), 'ami', z.string()), MOCK_IMAGE_ID);
    assert.equal(field(one(run, T.launchTemplate), 'imageId', z.string()), MOCK_IMAGE_ID);
    assert.equal(field(one(run, T.launchTemplate), 'instanceType', z.string()), 't3.large');
    assert.deepEqual(
      one(run, T.instance).ignoreChanges.toSorted(),
      ['ami', 'userData'],
      'a new image never replaces a controller',
    );
  });

  it("mock run: Route53 gets the API's alias and each etcd member's address in the base domain's zone", async () => {
    const { input, run } = await mockRun(3, 2);
    const zone = run.calls.find((call) => call.token === 'aws:route53/getZone:getZone');
    assert.deepEqual(zone?.inputs, { name: 'aws.example.com', privateZone: false });
    const records = new Map(ofType(run, T.record).map((record) => [field(record, 'name', z.string()), record]));
    const api = records.get(input.topology.apiDnsName);
    assert.ok(api);
    assert.equal(field(api, 'zoneId', z.string()), MOCK_ZONE_ID);
    const loadBalancer = one(run, T.loadBalancer);
    const aliases = field(api, 'aliases', z.array(z.object({ name: z.string(), zoneId: z.string() }).loose()));
    assert.deepEqual(
      aliases.map((alias) => [alias.name, alias.zoneId]),
      [[loadBalancer.outputs['dnsName'], loadBalancer.outputs['zoneId']]],
    );
    const addresses = new Map(
      platformStackOutputsSchema.parse(run.outputs).nodes.map((node) => [node.name, node.address]),
    );
    for (const controller of input.topology.controllers) {
      const record = records.get(controller.etcdHost);
      assert.ok(record, controller.etcdHost);
      assert.equal(field(record, 'zoneId', z.string()), MOCK_ZONE_ID);
      assert.deepEqual(field(record, 'records', z.array(z.string())), [addresses.get(controller.name)]);
    }
    assert.equal(records.size, 1 + input.topology.controllers.length);
  });

  it('mock run: a render missing a target, or a worker config over 16 KiB, is refused naming the target', async () => {
    const { input } = await mockRun(3, 2);
    const without = new Map(input.ignition);
    without.delete('demo-controller-2');
    await assert.rejects(
      runWithMocks(awsProgram({ ...input, ignition: without })),
      (error: unknown) => error instanceof AwsProgramError && error.context['target'] === 'demo-controller-2',
    );
    const oversized = new Map(input.ignition).set('demo-worker', JSON.stringify({ padding: 'x'.repeat(16 * 1024) }));
    await assert.rejects(
      runWithMocks(awsProgram({ ...input, ignition: oversized })),
      (error: unknown) => error instanceof AwsProgramError && error.context['pool'] === 'worker',
    );
  });
});

/** A long cluster name with a reserved prefix, a 63-character pool name: every explicit name within AWS's rules. */
describe('AWS names under Pulumi mocks', () => {
  // AWS's rules, written out here independently of names.ts.
  const RULES: Record<string, { max: number; pattern: RegExp; not?: RegExp }> = {
    [T.securityGroup]: { max: 255, pattern: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, not: /^sg-/ },
    [T.loadBalancer]: { max: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, not: /^internal-/ },
    [T.targetGroup]: { max: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/ },
    [T.role]: { max: 64, pattern: /^[\w+=,.@-]+$/ },
    [T.instanceProfile]: { max: 128, pattern: /^[\w+=,.@-]+$/ },
    [T.rolePolicy]: { max: 128, pattern: /^[\w+=,.@-]+$/ },
    [T.launchTemplate]: { max: 128, pattern: /^[A-Za-z0-9().\-/_]{3,}$/ },
    [T.group]: { max: 255, pattern: /^[^:]+$/ },
  };
  let dir: RenderDir;
  let config: ClusterConfig;
  let run: Run;
  before(async () => {
    dir = await renderDir();
    config = anAwsConfig({
      name: `internal-${'a'.repeat(31)}`,
      workerPools: [{ name: `p${'9'.repeat(61)}z`, count: 1 }],
    });
    run = await runWithMocks(awsProgram(await dir.render(config)));
  });
  after(() => dir.remove());

  it('mock run: explicit names meet each kind rule for a 40-character cluster name and a 63-character pool', () => {
    assert.equal(config.name.length, 40);
    let checked = 0;
    for (const resource of run.resources) {
      const rule = RULES[resource.type];
      if (rule === undefined) continue;
      const name = field(resource, 'name', z.string());
      assert.ok(name.length <= rule.max, `${resource.type} "${name}" is at most ${rule.max} characters`);
      assert.match(name, rule.pattern);
      if (rule.not !== undefined) assert.doesNotMatch(name, rule.not);
      checked += 1;
    }
    assert.equal(checked, Object.keys(RULES).length + 1, 'one name of each kind, and a second security group');
    const prefix = field(one(run, T.bucket), 'bucketPrefix', z.string());
    assert.ok(prefix.length <= 37, `bucket prefix ${prefix}`);
    assert.match(`${prefix}${'0'.repeat(26)}`, /^(?!xn--|sthree-|amzn-s3-demo-)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
    for (const resource of run.resources) {
      const tags = resource.inputs['tags'];
      if (tags === undefined || Array.isArray(tags)) continue;
      for (const [key, value] of Object.entries(z.record(z.string(), z.string()).parse(tags))) {
        assert.ok(key.length <= 128 && value.length <= 256, `${resource.name}: tag ${key}`);
      }
    }
    for (const record of ofType(run, T.record)) {
      const name = field(record, 'name', z.string());
      assert.ok(name.length <= 253 && name.split('.').every((label) => label.length <= 63), name);
    }
  });
});
