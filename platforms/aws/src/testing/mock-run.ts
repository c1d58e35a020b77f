// Runs a Pulumi program under Pulumi's own mocks (no AWS, no engine) and
// records what the engine would have been asked: each resource's type, name,
// inputs (and which are secret), its options that decide what a destroy does,
// and each data source call. AWS is the one thing that cannot run here.
import * as pulumi from '@pulumi/pulumi';
import { MockMonitor } from '@pulumi/pulumi/runtime/mocks.js';
import { z } from 'zod';

export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly id: string;
  readonly custom: boolean;
  /** The inputs as the provider would get them, secrets unwrapped. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The state the mocks answered with: the inputs plus what AWS would compute (ids, ARNs, addresses). */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Top-level inputs sent as secrets (kept encrypted in the state). */
  readonly secretInputs: ReadonlySet<string>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly importId: string;
  readonly ignoreChanges: readonly string[];
}

export interface DataSourceCall {
  readonly token: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

export interface MockRun<T> {
  readonly resources: readonly RegisteredResource[];
  readonly calls: readonly DataSourceCall[];
  /** Resources the program read (`Resource.get`) rather than created; a destroy leaves those alone. */
  readonly reads: number;
  readonly outputs: T;
}

/** The slice of Pulumi's RegisterResourceRequest this recorder reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getImportid(): string;
  getIgnorechangesList(): string[];
  getObject(): ProtobufStruct | undefined;
}

/** The protobuf Struct Pulumi sends a resource's inputs in. */
type ProtobufStruct = Parameters<typeof pulumi.runtime.deserializeProperties>[0];

interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): ProtobufStruct | undefined;
}

type Callback<R> = (error: unknown, response: R | undefined) => void;

const recordSchema = z.record(z.string(), z.unknown());

const MOCK_ACCOUNT = '123456789012';
export const MOCK_IMAGE_ID = 'ami-0123456789abcdef0';
export const MOCK_ZONE_ID = 'Z0MOCKZONE';
export const MOCK_LOAD_BALANCER_ZONE_ID = 'Z0MOCKNLB';
/** What the provider appends to a bucket prefix: 26 characters. */
export const MOCK_BUCKET_SUFFIX = '20261204000000000000000001';

function shortType(type: string): string {
  return type.split(':').at(-1) ?? type;
}

/** The state AWS would report for a created resource: its inputs plus what AWS computes. */
function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  instances: Map<string, number>,
): { id: string; state: Record<string, unknown> } {
  const id = `${shortType(type)}:${name}`;
  const arn = `arn:aws:mock:us-east-1:${MOCK_ACCOUNT}:${shortType(type).toLowerCase()}/${name}`;
  switch (type) {
    case 'aws:ec2/instance:Instance': {
      const index = instances.get(name) ?? instances.size;
      instances.set(name, index);
      return { id, state: { ...inputs, arn, privateIp: `10.0.${index}.10` } };
    }
    case 'aws:lb/loadBalancer:LoadBalancer':
      return {
        id,
        state: { ...inputs, arn, dnsName: `${name}.elb.amazonaws.com`, zoneId: MOCK_LOAD_BALANCER_ZONE_ID },
      };
    case 'aws:s3/bucket:Bucket': {
      const bucket = `${z.string().parse(inputs['bucketPrefix'])}${MOCK_BUCKET_SUFFIX}`;
      return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
    }
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return { id, state: { ...inputs, arn, latestVersion: 1 } };
    default:
      return { id, state: { ...inputs, arn } };
  }
}

function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case 'aws:ec2/getAmi:getAmi':
      return { ...inputs, id: MOCK_IMAGE_ID, imageId: MOCK_IMAGE_ID, architecture: 'x86_64' };
    case 'aws:route53/getZone:getZone':
      return { ...inputs, id: MOCK_ZONE_ID, zoneId: MOCK_ZONE_ID };
    default:
      throw new Error(`no mock for the data source ${token}`);
  }
}

/** A value as the provider gets it: secrets unwrapped at every depth. */
function unwrapSecrets(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) return unwrapSecrets(pulumi.runtime.unwrapRpcSecret(value));
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)]));
  }
  return value;
}

function resolved<T>(value: T): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => {
    pulumi.output(value).apply((unwrapped) => {
      resolve(unwrapped);
      return unwrapped;
    });
  });
}

function recorded(request: RegisterRequest, response: RegisterResponse): RegisteredResource {
  const object = request.getObject();
  const state = response.getObject();
  const raw = recordSchema.parse(object?.toJavaScript() ?? {});
  return {
    type: request.getType(),
    name: request.getName(),
    urn: response.getUrn(),
    id: response.getId(),
    custom: request.getCustom(),
    inputs: object === undefined ? {} : recordSchema.parse(unwrapSecrets(pulumi.runtime.deserializeProperties(object))),
    outputs: state === undefined ? {} : recordSchema.parse(unwrapSecrets(pulumi.runtime.deserializeProperties(state))),
    secretInputs: new Set(Object.keys(raw).filter((key) => pulumi.runtime.isRpcSecret(raw[key]))),
    protect: request.getProtect() ?? false,
    retainOnDelete: request.getRetainondelete() ?? false,
    importId: request.getImportid(),
    ignoreChanges: request.getIgnorechangesList(),
  };
}

/**
 * Runs `program` against Pulumi's mocks and waits for every registration.
 * One run at a time: Pulumi's runtime state is global to the process.
 */
export async function runWithMocks<T>(program: () => Promise<T>): Promise<MockRun<pulumi.Unwrap<T>>> {
  const resources: RegisteredResource[] = [];
  const calls: DataSourceCall[] = [];
  const instances = new Map<string, number>();
  let reads = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => mockState(args.type, args.name, recordSchema.parse(args.inputs), instances),
      call: (args) => {
        const inputs = recordSchema.parse(args.inputs);
        calls.push({ token: args.token, inputs });
        return mockCall(args.token, inputs);
      },
    },
    'strata-aws',
    'mock',
    false,
  );
  const installed = pulumi.runtime.getMonitor();
  if (!(installed instanceof MockMonitor)) throw new Error('setMocks did not install the mock monitor');
  // Pulumi's own mock monitor, keeping each request as the engine would have received it.
  const monitor: MockMonitor = installed;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: RegisterRequest, callback: Callback<RegisterResponse>) =>
    register(request, (error: unknown, response: RegisterResponse | undefined) => {
      if (error === null && response !== undefined) resources.push(recorded(request, response));
      callback(error, response);
    });
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (request: unknown, callback: Callback<unknown>) => {
    reads += 1;
    return read(request, callback);
  };
  const outputs = await resolved(await program());
  await pulumi.runtime.disconnect();
  return { resources, calls, reads, outputs };
}
