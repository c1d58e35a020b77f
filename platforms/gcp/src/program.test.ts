import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { UPDATE_SERVER_PORT, type PlatformProgramInput } from '@strata/assets';
import { GcpPlatformError } from './errors.ts';
import { CLUSTER_LABEL, gcpResourceNames, satisfiesRule, type NameKind } from './names.ts';
import { gcpProgram, IAP_SSH_RANGE, NODE_METADATA } from './program.ts';
import { aGcpConfig, renderCluster, type PoolSpec, type RenderedCluster } from './testing/fixtures.ts';
import {
  isSecret,
  MOCK_API_ADDRESS,
  MOCK_IMAGE,
  ofType,
  revealed,
  runMocked,
  type MockRun,
  type RecordedResource,
} from './testing/mocks.ts';

const T = {
  stack: 'pulumi:pulumi:Stack',
  provider: 'pulumi:providers:gcp',
  network: 'gcp:compute/network:Network',
  subnetwork: 'gcp:compute/subnetwork:Subnetwork',
  router: 'gcp:compute/router:Router',
  nat: 'gcp:compute/routerNat:RouterNat',
  firewall: 'gcp:compute/firewall:Firewall',
  account: 'gcp:serviceaccount/account:Account',
  bucket: 'gcp:storage/bucket:Bucket',
  object: 'gcp:storage/bucketObject:BucketObject',
  bucketMember: 'gcp:storage/bucketIAMMember:BucketIAMMember',
  instance: 'gcp:compute/instance:Instance',
  instanceGroup: 'gcp:compute/instanceGroup:InstanceGroup',
  healthCheck: 'gcp:compute/regionHealthCheck:RegionHealthCheck',
  backendService: 'gcp:compute/regionBackendService:RegionBackendService',
  address: 'gcp:compute/address:Address',
  forwardingRule: 'gcp:compute/forwardingRule:ForwardingRule',
  recordSet: 'gcp:dns/recordSet:RecordSet',
  template: 'gcp:compute/instanceTemplate:InstanceTemplate',
  groupManager: 'gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager',
} as const;

// --- what the tests read from resource inputs, parsed rather than cast ----------

const firewallSchema = z.looseObject({
  name: z.string(),
  allows: z.array(z.looseObject({ protocol: z.string(), ports: z.array(z.string()).optional() })),
  sourceRanges: z.array(z.string()).optional(),
  sourceTags: z.array(z.string()).optional(),
  targetTags: z.array(z.string()).optional(),
});
const instanceSchema = z.looseObject({
  name: z.string(),
  zone: z.string(),
  metadata: z.record(z.string(), z.string()),
  networkInterfaces: z.array(z.looseObject({ accessConfigs: z.array(z.unknown()).optional() })),
  serviceAccount: z.looseObject({ email: z.string(), scopes: z.array(z.string()) }),
  bootDisk: z.looseObject({ initializeParams: z.looseObject({ image: z.string() }) }),
  tags: z.array(z.string()),
});
const templateSchema = z.looseObject({
  metadata: z.record(z.string(), z.string()),
  disks: z.array(z.looseObject({ sourceImage: z.string() })),
  networkInterfaces: z.array(z.looseObject({ accessConfigs: z.array(z.unknown()).optional() })),
  tags: z.array(z.string()),
});
const groupManagerSchema = z.looseObject({ name: z.string(), targetSize: z.number() });
const objectSchema = z.looseObject({ bucket: z.string(), name: z.string(), content: z.string() });
const memberSchema = z.looseObject({
  bucket: z.string(),
  role: z.string(),
  member: z.string(),
  condition: z.looseObject({ expression: z.string() }),
});
const pointerSchema = z.strictObject({
  ignition: z.strictObject({
    version: z.string(),
    config: z.strictObject({
      replace: z.strictObject({ source: z.string(), verification: z.strictObject({ hash: z.string() }) }),
    }),
  }),
});
const recordSetSchema = z.looseObject({ name: z.string(), managedZone: z.string(), rrdatas: z.array(z.string()) });
const selfLinked = z.looseObject({ selfLink: z.string() });

function parsed<T>(schema: z.ZodType<T>, resource: RecordedResource): T {
  return schema.parse(revealed(resource.inputs));
}

function only(run: MockRun, type: string): RecordedResource {
  const found = ofType(run, type);
  assert.equal(found.length, 1, `one ${type}`);
  const [resource] = found;
  assert.ok(resource);
  return resource;
}

