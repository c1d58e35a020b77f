// The Azure program run against Pulumi's mocks with really rendered assets:
// what it declares, how machines get their Ignition, who can reach what, and
// the names, tags and options every resource carries.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { platformStackOutputsSchema } from '@strata/api';
import { UPDATE_SERVER_PORT, type PlatformProgramInput } from '@strata/assets';
import { CLUSTER_TAG, STORAGE_BLOB_DATA_READER_ROLE } from './constants.ts';
import { azureProgram } from './program.ts';
import { nameProblem, type NameKind } from './names.ts';
import { anAzureConfig, renderDirectory, type RenderDirectory } from './testing/fixtures.ts';
import {
  AZURE_NAME_INPUT,
  isSecretInput,
  MOCK_SUBSCRIPTION,
  revealed,
  runMocked,
  type MockedResource,
  type MockedRun,
} from './testing/mock-run.ts';
import { allowsTcp, type InboundRule } from './testing/nsg.ts';

const T = {
  group: 'azure-native:resources:ResourceGroup',
  network: 'azure-native:network:VirtualNetwork',
  subnet: 'azure-native:network:Subnet',
  nsg: 'azure-native:network:NetworkSecurityGroup',
  publicIp: 'azure-native:network:PublicIPAddress',
  nat: 'azure-native:network:NatGateway',
  loadBalancer: 'azure-native:network:LoadBalancer',
  nic: 'azure-native:network:NetworkInterface',
  privateZone: 'azure-native:privatedns:PrivateZone',
  zoneLink: 'azure-native:privatedns:VirtualNetworkLink',
  privateRecord: 'azure-native:privatedns:PrivateRecordSet',
  zone: 'azure-native:dns:Zone',
  record: 'azure-native:dns:RecordSet',
  account: 'azure-native:storage:StorageAccount',
  container: 'azure-native:storage:BlobContainer',
  blob: 'azure-native:storage:Blob',
  identity: 'azure-native:managedidentity:UserAssignedIdentity',
  role: 'azure-native:authorization:RoleAssignment',
  vm: 'azure-native:compute:VirtualMachine',
  scaleSet: 'azure-native:compute:VirtualMachineScaleSet',
} as const;

type Json = Record<string, unknown>;

function asRecord(value: unknown, what: string): Json {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${what} is not an object`);
  return value as Json;
}

function asArray(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is not an array`);
  return value;
}

/** A nested input, secrets revealed: at(resource, 'osProfile', 'customData'). */
function at(resource: MockedResource, ...path: (string | number)[]): unknown {
  let value: unknown = revealed(resource.inputs);
  for (const key of path) {
    value = typeof key === 'number' ? asArray(value, key.toString())[key] : asRecord(value, String(key))[key];
  }
  return value;
}

function ofType(run: MockedRun, type: string): MockedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

function one(run: MockedRun, type: string, name: string): MockedResource {
  const found = run.resources.filter((resource) => resource.type === type && resource.name === name);
  assert.equal(found.length, 1, `${type} ${name}: found ${found.length}`);
  return found[0]!;
}

function decodeBase64(value: unknown): string {
  assert.equal(typeof value, 'string');
  return Buffer.from(value as string, 'base64').toString('utf8');
}

async function assetText(value: unknown): Promise<string> {
  const asset = revealed(value);
  assert.ok(typeof asset === 'object' && asset !== null && 'text' in asset, 'the source is not a text asset');
  return String(await asset.text);
}

/** Compares configs that hold keys by their digests, so that a failure never prints a key. */
function digest(text: string | undefined): string {
  return createHash('sha256')
    .update(text ?? '(none)')
    .digest('hex');
}

/** "<type>::<name>", a resource's identity across runs. */
const resourceKey = (resource: MockedResource) => `${resource.type}::${resource.name}`;

/** The resources of `later` whose inputs differ from `earlier`'s, after asserting both declare the same resources. */
function changedBetween(earlier: MockedRun, later: MockedRun): MockedResource[] {
  const previous = new Map(earlier.resources.map((resource) => [resourceKey(resource), resource]));
  assert.deepEqual(later.resources.map(resourceKey).sort(), [...previous.keys()].sort());
  return later.resources.filter(
    (resource) =>
      JSON.stringify(revealed(resource.inputs)) !==
      JSON.stringify(revealed(previous.get(resourceKey(resource))!.inputs)),
  );
}

