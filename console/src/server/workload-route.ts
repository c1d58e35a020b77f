// The routes about one object (a Workloads object, or any custom resource): a signed-in user, a target the route's
// segments name, then GET its YAML, PUT an edit of it (a server-side dry run, or the real replace), DELETE it. The
// page offers each only when a SelfSubjectAccessReview allows it; the API server decides, and its refusal (403, a
// 409 on a stale resourceVersion, an invalid field) comes back in its own words.
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { MAX_YAML_BYTES, yamlEditRequestSchema, type YamlAnswer } from '../shared/workloads.ts';
import { errorAnswer, failureAnswer, readJsonBody } from './answers.ts';
import { consoleConfig } from './config.ts';
import { currentSession } from './request-session.ts';
import { userKubeConfig } from './user-client.ts';
import {
  callOf,
  headerOf,
  objectYaml,
  parseEdit,
  parseTarget,
  readObject,
  replaceObject,
  type ObjectTarget,
  type WorkloadTarget,
} from './workload-object.ts';

export type WorkloadRouteContext = {
  readonly params: Promise<{ kind: string; namespace: string; name: string }>;
};

/** 401 without a session, 400 for a target that is no Workloads object's; else what `handle` answers. */
export async function forWorkload(
  context: WorkloadRouteContext,
  handle: (target: WorkloadTarget, kubeConfig: KubeConfig) => Promise<Response>,
): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const target = parseTarget(await context.params);
  if (typeof target === 'string') return errorAnswer(400, target);
  return handle(target, userKubeConfig(consoleConfig().apiServer, session.token));
}

/** How a route finds its object: the target and the user's client, or the answer that ends the request. */
export type ResolveObject<Context> = (
  context: Context,
  handle: (target: ObjectTarget, kubeConfig: KubeConfig) => Promise<Response>,
) => Promise<Response>;

const answerOf = (object: { metadata?: { resourceVersion?: string } }, yaml: string): Response =>
  Response.json({ yaml, resourceVersion: object.metadata?.resourceVersion ?? '' } satisfies YamlAnswer);

/** GET, PUT (the YAML edit) and DELETE of one object, whatever names it. */
export function objectRoutes<Context>(resolve: ResolveObject<Context>) {
  return {
    GET: (_request: Request, context: Context): Promise<Response> =>
      resolve(context, async (target, kubeConfig) => {
        try {
          const object = await readObject(kubeConfig, target);
          return answerOf(object, objectYaml(object));
        } catch (error) {
          return failureAnswer(callOf('get', target), error);
        }
      }),
    PUT: (request: Request, context: Context): Promise<Response> =>
      resolve(context, async (target, kubeConfig) => {
        try {
          // The JSON around the YAML (escapes, the dryRun flag) is allowed its own few kilobytes.
          const edit = await readJsonBody(request, yamlEditRequestSchema, 2 * MAX_YAML_BYTES + 1024);
          const stored = await replaceObject(kubeConfig, parseEdit(target, edit.yaml), edit.dryRun);
          return answerOf(stored, objectYaml(stored));
        } catch (error) {
          return failureAnswer(callOf('update', target), error);
        }
      }),
    DELETE: (_request: Request, context: Context): Promise<Response> =>
      resolve(context, async (target, kubeConfig) => {
        try {
          // Background propagation, as kubectl deletes: a Deployment's ReplicaSets and pods go after it.
          await KubernetesObjectApi.makeApiClient(kubeConfig).delete(
            headerOf(target),
            undefined,
            undefined,
            undefined,
            undefined,
            'Background',
          );
          return new Response(null, { status: 204 });
        } catch (error) {
          return failureAnswer(callOf('delete', target), error);
        }
      }),
  };
}