function byId(run: MockRun, type: string, id: string): RecordedResource {
  const found = ofType(run, type).find((resource) => `${resource.name}-id` === id);
  assert.ok(found, `a resource with id ${id}`);
  return found;
}

function bySelfLink(run: MockRun, link: string): RecordedResource {
  const found = run.resources.find((resource) => selfLinked.safeParse(resource.state).data?.selfLink === link);
  assert.ok(found, `a resource at ${link}`);
  return found;
}

function typeCounts(run: MockRun): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of run.resources) counts[resource.type] = (counts[resource.type] ?? 0) + 1;
  return counts;
}

/** The cluster's resources by kind, as the design says they should be (1 zone per controller up to the zones). */
function expectedCounts(controllers: number, zones: number, pools: number): Record<string, number> {
  return {
    [T.stack]: 1,
    [T.provider]: 1,
    [T.network]: 1,
    [T.subnetwork]: 1,
    [T.router]: 1,
    [T.nat]: 1,
    [T.firewall]: 5,
    [T.bucket]: 1,
    [T.address]: 1,
    [T.healthCheck]: 1,
    [T.backendService]: 1,
    [T.forwardingRule]: 1,
    [T.account]: controllers + 1,
    [T.object]: controllers,
    [T.bucketMember]: controllers,
    [T.instance]: controllers,
    [T.instanceGroup]: Math.min(controllers, zones),
    [T.recordSet]: controllers + 1,
    [T.template]: pools,
    [T.groupManager]: pools,
  };
}

const sha512 = (text: string): string => `sha512-${createHash('sha512').update(text, 'utf8').digest('hex')}`;

function opensPort(rule: z.infer<typeof firewallSchema>, protocol: string, port: number): boolean {
  return rule.allows.some(
    (allow) =>
      (allow.protocol === protocol || allow.protocol === 'all') &&
      (allow.ports === undefined ||
        allow.ports.some((range) => {
          const [low = '', high = low] = range.split('-');
          return Number(low) <= port && port <= Number(high);
        })),
  );
}

const WORLD = ['0.0.0.0/0', '::/0'];

// --- one real render per controller count, read for every worker count ----------

const renders = new Map<number, RenderedCluster>();

async function inputFor(controllers: 1 | 3, pools: readonly PoolSpec[]): Promise<PlatformProgramInput> {
  const render = renders.get(controllers);
  assert.ok(render, `a render with ${controllers} controllers`);
  return render.input(aGcpConfig({ controllers, workerPools: pools }));
}

before(async () => {
  for (const controllers of [1, 3] as const) {
    renders.set(controllers, await renderCluster(aGcpConfig({ controllers })));
  }
});
after(async () => {
  for (const render of renders.values()) await render.remove();
});

