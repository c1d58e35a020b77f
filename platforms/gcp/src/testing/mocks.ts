// Runs a Pulumi program against Pulumi's own mocks (no cloud, no engine) and
// records what it declared: every resource with its inputs and options, every
// data source call, and the stack outputs. The mocked provider answers with
// the ids and computed fields Google Cloud would fill in.
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import { platformStackOutputsSchema, type PlatformStackOutputs } from '@strata/api';

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

export interface RecordedOptions {
  readonly type: string;
  readonly name: string;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Inputs whose changes the engine leaves alone on an existing resource. */
  readonly ignoreChanges: readonly string[];
}

export interface RecordedCall {
  readonly token: string;
  readonly inputs: Record<string, unknown>;
}

export interface MockRun {
  readonly resources: readonly RecordedResource[];
  readonly options: readonly RecordedOptions[];
  readonly calls: readonly RecordedCall[];
  readonly outputs: PlatformStackOutputs;
}

export interface MockZone {
  readonly name: string;
  readonly dnsName: string;
  readonly visibility: 'public' | 'private';
}

export const MOCK_PROJECT = 'strata-test-123';
export const MOCK_API_ADDRESS = '203.0.113.10';
export const MOCK_IMAGE = `https://www.googleapis.com/compute/v1/projects/kinvolk-public/global/images/flatcar-stable-4230-2-3-v20251201`;
/** The public zone of the fixtures' baseDomain, and a private one of the same domain that must not be used. */
export const MOCK_ZONES: readonly MockZone[] = [
  { name: 'example-com', dnsName: 'example.com.', visibility: 'public' },
  { name: 'gcp-example-com', dnsName: 'gcp.example.com.', visibility: 'public' },
  { name: 'gcp-example-com-internal', dnsName: 'gcp.example.com.', visibility: 'private' },
];

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** True when `value` is a secret as the mocks receive it (Pulumi's wire form). */
export function isSecret(value: unknown): boolean {
  const fields = record(value);
  return fields[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** `value` with every secret replaced by what it holds. */
export function revealed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealed);
  if (typeof value !== 'object' || value === null) return value;
  if (isSecret(value)) return revealed(record(value)['value']);
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, revealed(field)]));
}

/** A private address that depends only on the instance's name, so two runs of one program agree. */
function addressOf(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  return `10.0.${(digest[0] ?? 0) % 15}.${((digest[1] ?? 0) % 250) + 2}`;
}

/** What Google Cloud computes for a resource of `type`, on top of its inputs. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): object {
  const selfLink = `https://www.googleapis.com/compute/v1/projects/${MOCK_PROJECT}/${type}/${name}`;
  switch (type) {
    case 'gcp:compute/instance:Instance':
      return {
        selfLink,
        networkInterfaces: [{ ...record((inputs['networkInterfaces'] as unknown[])[0]), networkIp: addressOf(name) }],
      };
    case 'gcp:compute/instanceTemplate:InstanceTemplate':
      return { selfLink, selfLinkUnique: `${selfLink}?uniqueId=1`, name: `${String(inputs['namePrefix'])}x` };
    case 'gcp:compute/address:Address':
      return { selfLink, address: MOCK_API_ADDRESS };
    case 'gcp:serviceaccount/account:Account':
      return { email: `${String(inputs['accountId'])}@${MOCK_PROJECT}.iam.gserviceaccount.com` };
    default:
      return { selfLink };
  }
}

/** Runs `program` as the root of a mocked stack; throws what the program throws. */
export async function runMocked(program: PulumiFn, zones: readonly MockZone[] = MOCK_ZONES): Promise<MockRun> {
  const resources: RecordedResource[] = [];
  const calls: RecordedCall[] = [];
  const options: RecordedOptions[] = [];
  let failure: { error: unknown } | undefined;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = record(args.inputs);
        const state = { ...inputs, ...computedState(args.type, args.name, inputs) };
        resources.push({ type: args.type, name: args.name, inputs, state });
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        calls.push({ token: args.token, inputs: record(args.inputs) });
        switch (args.token) {
          case 'gcp:compute/getImage:getImage':
            return { selfLink: MOCK_IMAGE, name: MOCK_IMAGE.split('/').at(-1) };
          case 'gcp:dns/getManagedZones:getManagedZones':
            return { id: MOCK_PROJECT, managedZones: zones.map((zone) => ({ ...zone })) };
          default:
            throw new Error(`the mocks do not answer ${args.token}`);
        }
      },
    },
    'strata',
    'mock',
    false,
  );
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    // Every resource's options, as the engine would get them: protect or
    // retainOnDelete would keep a resource alive through a destroy.
    pulumi.runtime.registerStackTransformation((args) => {
      options.push({
        type: args.type,
        name: args.name,
        protect: args.opts.protect === true,
        retainOnDelete: args.opts.retainOnDelete === true,
        ignoreChanges: args.opts.ignoreChanges ?? [],
      });
      return undefined;
    });
    // A program that throws is reported here, once the stack has settled,
    // rather than through Pulumi's own promises, which would leave it unhandled.
    try {
      return await program();
    } catch (error) {
      failure = { error };
      return {};
    }
  });
  await pulumi.runtime.disconnect();
  if (failure !== undefined) throw failure.error;
  return { resources, options, calls, outputs: platformStackOutputsSchema.parse(outputs) };
}

/** The resources of `run` of one type. */
export function ofType(run: MockRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}
