// matchbox's gRPC API (the Groups, Profiles, Ignition, Generic and Select services of matchbox v0.11.0's own .proto
// files), for bootcmd, terraform-provider-matchbox and Typhoon's bare-metal modules. Mutual TLS as matchbox requires
// it: only clients whose certificate the configured CA signed get past the handshake. Writes go through the same
// validation and store calls as the JSON write API, so both APIs accept and refuse the same things.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { pino, type Logger } from 'pino';
import type { z } from 'zod';
import { StrataError, groupWriteSchema, profileWriteSchema, templateNameSchema, type Group } from '@strata/api';
import { formatHostPort, listenAddressSchema } from '../api/address.ts';
import { storeRefusal, validateWrite, type WriteRefusal } from '../api/refusals.ts';
import { DEFAULT_MAX_BODY_BYTES, type WriteApiTls } from '../api/server.ts';
import { GroupIndex } from '../matching/group-index.ts';
import type { WritableBootStore } from '../store/store.ts';
import {
  groupBody,
  groupMessageOf,
  groupPutRequest,
  idRequest,
  nameRequest,
  profileBody,
  profileMessageOf,
  profilePutRequest,
  selectRequest,
  templatePutRequest,
  type Decoded,
} from './messages.ts';

export interface GrpcApiOptions {
  /** host:port, e.g. 127.0.0.1:8081 (port 0 picks a free one). */
  readonly address: string;
  readonly store: WritableBootStore;
  readonly tls: WriteApiTls;
  readonly logger?: Logger;
}

export interface RunningGrpcApi {
  /** host:port as gRPC clients take it (bootcmd's --endpoints, the provider's endpoint), with the real port. */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A call answered with a gRPC status other than OK. */
class GrpcRefusal extends StrataError {
  readonly code: grpc.status;

  constructor(code: grpc.status, message: string, context: Record<string, unknown> = {}) {
    super(message, { code: grpc.status[code], ...context });
    this.code = code;
  }
}

const notFound = (message: string) => new GrpcRefusal(grpc.status.NOT_FOUND, message);

/** A write refusal as a gRPC status; an invalid field is named by its path in the request message. */
function refusalStatus(refusal: WriteRefusal, within: string): GrpcRefusal {
  if (refusal.kind === 'Conflict') return new GrpcRefusal(grpc.status.ABORTED, refusal.message);
  const field = within === '' ? refusal.field : refusal.field === 'body' ? within : `${within}.${refusal.field}`;
  return new GrpcRefusal(grpc.status.INVALID_ARGUMENT, `${field}: ${refusal.message}`, { field });
}

/** Parses a request message, which proto-loader decoded, with zod. */
function parseRequest<T>(schema: z.ZodType<T>, request: unknown): T {
  const result = schema.safeParse(request);
  if (!result.success)
    throw new GrpcRefusal(grpc.status.INVALID_ARGUMENT, `the request does not decode: ${result.error.message}`);
  return result.data;
}

function validated<T>(schema: z.ZodType<T>, decoded: Decoded, within: string): T {
  if (!decoded.ok) throw refusalStatus(decoded.refusal, within);
  const result = validateWrite(schema, decoded.value);
  if (!result.ok) throw refusalStatus(result.refusal, within);
  return result.value;
}

function templateName(name: string): string {
  const result = validateWrite(templateNameSchema, name);
  if (!result.ok) throw refusalStatus({ ...result.refusal, field: 'name' }, '');
  return result.value;
}

function templateText(config: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(config);
  } catch {
    throw new GrpcRefusal(grpc.status.INVALID_ARGUMENT, 'config: must be valid UTF-8', { field: 'config' });
  }
}