interface Rendered {
  readonly dir: RenderDirectory;
  readonly byWorkers: Map<number, PlatformProgramInput>;
}

const WORKER_COUNTS = [0, 2, 50] as const;
const CONTROLLER_COUNTS = [1, 3] as const;

describe('the Azure program (mocks)', () => {
  // One render directory per controller count; other worker counts render into it again, reusing its keys.
  const rendered = new Map<number, Rendered>();
  const runs = new Map<string, MockedRun>();
  const runOf = (controllers: number, workers: number): MockedRun => {
    const run = runs.get(`${controllers}/${workers}`);
    assert.ok(run !== undefined);
    return run;
  };
  const inputOf = (controllers: number, workers: number): PlatformProgramInput => {
    const input = rendered.get(controllers)?.byWorkers.get(workers);
    assert.ok(input !== undefined);
    return input;
  };

  before(async () => {
    for (const controllers of CONTROLLER_COUNTS) {
      const dir = await renderDirectory();
      const byWorkers = new Map<number, PlatformProgramInput>();
      rendered.set(controllers, { dir, byWorkers });
      for (const workers of WORKER_COUNTS) {
        const input = await dir.render(
          anAzureConfig({ controllers, workerPools: [{ name: 'worker', count: workers }] }),
        );
        byWorkers.set(workers, input);
        runs.set(`${controllers}/${workers}`, await runMocked(azureProgram(input)));
      }
    }
  });
  after(async () => {
    for (const { dir } of rendered.values()) await dir.remove();
  });

  test('mock: resource counts for 1 and 3 controllers and 0, 2 and 50 workers', () => {
    for (const controllers of CONTROLLER_COUNTS) {
      for (const workers of WORKER_COUNTS) {
        const run = runOf(controllers, workers);
        const counts = Object.fromEntries(Object.values(T).map((type) => [type, ofType(run, type).length]));
        assert.deepEqual(
          counts,
          {
            [T.group]: 1,
            [T.network]: 1,
            [T.subnet]: 2,
            [T.nsg]: 2,
            [T.publicIp]: 2,
            [T.nat]: 1,
            [T.loadBalancer]: 1,
            [T.nic]: controllers,
            [T.privateZone]: 1,
            [T.zoneLink]: 1,
            // One etcd name per controller and the API name.
            [T.privateRecord]: controllers + 1,
            [T.zone]: 1,
            [T.record]: 1,
            [T.account]: 1,
            [T.container]: controllers,
            [T.blob]: controllers,
            [T.identity]: controllers,
            [T.role]: controllers,
            [T.vm]: controllers,
            [T.scaleSet]: 1,
          },
          `${controllers} controllers, ${workers} workers`,
        );
        assert.equal(run.resources.length, 17 + 7 * controllers);
        const [scaleSet] = ofType(run, T.scaleSet);
        assert.equal(at(scaleSet!, 'sku', 'capacity'), workers);
        assert.deepEqual(run.calls, ['azure-native:authorization:getClientConfig']);
      }
    }
  });

  test('mock: the stack outputs name the API and every machine, and pass the platform schema', () => {
    const outputs = platformStackOutputsSchema.parse(runOf(3, 2).outputs);
    assert.equal(outputs.apiEndpoint, 'https://api.blue.azure.example.com:6443');
    assert.deepEqual(outputs.nodes, [
      { name: 'blue-controller-0', role: 'controller', address: '10.0.0.10' },
      { name: 'blue-controller-1', role: 'controller', address: '10.0.0.11' },
      { name: 'blue-controller-2', role: 'controller', address: '10.0.0.12' },
      { name: 'blue-worker', role: 'worker', count: 2 },
    ]);
    // The controllers' addresses are the ones their interfaces and etcd records get; the API name points at the
    // load balancer's address, privately and publicly.
    const run = runOf(3, 2);
    const apiIp = one(run, T.publicIp, 'blue-api-ip');
    assert.deepEqual(at(one(run, T.privateRecord, 'private/api.blue'), 'aRecords'), [{ ipv4Address: '203.0.113.10' }]);
    assert.deepEqual(at(one(run, T.record, 'public/api.blue.azure.example.com/A'), 'targetResource'), { id: apiIp.id });
    const [loadBalancer] = ofType(run, T.loadBalancer);
    assert.deepEqual(at(loadBalancer!, 'frontendIPConfigurations', 0, 'publicIPAddress'), { id: apiIp.id });
    for (const node of outputs.nodes.filter((n) => n.role === 'controller')) {
      const index = node.name.slice(-1);
      assert.equal(at(one(run, T.nic, `${node.name}-nic`), 'ipConfigurations', 0, 'privateIPAddress'), node.address);
      assert.deepEqual(at(one(run, T.privateRecord, `private/blue-etcd${index}`), 'aRecords'), [
        { ipv4Address: node.address },
      ]);
    }
  });

  test('mock: each controller boots from a pointer to a private blob holding exactly its rendered Ignition', async () => {
    for (const controllers of CONTROLLER_COUNTS) {
      const run = runOf(controllers, 2);
      const input = inputOf(controllers, 2);
      const account = ofType(run, T.account)[0]!;
      assert.equal(at(account, 'allowBlobPublicAccess'), false);
      for (const node of input.topology.controllers) {
        const vm = one(run, T.vm, node.name);
        const pointer = JSON.parse(decodeBase64(at(vm, 'osProfile', 'customData'))) as Json;
        const replace = asRecord(
          asRecord(asRecord(pointer['ignition'], 'ignition')['config'], 'config')['replace'],
          'replace',
        );
        const container = one(run, T.container, `${at(account, 'accountName') as string}/controller-${node.index}`);
        const blob = one(run, T.blob, `${at(account, 'accountName') as string}/controller-${node.index}/config.ign`);
        assert.equal(
          replace['source'],
          `https://${at(account, 'accountName') as string}.blob.core.windows.net/${at(container, 'containerName') as string}/${at(blob, 'blobName') as string}`,
        );
        assert.equal(at(container, 'publicAccess'), 'None');
        assert.equal(at(blob, 'containerName'), at(container, 'containerName'));
        // The blob holds the rendered config byte for byte, and the pointer pins it by its sha512.
        const content = await assetText(blob.inputs['source']);
        assert.equal(
          digest(content),
          digest(input.ignition.get(node.name)),
          `${node.name}'s blob differs from its render`,
        );
        const hash = createHash('sha512').update(content).digest('hex');
        assert.deepEqual(replace['verification'], { hash: `sha512-${hash}` });
        // The keys stay out of the custom data and encrypted in the state.
        assert.doesNotMatch(decodeBase64(at(vm, 'osProfile', 'customData')), /PRIVATE KEY/);
        assert.ok(content.includes('/etc/kubernetes/pki/ca.key'), 'the blob lacks the CA key it exists to carry');
        assert.ok(isSecretInput(blob.inputs['source']), `${node.name}'s blob is not a secret in the state`);
      }
    }
  });

  test("mock: each worker scale set's custom data is its pool's rendered Ignition", () => {
    for (const controllers of CONTROLLER_COUNTS) {
      for (const workers of WORKER_COUNTS) {
        const run = runOf(controllers, workers);
        const input = inputOf(controllers, workers);
        for (const group of input.topology.workers) {
          const scaleSet = one(run, T.scaleSet, group.name);
          const customData = at(scaleSet, 'virtualMachineProfile', 'osProfile', 'customData');
          assert.equal(digest(decodeBase64(customData)), digest(input.ignition.get(group.name)), group.name);
          assert.ok(isSecretInput(scaleSet.inputs['virtualMachineProfile']), 'the bootstrap token is not a secret');
        }
      }
    }
  });

  test("mock: only a controller's own identity may read its blob, and the controller runs as that identity", () => {
    const run = runOf(3, 2);
    const roles = ofType(run, T.role);
    for (const node of inputOf(3, 2).topology.controllers) {
      const identity = one(run, T.identity, `${node.name}-id`);
      const container = ofType(run, T.container).find((c) => at(c, 'containerName') === `controller-${node.index}`)!;
      const readers = roles.filter((role) => at(role, 'scope') === container.id);
      assert.equal(readers.length, 1, `${node.name}'s container has ${readers.length} role assignments`);
      assert.equal(at(readers[0]!, 'principalId'), `principal-of-${identity.name}`);
      assert.equal(
        at(readers[0]!, 'roleDefinitionId'),
        `/subscriptions/${MOCK_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_READER_ROLE}`,
      );
      assert.deepEqual(at(one(run, T.vm, node.name), 'identity'), {
        type: 'UserAssigned',
        userAssignedIdentities: [identity.id],
      });
    }
    // No scale set carries an identity that could read a controller's blob.
    for (const scaleSet of ofType(run, T.scaleSet)) assert.equal(at(scaleSet, 'identity'), undefined);
  });

  test('mock: the 6443 rule targets exactly the controllers', () => {
    for (const controllers of CONTROLLER_COUNTS) {
      const run = runOf(controllers, 2);
      const [loadBalancer] = ofType(run, T.loadBalancer);
      const rules = asArray(at(loadBalancer!, 'loadBalancingRules'), 'rules').map((rule) => asRecord(rule, 'rule'));
      assert.equal(rules.length, 1);
      const rule = rules[0]!;
      assert.equal(rule['frontendPort'], 6443);
      assert.equal(rule['backendPort'], 6443);
      const poolId = asRecord(rule['backendAddressPool'], 'backendAddressPool')['id'];
      assert.equal(typeof poolId, 'string');
      // The members of that pool: the interfaces that name it, and the machines those belong to.
      const members = ofType(run, T.nic).filter((nic) =>
        JSON.stringify(at(nic, 'ipConfigurations')).includes(JSON.stringify(poolId)),
      );
      const machines = ofType(run, T.vm).filter((vm) =>
        members.some((nic) => JSON.stringify(at(vm, 'networkProfile')).includes(JSON.stringify(nic.id))),
      );
      assert.deepEqual(
        machines.map((vm) => vm.name),
        inputOf(controllers, 2).topology.controllers.map((node) => node.name),
      );
      assert.equal(members.length, controllers);
      for (const scaleSet of ofType(run, T.scaleSet)) {
        assert.doesNotMatch(JSON.stringify(revealed(scaleSet.inputs)), new RegExp(String(poolId)));
      }
    }
  });

  test('mock: SSH is not open to the world, etcd answers the controllers only, the update server the nodes', () => {
    const run = runOf(3, 2);
    const network = { virtualNetwork: at(ofType(run, T.network)[0]!, 'addressSpace', 'addressPrefixes', 0) as string };
    const rulesOf = (name: string) =>
      asArray(at(one(run, T.nsg, name), 'securityRules'), 'securityRules') as unknown as InboundRule[];
    const controllerRules = rulesOf('blue-controllers');
    const workerRules = rulesOf('blue-workers');
    // Every subnet is guarded by its group.
    for (const subnet of ofType(run, T.subnet)) {
      const group = subnet.name.endsWith('/controllers') ? 'blue-controllers' : 'blue-workers';
      assert.equal(at(subnet, 'networkSecurityGroup', 'id'), one(run, T.nsg, group).id);
    }
    const controller = '10.0.0.10';
    const otherController = '10.0.0.11';
    const worker = '10.0.128.5';
    for (const [rules, destination] of [
      [controllerRules, controller],
      [workerRules, worker],
    ] as const) {
      assert.equal(allowsTcp(rules, network, 'Internet', destination, 22).allowed, false, `SSH to ${destination}`);
    }
    for (const port of [2379, 2380]) {
      assert.equal(allowsTcp(controllerRules, network, { address: otherController }, controller, port).allowed, true);
      assert.equal(allowsTcp(controllerRules, network, { address: worker }, controller, port).allowed, false);
      assert.equal(allowsTcp(controllerRules, network, 'Internet', controller, port).allowed, false);
    }
    assert.equal(allowsTcp(controllerRules, network, 'Internet', controller, 6443).allowed, true);
    // The update server's port on the controllers: each node subnet by its own rule, never the Internet.
    assert.deepEqual(
      allowsTcp(controllerRules, network, { address: otherController }, controller, UPDATE_SERVER_PORT),
      {
        allowed: true,
        by: 'allow-update-server-from-controllers',
      },
    );
    assert.deepEqual(allowsTcp(controllerRules, network, { address: worker }, controller, UPDATE_SERVER_PORT), {
      allowed: true,
      by: 'allow-update-server-from-workers',
    });
    assert.equal(allowsTcp(controllerRules, network, 'Internet', controller, UPDATE_SERVER_PORT).allowed, false);
    // The nodes still reach each other (kubelet, flannel) through Azure's default rule.
    assert.equal(allowsTcp(workerRules, network, { address: controller }, worker, 10250).allowed, true);
  });

  test('mock: every resource that takes tags carries the cluster tag', async () => {
    const sdk = dirname(createRequire(import.meta.url).resolve('@pulumi/azure-native/package.json'));
    const takesTags = new Map<string, boolean>();
    const run = runOf(3, 2);
    for (const resource of run.resources) {
      if (!takesTags.has(resource.type)) {
        // The SDK's declaration of the resource's arguments says whether it has tags.
        const [, module, kind] = resource.type.split(':');
        const file = join(sdk, module!, `${kind![0]!.toLowerCase()}${kind!.slice(1)}.d.ts`);
        const declaration = await readFile(file, 'utf8');
        const args = new RegExp(`export interface ${kind}Args \\{([\\s\\S]*?)\\n\\}`).exec(declaration);
        assert.ok(args !== null, `no ${kind}Args in ${file}`);
        takesTags.set(resource.type, /\n {4}tags\?:/.test(args[1]!));
      }
      if (takesTags.get(resource.type) === true) {
        assert.deepEqual(at(resource, 'tags'), { [CLUSTER_TAG]: 'blue' }, `${resource.type} ${resource.name}`);
      }
    }
    // Tagged: most kinds; untaggable (subnets, record sets, containers, blobs, role assignments): the rest.
    assert.deepEqual(
      [...takesTags]
        .filter(([, tags]) => !tags)
        .map(([type]) => type)
        .sort(),
      [T.role, T.record, T.privateRecord, T.subnet, T.blob, T.container].sort(),
    );
  });

  test('mock: changing the worker count changes only the worker group', () => {
    for (const controllers of CONTROLLER_COUNTS) {
      // Rendered again into the same directory, the Ignition does not depend on the count.
      assert.deepEqual(inputOf(controllers, 50).ignition, inputOf(controllers, 2).ignition);
      const before = runOf(controllers, 2);
      const changed = changedBetween(before, runOf(controllers, 50));
      assert.deepEqual(changed.map(resourceKey), [`${T.scaleSet}::blue-worker`]);
      const [scaleSet] = changed;
      const withoutCapacity = (resource: MockedResource) => {
        const inputs = asRecord(revealed(resource.inputs), 'inputs');
        return { ...inputs, sku: { ...asRecord(inputs['sku'], 'sku'), capacity: 'any' } };
      };
      const [previous] = before.resources.filter((resource) => resourceKey(resource) === resourceKey(scaleSet!));
      assert.deepEqual(withoutCapacity(scaleSet!), withoutCapacity(previous!));
    }
  });

  test('mock: destroy leaves nothing: every resource is in the stack, none is kept, no machine leaves a disk', () => {
    const run = runOf(3, 50);
    // `pulumi destroy` deletes every resource of the stack's state except those kept by protect or
    // retainOnDelete; the mocks cannot run a destroy, so this checks what decides its outcome.
    assert.deepEqual(
      run.resources.filter((resource) => resource.kept).map((resource) => resource.name),
      [],
    );
    // Azure creates one resource on its own, the virtual machines' OS disks: they go with their machine. A
    // scale set's instances, with their disks and interfaces, go with the scale set.
    for (const vm of ofType(run, T.vm)) {
      assert.equal(at(vm, 'storageProfile', 'osDisk', 'deleteOption'), 'Delete', vm.name);
    }
    // Everything lives in the cluster's resource group (role assignments: on containers inside it).
    const group = at(ofType(run, T.group)[0]!, 'resourceGroupName');
    for (const resource of run.resources.filter((r) => r.type !== T.group && r.type !== T.role)) {
      assert.equal(at(resource, 'resourceGroupName'), group, `${resource.type} ${resource.name}`);
    }
    const containers = new Set(ofType(run, T.container).map((container) => container.id));
    for (const role of ofType(run, T.role)) assert.ok(containers.has(at(role, 'scope') as string));
  });

  test("mock: names follow Azure's rules even for the longest cluster and pool names", async () => {
    const cluster = 'a'.repeat(20) + '-' + 'b'.repeat(19);
    const pools = ['p'.repeat(62) + '1', 'p'.repeat(62) + '2'];
    const config = anAzureConfig({
      name: cluster,
      controllers: 3,
      workerPools: pools.map((name) => ({ name, count: 1 })),
    });
    const dir = await renderDirectory();
    let run: MockedRun;
    try {
      run = await runMocked(azureProgram(await dir.render(config)));
    } finally {
      await dir.remove();
    }
    const kinds: Record<string, NameKind> = {
      [T.network]: 'virtualNetwork',
      [T.subnet]: 'subnet',
      [T.nsg]: 'networkSecurityGroup',
      [T.publicIp]: 'publicIpAddress',
      [T.nat]: 'natGateway',
      [T.loadBalancer]: 'loadBalancer',
      [T.nic]: 'networkInterface',
      [T.privateZone]: 'dnsZone',
      [T.zoneLink]: 'privateZoneLink',
      [T.privateRecord]: 'recordSet',
      [T.zone]: 'dnsZone',
      [T.record]: 'recordSet',
      [T.account]: 'storageAccount',
      [T.container]: 'blobContainer',
      [T.blob]: 'blob',
      [T.identity]: 'userAssignedIdentity',
      [T.vm]: 'virtualMachine',
      [T.scaleSet]: 'scaleSet',
    };
    const problems: string[] = [];
    const check = (kind: NameKind, name: unknown) => {
      assert.equal(typeof name, 'string');
      const problem = nameProblem(kind, name as string);
      if (problem !== undefined) problems.push(problem);
    };
    for (const resource of run.resources) {
      const input = AZURE_NAME_INPUT[resource.type];
      if (input === undefined) {
        // Role assignments are named by Azure with a GUID; the resource group's name is the config's, checked there.
        assert.ok(resource.type === T.role || resource.type === T.group, `${resource.type} has no explicit name`);
        continue;
      }
      check(kinds[resource.type] ?? 'virtualNetwork', at(resource, input));
      if (resource.type === T.vm) {
        check('computerName', at(resource, 'osProfile', 'computerName'));
        check('disk', at(resource, 'storageProfile', 'osDisk', 'name'));
      }
      if (resource.type === T.scaleSet) {
        check('computerNamePrefix', at(resource, 'virtualMachineProfile', 'osProfile', 'computerNamePrefix'));
      }
      if (resource.type === T.loadBalancer) {
        for (const list of ['frontendIPConfigurations', 'backendAddressPools', 'probes', 'loadBalancingRules']) {
          for (const child of asArray(at(resource, list), list))
            check('loadBalancerChild', asRecord(child, list)['name']);
        }
      }
    }
    assert.deepEqual(problems, []);
    // Two pools whose names differ only past the limit still get distinct scale sets.
    const scaleSets = ofType(run, T.scaleSet).map((scaleSet) => at(scaleSet, 'vmScaleSetName'));
    assert.equal(new Set(scaleSets).size, 2);
  });
});