describe('the GCP program under Pulumi mocks', () => {
  test('mock runs: resource counts for 1 and 3 controllers and 0, 2 and 50 workers', async () => {
    for (const controllers of [1, 3] as const) {
      for (const workers of [0, 2, 50]) {
        const input = await inputFor(controllers, [{ name: 'general', count: workers }]);
        const run = await runMocked(gcpProgram(input));
        assert.deepEqual(
          typeCounts(run),
          expectedCounts(controllers, 3, 1),
          `${controllers} controllers, ${workers} workers`,
        );
        assert.equal(parsed(groupManagerSchema, only(run, T.groupManager)).targetSize, workers);
        assert.deepEqual(
          run.outputs.nodes.map((node) => [node.name, node.role, node.count]),
          [
            ...input.topology.controllers.map((controller) => [controller.name, 'controller', undefined]),
            ['demo-general', 'worker', workers],
          ],
        );
      }
    }
  });

  test('mock run with two pools: one template and one group per pool, each with its machine type', async () => {
    const config = aGcpConfig({
      controllers: 1,
      workerPools: [
        { name: 'general', count: 2 },
        { name: 'big', count: 1, instanceType: 'n2-standard-8' },
      ],
    });
    const render = await renderCluster(config);
    try {
      const run = await runMocked(gcpProgram(await render.input()));
      assert.deepEqual(typeCounts(run), expectedCounts(1, 3, 2));
      const types = ofType(run, T.template).map((template) => [template.name, template.inputs['machineType']]);
      assert.deepEqual(types, [
        ['template/demo-general', 'n2-standard-2'],
        ['template/demo-big', 'n2-standard-8'],
      ]);
    } finally {
      await render.remove();
    }
  });

  test("mock run: each machine's user data is the Ignition rendered for it, controllers' behind a private object", async () => {
    for (const controllers of [1, 3] as const) {
      const input = await inputFor(controllers, [{ name: 'general', count: 2 }]);
      const names = gcpResourceNames(input.config);
      const run = await runMocked(gcpProgram(input));
      const objects = ofType(run, T.object);
      for (const controller of input.topology.controllers) {
        const rendered = input.ignition.get(controller.name);
        assert.ok(rendered);
        const instance = ofType(run, T.instance).find((resource) => resource.name === controller.name);
        assert.ok(instance, controller.name);
        const userData = parsed(instanceSchema, instance).metadata['user-data'];
        assert.ok(userData);
        assert.doesNotMatch(userData, /PRIVATE(%20| )KEY/);
        const pointer = pointerSchema.parse(JSON.parse(userData));
        assert.equal(pointer.ignition.config.replace.source, `gs://${names.ignitionBucket}/${controller.name}.ign`);
        assert.equal(pointer.ignition.config.replace.verification.hash, sha512(rendered));
        const object = objects.find((resource) => parsed(objectSchema, resource).name === `${controller.name}.ign`);
        assert.ok(object, `the object of ${controller.name}`);
        assert.equal(parsed(objectSchema, object).content, rendered);
        assert.equal(parsed(objectSchema, object).bucket, names.ignitionBucket);
        assert.ok(isSecret(object.inputs['content']), 'the full config is a secret in the state');
        assert.match(rendered, /PRIVATE(%20| )KEY/, 'the rendered config is the one holding the keys');
      }
      const template = only(run, T.template);
      assert.equal(parsed(templateSchema, template).metadata['user-data'], input.ignition.get('demo-general'));
      assert.ok(isSecret(template.inputs['metadata']), "the pool's config (bootstrap token) is a secret in the state");
      for (const resource of [...ofType(run, T.instance), template]) {
        const metadata = z.record(z.string(), z.string()).parse(revealed(resource.inputs['metadata']));
        for (const [key, value] of Object.entries(NODE_METADATA)) assert.equal(metadata[key], value, key);
      }
    }
  });

  test("mock run: each controller's object is readable by that controller's account only, the bucket by no one else", async () => {
    const input = await inputFor(3, [{ name: 'general', count: 2 }]);
    const names = gcpResourceNames(input.config);
    const run = await runMocked(gcpProgram(input));
    const bucket = parsed(
      z.looseObject({ uniformBucketLevelAccess: z.literal(true), publicAccessPrevention: z.literal('enforced') }),
      only(run, T.bucket),
    );
    assert.ok(bucket);
    const members = ofType(run, T.bucketMember).map((resource) => parsed(memberSchema, resource));
    assert.equal(members.length, 3);
    for (const [index, controller] of input.topology.controllers.entries()) {
      const instance = parsed(
        instanceSchema,
        ofType(run, T.instance).find((resource) => resource.name === controller.name) ?? assert.fail(controller.name),
      );
      const account = names.controllers[index]?.serviceAccountId;
      assert.equal(instance.serviceAccount.email, `${account}@strata-test-123.iam.gserviceaccount.com`);
      assert.deepEqual(instance.serviceAccount.scopes, ['https://www.googleapis.com/auth/devstorage.read_only']);
      const grants = members.filter((member) => member.member === `serviceAccount:${instance.serviceAccount.email}`);
      assert.deepEqual(
        grants.map((grant) => [grant.role, grant.condition.expression]),
        [
          [
            'roles/storage.objectViewer',
            `resource.name == "projects/_/buckets/${names.ignitionBucket}/objects/${controller.name}.ign"`,
          ],
        ],
      );
    }
    const workerTemplate = parsed(
      z.looseObject({ serviceAccount: z.looseObject({ email: z.string() }) }),
      only(run, T.template),
    );
    assert.ok(members.every((member) => !member.member.includes(workerTemplate.serviceAccount.email)));
  });

  test('mock run: the 6443 forwarding rule reaches exactly the controllers', async () => {
    for (const controllers of [1, 3] as const) {
      const input = await inputFor(controllers, [{ name: 'general', count: 2 }]);
      const run = await runMocked(gcpProgram(input));
      const rule = parsed(
        z.looseObject({
          portRange: z.string(),
          ipProtocol: z.string(),
          backendService: z.string(),
          ipAddress: z.string(),
        }),
        only(run, T.forwardingRule),
      );
      assert.equal(rule.portRange, '6443');
      assert.equal(rule.ipProtocol, 'TCP');
      assert.equal(rule.ipAddress, MOCK_API_ADDRESS);
      const backend = parsed(
        z.looseObject({
          backends: z.array(z.looseObject({ group: z.string() })),
          healthChecks: z.string(),
        }),
        byId(run, T.backendService, rule.backendService),
      );
      const members = backend.backends.flatMap(
        (entry) => parsed(z.looseObject({ instances: z.array(z.string()) }), bySelfLink(run, entry.group)).instances,
      );
      const controllerLinks = ofType(run, T.instance).map((instance) => selfLinked.parse(instance.state).selfLink);
      assert.equal(controllerLinks.length, controllers);
      assert.deepEqual([...members].sort(), [...controllerLinks].sort());
      const check = parsed(
        z.looseObject({ httpsHealthCheck: z.looseObject({ port: z.number(), requestPath: z.string() }) }),
        byId(run, T.healthCheck, backend.healthChecks),
      );
      assert.deepEqual(check.httpsHealthCheck, { port: 6443, requestPath: '/readyz' });
      // The API's DNS name points at the rule's address, in the most specific public zone.
      const api = ofType(run, T.recordSet)
        .map((record) => parsed(recordSetSchema, record))
        .find((record) => record.name === 'api.demo.gcp.example.com.');
      assert.deepEqual(api, { ...api, managedZone: 'gcp-example-com', rrdatas: [MOCK_API_ADDRESS] });
    }
  });

  test('mock run: no world-open SSH; etcd only from controllers; the update server from the nodes; the only world-open port is the API', async () => {
    const input = await inputFor(3, [{ name: 'general', count: 2 }]);
    const names = gcpResourceNames(input.config);
    const run = await runMocked(gcpProgram(input));
    const rules = ofType(run, T.firewall).map((resource) => parsed(firewallSchema, resource));
    const sshRules = rules.filter((rule) => opensPort(rule, 'tcp', 22));
    assert.ok(sshRules.length > 0);
    for (const rule of sshRules) {
      assert.deepEqual(rule.sourceRanges, [IAP_SSH_RANGE], rule.name);
      assert.equal(rule.sourceTags, undefined, rule.name);
    }
    for (const port of [2379, 2380]) {
      const etcdRules = rules.filter((rule) => opensPort(rule, 'tcp', port));
      assert.equal(etcdRules.length, 1, `one rule opens ${port}`);
      for (const rule of etcdRules) {
        assert.equal(rule.sourceRanges, undefined, rule.name);
        assert.deepEqual(rule.sourceTags, [names.tags.controller], rule.name);
        assert.deepEqual(rule.targetTags, [names.tags.controller], rule.name);
      }
    }
    const updateServerRules = rules.filter((rule) => opensPort(rule, 'tcp', UPDATE_SERVER_PORT));
    assert.deepEqual(
      updateServerRules.map((rule) => [rule.name, rule.sourceRanges, rule.sourceTags, rule.targetTags]),
      [[names.firewall.updateServer, undefined, [names.tags.controller, names.tags.worker], [names.tags.controller]]],
      "the update server's port: the controllers, from the nodes' tags only",
    );
    const worldOpen = rules.filter((rule) => rule.sourceRanges?.some((range) => WORLD.includes(range)));
    assert.deepEqual(
      worldOpen.map((rule) => [rule.allows, rule.targetTags]),
      [[[{ protocol: 'tcp', ports: ['6443'] }], [names.tags.controller]]],
    );
    // No node has a public address: nothing but the load balancer is reachable from outside.
    for (const resource of [...ofType(run, T.instance), ...ofType(run, T.template)]) {
      const interfaces = z
        .looseObject({ networkInterfaces: z.array(z.looseObject({ accessConfigs: z.array(z.unknown()).optional() })) })
        .parse(revealed(resource.inputs)).networkInterfaces;
      assert.ok(interfaces.every((entry) => entry.accessConfigs === undefined || entry.accessConfigs.length === 0));
    }
  });

  test("mock run: every resource that takes labels carries the cluster's", async () => {
    const input = await inputFor(3, [{ name: 'general', count: 2 }]);
    const run = await runMocked(gcpProgram(input));
    const require = createRequire(import.meta.url);
    // Which kinds take labels, read from the provider SDK itself rather than listed by hand.
    const labelField = (type: string): string | undefined => {
      if (type === T.provider) return 'defaultLabels';
      const module = /^gcp:([^:]+):/.exec(type)?.[1];
      if (module === undefined) return undefined;
      const source = readFileSync(require.resolve(`@pulumi/gcp/${module}.js`), 'utf8');
      return source.includes('resourceInputs["labels"] = args?.labels') ? 'labels' : undefined;
    };
    const labelled = [...new Set(run.resources.map((resource) => resource.type))].filter(
      (type) => labelField(type) !== undefined,
    );
    for (const type of [T.instance, T.template, T.bucket, T.address, T.forwardingRule, T.provider]) {
      assert.ok(labelled.includes(type), `${type} takes labels`);
    }
    for (const resource of run.resources) {
      const field = labelField(resource.type);
      if (field === undefined) continue;
      // The provider sends its default labels as JSON text.
      const value = revealed(resource.inputs[field]);
      const labels = z.record(z.string(), z.string()).parse(typeof value === 'string' ? JSON.parse(value) : value);
      assert.equal(labels[CLUSTER_LABEL], 'demo', `${resource.type} ${resource.name}`);
    }
    for (const resource of ofType(run, T.instance)) {
      const disk = z
        .looseObject({
          bootDisk: z.looseObject({ initializeParams: z.looseObject({ labels: z.record(z.string(), z.string()) }) }),
        })
        .parse(revealed(resource.inputs));
      assert.equal(disk.bootDisk.initializeParams.labels[CLUSTER_LABEL], 'demo');
    }
  });

  test("mock run: names fit Google Cloud's rules with the longest cluster and pool names", async () => {
    const longCluster = `k${'8'.repeat(38)}s`;
    const longPool = `p${'o'.repeat(61)}l`;
    const config = aGcpConfig({ name: longCluster, controllers: 3, workerPools: [{ name: longPool, count: 2 }] });
    assert.equal(config.name.length, 40);
    const render = await renderCluster(config);
    try {
      const run = await runMocked(gcpProgram(await render.input()));
      const checked: [NameKind, string][] = [];
      const nameKinds: Partial<Record<string, [string, NameKind][]>> = {
        [T.account]: [['accountId', 'serviceAccountId']],
        [T.bucket]: [['name', 'bucket']],
        [T.template]: [['namePrefix', 'namePrefix']],
        [T.groupManager]: [
          ['name', 'compute'],
          ['baseInstanceName', 'baseInstanceName'],
        ],
      };
      for (const resource of run.resources) {
        // Record sets carry the config's DNS names, objects and IAM members no resource name.
        if ([T.stack, T.provider, T.recordSet, T.object, T.bucketMember].some((type) => type === resource.type))
          continue;
        const inputs = z.record(z.string(), z.unknown()).parse(revealed(resource.inputs));
        for (const [field, kind] of nameKinds[resource.type] ?? [['name', 'compute']]) {
          checked.push([kind, z.string().parse(inputs[field])]);
        }
        for (const field of ['tags', 'targetTags', 'sourceTags']) {
          for (const tag of z.array(z.string()).optional().parse(inputs[field]) ?? [])
            checked.push(['networkTag', tag]);
        }
        const labels = z.record(z.string(), z.string()).optional().parse(inputs['labels']) ?? {};
        for (const [key, value] of Object.entries(labels)) checked.push(['labelKey', key], ['labelValue', value]);
      }
      assert.ok(checked.length > 30);
      for (const [kind, name] of checked) assert.ok(satisfiesRule(kind, name), `${kind} "${name}"`);
      // Controllers keep their node names, which become their hostnames.
      assert.deepEqual(
        ofType(run, T.instance).map((instance) => instance.inputs['name']),
        [0, 1, 2].map((index) => `${longCluster}-controller-${index}`),
      );
      // Names of one kind are unique.
      const accounts = ofType(run, T.account).map((account) => account.inputs['accountId']);
      assert.equal(new Set(accounts).size, accounts.length);
    } finally {
      await render.remove();
    }
  });

  test('mock runs: changing the worker count changes only the worker group', async () => {
    const two = await runMocked(gcpProgram(await inputFor(3, [{ name: 'general', count: 2 }])));
    const fifty = await runMocked(gcpProgram(await inputFor(3, [{ name: 'general', count: 50 }])));
    const key = (resource: RecordedResource): string => `${resource.type}::${resource.name}`;
    const before = new Map(two.resources.map((resource) => [key(resource), resource.inputs]));
    const changed = fifty.resources.filter((resource) => !isDeepEqual(before.get(key(resource)), resource.inputs));
    assert.deepEqual(changed.map(key), [`${T.groupManager}::group/demo-general`]);
    const groupBefore = only(two, T.groupManager).inputs;
    const groupAfter = only(fifty, T.groupManager).inputs;
    assert.deepEqual({ ...groupAfter, targetSize: groupBefore['targetSize'] }, groupBefore, 'only the size changes');
    assert.deepEqual([groupBefore['targetSize'], groupAfter['targetSize']], [2, 50]);
    assert.deepEqual(new Set(fifty.resources.map(key)), new Set(before.keys()));
    // The premise of reading one render for both: rendering the same cluster
    // again with another count leaves the pool's Ignition as it was.
    const render = await renderCluster(aGcpConfig({ controllers: 1, workerPools: [{ name: 'general', count: 2 }] }));
    try {
      const atTwo = (await render.input()).ignition.get('demo-general');
      const fiftyConfig = aGcpConfig({ controllers: 1, workerPools: [{ name: 'general', count: 50 }] });
      await render.rerender(fiftyConfig);
      assert.ok(atTwo);
      assert.equal((await render.input(fiftyConfig)).ignition.get('demo-general'), atTwo);
    } finally {
      await render.remove();
    }
  });

  test("mock run: the program's only calls are read-only lookups, and no resource outlives a destroy", async () => {
    const input = await inputFor(3, [{ name: 'general', count: 2 }]);
    const run = await runMocked(gcpProgram(input));
    assert.deepEqual(
      run.calls.map((call) => [call.token, call.inputs]),
      [
        ['gcp:compute/getImage:getImage', { family: 'flatcar-stable', project: 'kinvolk-public' }],
        ['gcp:dns/getManagedZones:getManagedZones', { project: 'strata-test-123' }],
      ],
    );
    // Pulumi's destroy does not run the program: the engine deletes every
    // resource of the stack's state. So the program must create nothing
    // outside its resources (its calls are the two reads above), and keep no
    // resource from deletion.
    const declared = run.resources.filter((resource) => resource.type !== T.stack);
    assert.equal(run.options.length, declared.length);
    assert.deepEqual(
      run.options.filter((options) => options.protect || options.retainOnDelete),
      [],
    );
    assert.equal(parsed(z.looseObject({ forceDestroy: z.boolean() }), only(run, T.bucket)).forceDestroy, true);
    for (const instance of ofType(run, T.instance)) {
      assert.equal(parsed(instanceSchema, instance).bootDisk.initializeParams.image, MOCK_IMAGE);
      assert.equal(
        z.looseObject({ bootDisk: z.looseObject({ autoDelete: z.literal(true) }) }).safeParse(instance.inputs).success,
        true,
      );
    }
  });

  test('mock run: the stack outputs are PlatformStackOutputs with the controllers’ private addresses', async () => {
    const input = await inputFor(3, [{ name: 'general', count: 2 }]);
    const run = await runMocked(gcpProgram(input));
    assert.equal(run.outputs.apiEndpoint, 'https://api.demo.gcp.example.com:6443');
    const records = ofType(run, T.recordSet).map((record) => parsed(recordSetSchema, record));
    for (const node of run.outputs.nodes.filter((candidate) => candidate.role === 'controller')) {
      const instance = ofType(run, T.instance).find((resource) => resource.name === node.name);
      assert.ok(instance);
      const ip = z
        .looseObject({ networkInterfaces: z.array(z.looseObject({ networkIp: z.string() })) })
        .parse(instance.state).networkInterfaces[0]?.networkIp;
      assert.equal(node.address, ip);
      const index = Number(node.name.split('-').at(-1));
      const etcd = records.find((record) => record.name === `demo-etcd${index}.gcp.example.com.`);
      assert.deepEqual(etcd, { ...etcd, managedZone: 'gcp-example-com', rrdatas: [ip] });
    }
  });

  test('mock run: a domain without a public Cloud DNS zone fails with the zones it saw', async () => {
    const input = await inputFor(1, [{ name: 'general', count: 2 }]);
    await assert.rejects(
      runMocked(gcpProgram(input), [{ name: 'internal', dnsName: 'gcp.example.com.', visibility: 'private' }]),
      (error: unknown) => {
        assert.ok(error instanceof GcpPlatformError);
        assert.equal(error.context['dnsName'], 'api.demo.gcp.example.com');
        assert.deepEqual(error.context['zones'], [
          { name: 'internal', dnsName: 'gcp.example.com.', visibility: 'private' },
        ]);
        return true;
      },
    );
  });
});

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
