// The JSON API for people and scripts, on the update server's own HTTPS port
// under /api/v1. Every request carries a bearer token, which the API server
// reviews (TokenReview); every action is then put to the cluster's
// authorizers (SubjectAccessReview) in terms of the custom resources it reads
// or writes, so RBAC decides who may see a group or pause it. Writes change
// the resources' spec (the server's own ServiceAccount writes, after the
// user's review allowed it), so GitOps sees every change.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP } from '@strata/api';
import { DelegatedAuth, EventRecorder, type ResourceAttributes, type ReviewedUser } from '@strata/kube';
import { BodyReadError, BodyTooLargeError, readBody } from '@strata/host';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CatalogController } from '../controller/catalog-controller.ts';
import { groupCounts } from '../controller/group-counts.ts';
import type { UpdateGroupResource } from '../controller/resources.ts';
import { UPDATE_SERVER_CONTROLLER } from '../controller/status-writer.ts';
import { findRelease, patchUpdateSpec, unknownReleaseError, type ReleaseChoice } from '../control/rollout-control.ts';
import { ApiRequestError, UpdateResourceNotFoundError } from '../errors.ts';
import { ChangeFeed, type ChangeFeedOptions } from './change-feed.ts';
import type { MachineRecord, UpdateStore } from '../store/store.ts';
import {
  API_PREFIX,
  emptyBodySchema,
  encodeContinueToken,
  machinesQuerySchema,
  MAX_API_BODY_BYTES,
  promoteBodySchema,
} from './schemas.ts';

export interface JsonApiOptions {
  /** The server's own credentials: for the reviews and for the writes RBAC allowed. */
  readonly kubeConfig: KubeConfig;
  readonly controller: CatalogController;
  readonly store: UpdateStore;
  /** Reported as the Events' reportingInstance. */
  readonly identity: string;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** The change feed's limits and intervals (GET /watch); its defaults when absent. */
  readonly feed?: ChangeFeedOptions;
}

export interface JsonApi {
  /** Answers a request whose path starts with API_PREFIX. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** The change feed GET /watch serves: its watchers can be counted and followed. */
  readonly feed: ChangeFeed;
  /** Ends the feed's streams and stops following the store and the catalog. */
  close(): void;
}

interface Context {
  readonly user: ReviewedUser;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly request: IncomingMessage;
}

type Route = {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  /** The RBAC question to ask before answering. */
  readonly access: (context: Omit<Context, 'user'>) => Promise<ResourceAttributes> | ResourceAttributes;
} & (
  | { readonly answer: (context: Context) => Promise<unknown> }
  /** A stream: it takes the response over (the change feed). */
  | { readonly stream: (context: Context, response: ServerResponse) => void }
);

const SEGMENT = '([a-z0-9][-a-z0-9.]{0,252})';
const API_GROUP = UPDATE_GROUP.group;

const access = (verb: string, resource: string, name?: string): ResourceAttributes => ({
  verb,
  group: API_GROUP,
  resource,
  ...(name === undefined ? {} : { name }),
});

function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new ApiRequestError(
    400,
    'BadRequest',
    `${where} ${field === '' ? '' : `${field} `}${issue?.message ?? ''}`.trim(),
    {
      field,
    },
  );
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function bearerToken(request: IncomingMessage): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (match?.[1] === undefined)
    throw new ApiRequestError(401, 'Unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
  return match[1];
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request, { maxBytes: MAX_API_BODY_BYTES });
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw new ApiRequestError(400, 'BadRequest', `the body is not JSON: ${(error as Error).message}`, { field: '' });
  }
}

const machineView = (machine: MachineRecord) => ({
  machineId: machine.machineId,
  alias: machine.alias,
  track: machine.track,
  currentVersion: machine.currentVersion,
  targetVersion: machine.targetVersion ?? null,
  state: machine.state ?? null,
  holdReason: machine.holdReason ?? null,
  lastErrorCode: machine.lastErrorCode ?? null,
  grantedAt: machine.grantedAt?.toISOString() ?? null,
  lastCheckAt: machine.lastCheckAt.toISOString(),
});