const byId = <T extends { id: string }>(items: Iterable<T>): T[] =>
  [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

type Handler = (request: unknown) => Promise<object>;

/** Every method of the five services, by service and method name as the .proto files spell them. */
function handlers(store: WritableBootStore): Record<string, Record<string, Handler>> {
  const groups = () => store.snapshot().groups;
  const profiles = () => store.snapshot().profiles;
  const selectGroup = (request: unknown): Group => {
    const { labels } = parseRequest(selectRequest, request);
    // matchbox compares the labels as sent (no MAC normalisation on this path); the index ranks as matchbox sorts.
    const group = GroupIndex.fromEntries(groups()).match(new Map(Object.entries(labels)));
    if (group === undefined) throw notFound('matchbox: No matching Group');
    return group;
  };
  const template = (kind: 'ignition' | 'generic') => ({
    put: async (request: unknown) => {
      const { name, config } = parseRequest(templatePutRequest, request);
      await store.putTemplate(kind, templateName(name), templateText(config));
      return {};
    },
    get: (request: unknown) => {
      const { name } = parseRequest(nameRequest, request);
      const text = store.snapshot().templates[kind].get(name);
      if (text === undefined) throw notFound(`${kind} template ${JSON.stringify(name)} does not exist`);
      return Promise.resolve({ config: Buffer.from(text) });
    },
    delete: async (request: unknown) => {
      const { name } = parseRequest(nameRequest, request);
      if (!(await store.deleteTemplate(kind, templateName(name))))
        throw notFound(`${kind} template ${JSON.stringify(name)} does not exist`);
      return {};
    },
  });
  const ignition = template('ignition');
  const generic = template('generic');
  return {
    Groups: {
      GroupPut: async (request) => {
        const { group } = parseRequest(groupPutRequest, request);
        if (group === null)
          throw new GrpcRefusal(grpc.status.INVALID_ARGUMENT, 'group: is required', { field: 'group' });
        await store.putGroup(validated(groupWriteSchema, groupBody(group), 'group'));
        return {};
      },
      GroupGet: (request) => {
        const { id } = parseRequest(idRequest, request);
        const group = groups().get(id);
        if (group === undefined) throw notFound(`group ${JSON.stringify(id)} does not exist`);
        return Promise.resolve({ group: groupMessageOf(group) });
      },
      GroupDelete: async (request) => {
        const { id } = parseRequest(idRequest, request);
        if (!(await store.deleteGroup(id))) throw notFound(`group ${JSON.stringify(id)} does not exist`);
        return {};
      },
      GroupList: () => Promise.resolve({ groups: byId(groups().values()).map(groupMessageOf) }),
    },
    Profiles: {
      ProfilePut: async (request) => {
        const { profile } = parseRequest(profilePutRequest, request);
        if (profile === null)
          throw new GrpcRefusal(grpc.status.INVALID_ARGUMENT, 'profile: is required', { field: 'profile' });
        await store.putProfile(validated(profileWriteSchema, profileBody(profile), 'profile'));
        return {};
      },
      ProfileGet: (request) => {
        const { id } = parseRequest(idRequest, request);
        const profile = profiles().get(id);
        if (profile === undefined) throw notFound(`profile ${JSON.stringify(id)} does not exist`);
        return Promise.resolve({ profile: profileMessageOf(profile) });
      },
      ProfileDelete: async (request) => {
        const { id } = parseRequest(idRequest, request);
        if (!(await store.deleteProfile(id))) throw notFound(`profile ${JSON.stringify(id)} does not exist`);
        return {};
      },
      ProfileList: () => Promise.resolve({ profiles: byId(profiles().values()).map(profileMessageOf) }),
    },
    Ignition: { IgnitionPut: ignition.put, IgnitionGet: ignition.get, IgnitionDelete: ignition.delete },
    Generic: { GenericPut: generic.put, GenericGet: generic.get, GenericDelete: generic.delete },
    Select: {
      SelectGroup: (request) => Promise.resolve({ group: groupMessageOf(selectGroup(request)) }),
      SelectProfile: (request) => {
        const group = selectGroup(request);
        const profile = group.profile === '' ? undefined : profiles().get(group.profile);
        if (profile === undefined) throw notFound('matchbox: No matching Profile');
        return Promise.resolve({ profile: profileMessageOf(profile) });
      },
    },
  };
}

const PROTO_ROOT = fileURLToPath(new URL('./proto/', import.meta.url));

/** matchbox's services, loaded from its own .proto files as matchbox's Go stubs were generated from them. */
export function loadMatchboxProtos(): PackageDefinition {
  return loadSync('matchbox/rpc/rpcpb/rpc.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
}

export const MATCHBOX_SERVICES = ['Groups', 'Profiles', 'Ignition', 'Generic', 'Select'] as const;

/** A service of the loaded definition; proto-loader keys services by their full name. */
export function matchboxService(definition: PackageDefinition, name: string): grpc.ServiceDefinition {
  const found = definition[`rpcpb.${name}`];
  if (found === undefined || 'format' in found)
    throw new StrataError(`matchbox's .proto files define no service rpcpb.${name}`, { service: name });
  return found;
}

function clientName(call: grpc.ServerUnaryCall<unknown, unknown>): string {
  const subject = call.getAuthContext().sslPeerCertificate?.subject as Record<string, string | string[]> | undefined;
  const commonName = subject?.['CN'];
  return Array.isArray(commonName) ? commonName.join(',') : (commonName ?? '?');
}

/** Starts matchbox's gRPC API; resolves once it listens. */
export async function startGrpcApi(options: GrpcApiOptions): Promise<RunningGrpcApi> {
  const { host, port } = listenAddressSchema.parse(options.address);
  const logger = options.logger ?? pino({ enabled: false });
  const server = new grpc.Server({
    // Templates are stored whole, so a message is capped as the JSON write API caps a body.
    'grpc.max_receive_message_length': DEFAULT_MAX_BODY_BYTES,
  });
  const definition = loadMatchboxProtos();
  const services = handlers(options.store);
  for (const serviceName of MATCHBOX_SERVICES) {
    const methods = services[serviceName] ?? {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(methods)) {
      const unary: grpc.handleUnaryCall<unknown, object> = (call, callback) => {
        const started = performance.now();
        const log = { method: `${serviceName}/${method}`, client: clientName(call) };
        // A handler that throws before its first await still answers with its status, not grpc-js's UNKNOWN.
        Promise.resolve(call.request)
          .then(handler)
          .then(
            (response) => {
              logger[method.endsWith('Put') || method.endsWith('Delete') ? 'info' : 'debug'](
                { ...log, code: 'OK', ms: Math.round(performance.now() - started) },
                'gRPC API call',
              );
              callback(null, response);
            },
            (error: unknown) => {
              const fromStore = error instanceof GrpcRefusal ? undefined : storeRefusal(error);
              const refusal =
                error instanceof GrpcRefusal
                  ? error
                  : fromStore === undefined
                    ? undefined
                    : refusalStatus(fromStore, '');
              if (refusal === undefined) logger.error({ ...log, err: error }, 'gRPC API call failed');
              const code = refusal?.code ?? grpc.status.INTERNAL;
              const details =
                refusal?.message ?? `the store failed: ${error instanceof Error ? error.message : String(error)}`;
              logger.info(
                { ...log, code: grpc.status[code], ms: Math.round(performance.now() - started) },
                'gRPC API call',
              );
              callback({ code, details });
            },
          );
      };
      implementation[method] = unary;
    }
    server.addService(matchboxService(definition, serviceName), implementation);
  }
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(options.tls.caPem),
    [{ cert_chain: Buffer.from(options.tls.certPem), private_key: Buffer.from(options.tls.keyPem) }],
    true,
  );
  const bindHost = host ?? '::';
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(formatHostPort(bindHost, port), credentials, (error, actual) =>
      error
        ? reject(
            new StrataError(`the gRPC API cannot listen on ${options.address}: ${error.message}`, {
              address: options.address,
            }),
          )
        : resolve(actual),
    );
  });
  const endpoint = formatHostPort(host ?? '127.0.0.1', boundPort);
  logger.info({ endpoint }, 'matchbox gRPC API listening (mutual TLS)');
  return {
    endpoint,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}