describe('the Azure program in availability zones (mocks)', () => {
  const dirs: RenderDirectory[] = [];
  /** Runs by "<controllers>/<workers>/<zones>", zones comma-separated ("" for none). */
  const runs = new Map<string, MockedRun>();
  const CASES = [
    { controllers: 1, workers: 2, zones: ['1', '2', '3'] },
    { controllers: 3, workers: 2, zones: ['1', '2', '3'] },
    { controllers: 3, workers: 5, zones: ['1', '2', '3'] },
    { controllers: 3, workers: 2, zones: ['3', '1'] },
    { controllers: 3, workers: 2, zones: [] },
  ] as const;
  const runOf = (controllers: number, workers: number, zones: readonly string[]): MockedRun => {
    const run = runs.get(`${controllers}/${workers}/${zones.join(',')}`);
    assert.ok(run !== undefined);
    return run;
  };
  /** The zones input of a resource, or undefined when it has none. */
  const zonesOf = (resource: MockedResource): unknown => asRecord(revealed(resource.inputs), 'inputs')['zones'];

  before(async () => {
    // One directory per controller count, so that runs differing in workers or zones share their keys.
    const byControllers = new Map<number, RenderDirectory>();
    for (const { controllers, workers, zones } of CASES) {
      let dir = byControllers.get(controllers);
      if (dir === undefined) {
        dir = await renderDirectory();
        dirs.push(dir);
        byControllers.set(controllers, dir);
      }
      const config = anAzureConfig({
        controllers,
        workerPools: [{ name: 'worker', count: workers }],
        ...(zones.length === 0 ? {} : { zones }),
      });
      runs.set(`${controllers}/${workers}/${zones.join(',')}`, await runMocked(azureProgram(await dir.render(config))));
    }
  });
  after(async () => {
    for (const dir of dirs) await dir.remove();
  });

  test('mock: controllers land in the zones round-robin, in the order the config names them', () => {
    const zonesByName = (run: MockedRun) =>
      ofType(run, T.vm)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((vm) => zonesOf(vm));
    assert.deepEqual(zonesByName(runOf(1, 2, ['1', '2', '3'])), [['1']]);
    assert.deepEqual(zonesByName(runOf(3, 2, ['1', '2', '3'])), [['1'], ['2'], ['3']]);
    // Fewer zones than controllers: the first zone takes the third controller.
    assert.deepEqual(zonesByName(runOf(3, 2, ['3', '1'])), [['3'], ['1'], ['3']]);
  });

  test("mock: the worker scale set spans the config's zones", () => {
    for (const zones of [
      ['1', '2', '3'],
      ['3', '1'],
    ] as const) {
      const [scaleSet, ...others] = ofType(runOf(3, 2, zones), T.scaleSet);
      assert.equal(others.length, 0);
      assert.deepEqual(zonesOf(scaleSet!), [...zones]);
    }
  });

  test("mock: the public IPs and so the API's frontend are Standard and zone-redundant over the zones", () => {
    const run = runOf(3, 2, ['1', '2', '3']);
    const ips = ofType(run, T.publicIp);
    assert.equal(ips.length, 2);
    for (const ip of ips) {
      assert.deepEqual(at(ip, 'sku'), { name: 'Standard' }, ip.name);
      assert.equal(at(ip, 'publicIPAllocationMethod'), 'Static', ip.name);
      assert.deepEqual(zonesOf(ip), ['1', '2', '3'], ip.name);
    }
    const [loadBalancer] = ofType(run, T.loadBalancer);
    assert.deepEqual(at(loadBalancer!, 'sku'), { name: 'Standard' });
    const frontends = asArray(at(loadBalancer!, 'frontendIPConfigurations'), 'frontends');
    assert.equal(frontends.length, 1);
    // The frontend of a public load balancer takes its zones from its IP: it names none of its own.
    assert.equal(asRecord(frontends[0], 'frontend')['zones'], undefined);
    const apiIp = ips.find((ip) => ip.name.includes('api'));
    assert.ok(apiIp !== undefined, `no API IP among ${ips.map((ip) => ip.name).join(', ')}`);
    assert.ok(
      JSON.stringify(revealed(frontends[0])).includes(apiIp.name),
      'the frontend is not on the zone-redundant API IP',
    );
  });

  test('mock: without zones nothing is zonal', () => {
    const run = runOf(3, 2, []);
    assert.ok(run.resources.length > 0);
    assert.deepEqual(
      run.resources.filter((resource) => zonesOf(resource) !== undefined).map((resource) => resource.name),
      [],
    );
    // The same cluster with zones differs only in what is placed: machines and IPs.
    const changed = changedBetween(run, runOf(3, 2, ['1', '2', '3']));
    assert.deepEqual(
      [...new Set(changed.map((resource) => resource.type))].sort(),
      [T.vm, T.scaleSet, T.publicIp].sort(),
    );
  });

  test('mock: with zones, changing the worker count still changes only the worker group', () => {
    const changed = changedBetween(runOf(3, 2, ['1', '2', '3']), runOf(3, 5, ['1', '2', '3']));
    assert.deepEqual(changed.map(resourceKey), [`${T.scaleSet}::blue-worker`]);
    assert.deepEqual(at(changed[0]!, 'sku', 'capacity'), 5);
    assert.deepEqual(zonesOf(changed[0]!), ['1', '2', '3']);
  });
});