export function createJsonApi(options: JsonApiOptions): JsonApi {
  const { controller, store } = options;
  const auth = new DelegatedAuth(options.kubeConfig);
  const customObjects = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const events = new EventRecorder(options.kubeConfig, {
    reportingController: UPDATE_SERVER_CONTROLLER,
    reportingInstance: options.identity,
  });
  const now = options.now ?? (() => new Date());

  const feed = new ChangeFeed(options.feed);
  // Recorded whether or not anyone watches now, so that a watcher that reconnects can resume.
  const stopFollowingStore = store.onMachineChange(({ machineId, track }) =>
    feed.machineChanged(machineId, controller.resolution().catalog.groupByTrack.get(track)?.name),
  );
  // What a group or channel looks like to a reader of /groups and /channels, but for the machines' counts (those
  // change with the machines, and are told with them): a catalog change is told for the objects it changed.
  const catalogViews = () => {
    const resolution = controller.resolution();
    return {
      groups: new Map(
        controller.groups().map((group) => {
          const resolved = resolution.groups.get(group.metadata.name);
          return [group.metadata.name, JSON.stringify([group.spec, resolved?.resolved, resolved?.version])];
        }),
      ),
      channels: new Map(
        controller
          .channels()
          .map((channel) => [
            channel.metadata.name,
            JSON.stringify([channel.spec, resolution.channels.get(channel.metadata.name)]),
          ]),
      ),
    };
  };
  const changedKeys = (before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>) =>
    [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key));
  let views = catalogViews();
  const stopFollowingCatalog = controller.onChange(() => {
    const next = catalogViews();
    const groups = changedKeys(views.groups, next.groups);
    const channels = changedKeys(views.channels, next.channels);
    views = next;
    if (groups.length > 0 || channels.length > 0) feed.catalogChanged(groups, channels);
  });

  const groupNamed = (name: string): UpdateGroupResource => {
    const group = controller.group(name);
    if (group === undefined) throw new ApiRequestError(404, 'NotFound', `UpdateGroup ${name} does not exist`, { name });
    return group;
  };

  const groupByTrack = (track: string): UpdateGroupResource | undefined =>
    controller
      .groups()
      .find((group) => controller.resolution().catalog.groupByTrack.get(track)?.name === group.metadata.name);

  const groupView = async (group: UpdateGroupResource) => {
    const resolution = controller.resolution().groups.get(group.metadata.name);
    const counts = await groupCounts(group.spec.track, resolution, store, now());
    return {
      name: group.metadata.name,
      track: group.spec.track,
      channel: group.spec.channel,
      paused: !group.spec.policy.enabled,
      resolved: resolution?.resolved ?? null,
      policy: group.spec.policy,
      machines: counts.versions.reduce((sum, { machines }) => sum + machines, 0),
      versions: counts.versions,
      rollout: counts.rollout ?? null,
    };
  };

  const patchSpec = async (
    kind: typeof UPDATE_GROUP | typeof UPDATE_CHANNEL,
    name: string,
    spec: Record<string, unknown>,
  ): Promise<void> => {
    try {
      await patchUpdateSpec(customObjects, kind, name, spec);
    } catch (error) {
      if (error instanceof UpdateResourceNotFoundError)
        throw new ApiRequestError(404, 'NotFound', error.message, { name });
      throw error;
    }
  };

  const recordFor = (
    kind: typeof UPDATE_GROUP | typeof UPDATE_CHANNEL,
    uid: string,
    name: string,
    reason: string,
    note: string,
  ) =>
    events
      .record({
        regarding: { apiVersion: kind.apiVersion, kind: kind.kind, name, uid },
        type: 'Normal',
        reason,
        action: reason,
        note,
      })
      .catch((error: unknown) => options.logger.warn({ err: error, name }, 'recording an Event'));

  const setPaused = async (context: Context, paused: boolean) => {
    parseInput(emptyBodySchema, await readJsonBody(context.request), 'the body');
    const name = context.params[0] ?? '';
    const group = groupNamed(name);
    await patchSpec(UPDATE_GROUP, name, { policy: { enabled: !paused } });
    await recordFor(
      UPDATE_GROUP,
      group.metadata.uid,
      name,
      paused ? 'Paused' : 'Resumed',
      `${paused ? 'paused' : 'resumed'} by ${context.user.username} through the update server's API`,
    );
    return { name, paused };
  };

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/watch$/,
      // The events name groups, their channels and their machines: what a reader of /groups may see.
      access: () => access('list', UPDATE_GROUP.plural),
      stream: ({ request }, response) => feed.open(request, response),
    },
    {
      method: 'GET',
      pattern: /^\/channels$/,
      access: () => access('list', UPDATE_CHANNEL.plural),
      answer: () =>
        Promise.resolve({
          items: controller.channels().map((channel) => {
            const resolution = controller.resolution().channels.get(channel.metadata.name);
            return {
              name: channel.metadata.name,
              release: channel.spec.release ?? null,
              version: resolution?.version ?? null,
              resolved: resolution?.resolved ?? null,
            };
          }),
        }),
    },
    {
      method: 'GET',
      pattern: /^\/groups$/,
      access: () => access('list', UPDATE_GROUP.plural),
      answer: async () => ({ items: await Promise.all(controller.groups().map(groupView)) }),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/groups/${SEGMENT}$`),
      access: ({ params }) => access('get', UPDATE_GROUP.plural, params[0]),
      answer: ({ params }) => groupView(groupNamed(params[0] ?? '')),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/groups/${SEGMENT}/rollout$`),
      access: ({ params }) => access('get', UPDATE_GROUP.plural, params[0]),
      answer: async ({ params }) => {
        const view = await groupView(groupNamed(params[0] ?? ''));
        return {
          name: view.name,
          paused: view.paused,
          machines: view.machines,
          rollout: view.rollout,
          policy: view.policy,
        };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/groups/${SEGMENT}/pause$`),
      access: ({ params }) => access('patch', UPDATE_GROUP.plural, params[0]),
      answer: (context) => setPaused(context, true),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/groups/${SEGMENT}/resume$`),
      access: ({ params }) => access('patch', UPDATE_GROUP.plural, params[0]),
      answer: (context) => setPaused(context, false),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/channels/${SEGMENT}/promote$`),
      access: ({ params }) => access('patch', UPDATE_CHANNEL.plural, params[0]),
      answer: async (context) => {
        const body = parseInput(promoteBodySchema, await readJsonBody(context.request), 'the body');
        const name = context.params[0] ?? '';
        const channel = controller.channel(name);
        if (channel === undefined)
          throw new ApiRequestError(404, 'NotFound', `UpdateChannel ${name} does not exist`, { name });
        const choice: ReleaseChoice =
          body.release !== undefined ? { release: body.release } : { version: body.version ?? '' };
        const release = findRelease(controller.releases(), choice);
        if (release === undefined) {
          const error = unknownReleaseError(choice);
          throw new ApiRequestError(422, 'Invalid', error.message, { field: error.context.field });
        }
        await patchSpec(UPDATE_CHANNEL, name, { release: release.metadata.name });
        await recordFor(
          UPDATE_CHANNEL,
          channel.metadata.uid,
          name,
          'Promoted',
          `${release.spec.version} (UpdateRelease ${release.metadata.name}) promoted by ${context.user.username}`,
        );
        return { channel: name, release: release.metadata.name, version: release.spec.version };
      },
    },
    {
      method: 'GET',
      pattern: /^\/machines$/,
      // Machines are not a Kubernetes resource: seeing a group's machines is seeing the group.
      access: ({ query }) => {
        const group = query.get('group');
        return group === null ? access('list', UPDATE_GROUP.plural) : access('get', UPDATE_GROUP.plural, group);
      },
      answer: async ({ query }) => {
        const parsed = parseInput(machinesQuerySchema, Object.fromEntries(query), 'the query parameter');
        const track = parsed.group === undefined ? undefined : groupNamed(parsed.group).spec.track;
        const page = await store.listMachines({
          limit: parsed.limit,
          ...(track === undefined ? {} : { track }),
          ...(parsed.version === undefined ? {} : { version: parsed.version }),
          ...(parsed.state === undefined ? {} : { state: parsed.state }),
          ...(parsed.continue === undefined ? {} : { after: parsed.continue }),
        });
        return {
          items: page.machines.map(machineView),
          continue: page.lastMachineId === undefined ? null : encodeContinueToken(page.lastMachineId),
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/machines\/([^/]{1,256})$/,
      access: async ({ params }) => {
        const machine = await store.machine(params[0] ?? '');
        const group = machine === undefined ? undefined : groupByTrack(machine.track);
        return group === undefined
          ? access('list', UPDATE_GROUP.plural)
          : access('get', UPDATE_GROUP.plural, group.metadata.name);
      },
      answer: async ({ params }) => {
        const id = params[0] ?? '';
        const machine = await store.machine(id);
        if (machine === undefined)
          throw new ApiRequestError(404, 'NotFound', `no machine ${id} has checked in`, { machineId: id });
        const history = await store.history(id);
        return {
          ...machineView(machine),
          group: groupByTrack(machine.track)?.metadata.name ?? null,
          timeline: history.map((entry) => ({
            at: entry.at.toISOString(),
            state: entry.state,
            version: entry.version,
            detail: entry.detail,
          })),
        };
      },
    },
  ];

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'https://update-server.invalid');
    const path = url.pathname.slice(API_PREFIX.length);
    const matching = routes.filter((route) => route.pattern.test(path));
    if (matching.length === 0) throw new ApiRequestError(404, 'NotFound', `no such endpoint: ${url.pathname}`);
    const route = matching.find((each) => each.method === request.method);
    if (route === undefined) {
      response.setHeader('allow', matching.map((each) => each.method).join(', '));
      throw new ApiRequestError(405, 'MethodNotAllowed', `${request.method ?? ''} is not allowed on ${url.pathname}`);
    }
    const params = (route.pattern.exec(path) ?? []).slice(1).map((param) => decodeURIComponent(param));
    const token = bearerToken(request);
    const review = await auth.reviewToken(token);
    if (!review.authenticated)
      throw new ApiRequestError(401, 'Unauthorized', `the token was not accepted: ${review.error}`);
    const context = { params, query: url.searchParams, request };
    const attributes = await route.access(context);
    const decision = await auth.reviewAccess(review.user, attributes);
    if (!decision.allowed) {
      const what = `${attributes.verb} ${attributes.resource}.${attributes.group}${attributes.name === undefined ? '' : ` ${attributes.name}`}`;
      throw new ApiRequestError(
        403,
        'Forbidden',
        `${review.user.username} may not ${what}${decision.reason === '' ? '' : `: ${decision.reason}`}`,
        { user: review.user.username, verb: attributes.verb, resource: attributes.resource },
      );
    }
    if ('stream' in route) route.stream({ ...context, user: review.user }, response);
    else sendJson(response, 200, await route.answer({ ...context, user: review.user }));
  };

  return {
    feed,
    close: () => {
      stopFollowingStore();
      stopFollowingCatalog();
      feed.close();
    },
    handle: async (request, response) => {
      try {
        await serve(request, response);
      } catch (error) {
        if (error instanceof ApiRequestError) {
          const field = typeof error.context.field === 'string' ? { field: error.context.field } : {};
          return sendJson(
            response,
            error.status,
            { error: { code: error.status, reason: error.reason, message: error.message, ...field } },
            {
              ...(error.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
              ...(typeof error.context.retryAfterSeconds === 'number'
                ? { 'retry-after': String(error.context.retryAfterSeconds) }
                : {}),
            },
          );
        }
        if (error instanceof BodyTooLargeError)
          return sendJson(
            response,
            413,
            { error: { code: 413, reason: 'RequestEntityTooLarge', message: error.message } },
            { connection: 'close' },
          );
        if (error instanceof BodyReadError)
          return sendJson(
            response,
            400,
            { error: { code: 400, reason: 'BadRequest', message: error.message } },
            { connection: 'close' },
          );
        options.logger.error({ err: error, path: request.url }, 'a JSON API request failed');
        return sendJson(response, 503, {
          error: { code: 503, reason: 'ServiceUnavailable', message: 'the update server cannot answer now; try again' },
        });
      }
    },
  };
}
