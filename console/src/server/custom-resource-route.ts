// The routes about one object of any served CRD: the object routes Workloads have (workload-route.ts), reached
// only through a CRD the user can read and that serves its storage version.
import { parseCrdSegments } from '../shared/custom-resources.ts';
import { errorAnswer, failureAnswer } from './answers.ts';
import { consoleConfig } from './config.ts';
import { customTarget, findCrd } from './custom-resources.ts';
import { currentSession } from './request-session.ts';
import { userKubeConfig } from './user-client.ts';
import type { ResolveObject } from './workload-route.ts';

export type CustomObjectRouteContext = {
  readonly params: Promise<{ group: string; plural: string; namespace: string; name: string }>;
};

/**
 * 401 without a session; 400 for segments that are not a group, plural, namespace and name, or name no served CRD
 * (the CRD is looked up as the user, so a request reaches only a served custom resource); the API server's refusal
 * of that lookup in its words; else what `handle` answers.
 */
export const forCustomObject: ResolveObject<CustomObjectRouteContext> = async (context, handle) => {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const params = await context.params;
  const segments = parseCrdSegments(params);
  if (typeof segments === 'string') return errorAnswer(400, segments);
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  let crd;
  try {
    crd = await findCrd(kubeConfig, segments.group, segments.plural);
  } catch (error) {
    return failureAnswer({ verb: 'get', resource: 'customresourcedefinitions.apiextensions.k8s.io' }, error);
  }
  if (crd === undefined)
    return errorAnswer(400, `no served CustomResourceDefinition ${segments.plural}.${segments.group}`);
  const target = customTarget(crd, params.namespace, params.name);
  if (typeof target === 'string') return errorAnswer(400, target);
  return handle(target, kubeConfig);
};
