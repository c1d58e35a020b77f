// Runs an inline Pulumi program against Pulumi's mocks and records what it
// registers: each resource's type, name, inputs and the options that decide
// what `destroy` may leave behind.
import * as pulumi from '@pulumi/pulumi';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';

export const MOCK_SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';

export interface MockedResource {
  readonly type: string;
  /** Pulumi's name of the resource (its URN's last part). */
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly id: string;
  /** Set when the resource asks Pulumi to keep it: `protect` or `retainOnDelete`. */
  readonly kept: boolean;
  /** Inputs whose changes the engine leaves alone on an existing resource. */
  readonly ignoreChanges: readonly string[];
}

export interface MockedRun {
  /** The provider's resources (not the stack or provider resources Pulumi registers itself). */
  readonly resources: readonly MockedResource[];
  readonly calls: readonly string[];
  readonly outputs: Record<string, unknown>;
}

/** The input that holds each resource kind's Azure name, which Azure reports back as `name`. */
export const AZURE_NAME_INPUT: Readonly<Record<string, string>> = {
  'azure-native:resources:ResourceGroup': 'resourceGroupName',
  'azure-native:network:VirtualNetwork': 'virtualNetworkName',
  'azure-native:network:Subnet': 'subnetName',
  'azure-native:network:NetworkSecurityGroup': 'networkSecurityGroupName',
  'azure-native:network:PublicIPAddress': 'publicIpAddressName',
  'azure-native:network:NatGateway': 'natGatewayName',
  'azure-native:network:LoadBalancer': 'loadBalancerName',
  'azure-native:network:NetworkInterface': 'networkInterfaceName',
  'azure-native:privatedns:PrivateZone': 'privateZoneName',
  'azure-native:privatedns:VirtualNetworkLink': 'virtualNetworkLinkName',
  'azure-native:privatedns:PrivateRecordSet': 'relativeRecordSetName',
  'azure-native:dns:Zone': 'zoneName',
  'azure-native:dns:RecordSet': 'relativeRecordSetName',
  'azure-native:storage:StorageAccount': 'accountName',
  'azure-native:storage:BlobContainer': 'containerName',
  'azure-native:storage:Blob': 'blobName',
  'azure-native:managedidentity:UserAssignedIdentity': 'resourceName',
  'azure-native:compute:VirtualMachine': 'vmName',
  'azure-native:compute:VirtualMachineScaleSet': 'vmScaleSetName',
};

// What Azure computes that the program reads back.
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const nameInput = AZURE_NAME_INPUT[type];
  const azureName = nameInput === undefined ? name : inputs[nameInput];
  const state: Record<string, unknown> = { name: azureName };
  if (type === 'azure-native:managedidentity:UserAssignedIdentity') {
    state['principalId'] = `principal-of-${name}`;
  }
  if (type === 'azure-native:network:PublicIPAddress') state['ipAddress'] = '203.0.113.10';
  return state;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getIgnorechangesList(): string[];
}

interface PatchableMonitor {
  registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
}

function isPatchable(monitor: unknown): monitor is PatchableMonitor {
  return typeof monitor === 'object' && monitor !== null && 'registerResource' in monitor;
}

export async function runMocked(program: PulumiFn): Promise<MockedRun> {
  const resources: MockedResource[] = [];
  const calls: string[] = [];
  const kept = new Set<string>();
  const ignored = new Map<string, readonly string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const id = `/mock/${args.type}/${args.name}`;
        const inputs = args.inputs as Record<string, unknown>;
        if (args.type.startsWith('azure-native:')) {
          resources.push({
            type: args.type,
            name: args.name,
            inputs,
            id,
            kept: kept.has(`${args.type}::${args.name}`),
            ignoreChanges: ignored.get(`${args.type}::${args.name}`) ?? [],
          });
        }
        return { id, state: { ...inputs, ...computedState(args.type, args.name, inputs) } };
      },
      call(args) {
        calls.push(args.token);
        if (args.token === 'azure-native:authorization:getClientConfig') {
          return {
            subscriptionId: MOCK_SUBSCRIPTION,
            tenantId: 'mock-tenant',
            clientId: 'mock-client',
            objectId: 'mock',
          };
        }
        throw new Error(`the program called ${args.token}, which the mocks do not answer`);
      },
    },
    'strata',
    'mock',
    false,
  );
  // The mocks see a resource's inputs only; the options that keep a resource through `destroy` come with the
  // registration request, which the mock monitor receives first.
  const monitor: unknown = pulumi.runtime.getMonitor();
  if (!isPatchable(monitor)) throw new Error('the mock monitor has no registerResource');
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    if (req.getProtect() === true || req.getRetainondelete() === true) kept.add(`${req.getType()}::${req.getName()}`);
    ignored.set(`${req.getType()}::${req.getName()}`, req.getIgnorechangesList());
    return register(req, callback);
  };
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => (await program()) as unknown)) ?? {};
  // Registrations go on after the outputs resolve; this waits for every pending one.
  await pulumi.runtime.disconnect();
  return { resources, calls, outputs };
}

const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** Whether a mocked input arrived as a secret. */
export function isSecretInput(value: unknown): boolean {
  return typeof value === 'object' && value !== null && SECRET_SIG in value;
}

/** A mocked input with its secret wrappers taken off, at any depth. */
export function revealed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealed);
  // Only plain objects are input structures; an asset keeps its promised text.
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const record = value as Record<string, unknown>;
  if (SECRET_SIG in record) return revealed(record['value']);
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, revealed(inner)]));
}
