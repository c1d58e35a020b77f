// One Workloads object as the signed-in user: GET its YAML, PUT an edit of it (a server-side dry run, or the real
// replace), DELETE it. The page offers each only when a SelfSubjectAccessReview allows it; the API server decides,
// and its refusal (403, a 409 on a stale resourceVersion, an invalid field) comes back in its own words.
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { failureAnswer, readJsonBody } from '../../../../../../src/server/answers.ts';
import {
  callOf,
  headerOf,
  objectYaml,
  parseEdit,
  readObject,
  replaceObject,
} from '../../../../../../src/server/workload-object.ts';
import { forWorkload, type WorkloadRouteContext } from '../../../../../../src/server/workload-route.ts';
import { MAX_YAML_BYTES, yamlEditRequestSchema, type YamlAnswer } from '../../../../../../src/shared/workloads.ts';

const answerOf = (object: { metadata?: { resourceVersion?: string } }, yaml: string): Response =>
  Response.json({ yaml, resourceVersion: object.metadata?.resourceVersion ?? '' } satisfies YamlAnswer);

export function GET(_request: Request, context: WorkloadRouteContext): Promise<Response> {
  return forWorkload(context, async (target, kubeConfig) => {
    try {
      const object = await readObject(kubeConfig, target);
      return answerOf(object, objectYaml(object));
    } catch (error) {
      return failureAnswer(callOf('get', target), error);
    }
  });
}

export function PUT(request: Request, context: WorkloadRouteContext): Promise<Response> {
  return forWorkload(context, async (target, kubeConfig) => {
    try {
      // The JSON around the YAML (escapes, the dryRun flag) is allowed its own few kilobytes.
      const edit = await readJsonBody(request, yamlEditRequestSchema, 2 * MAX_YAML_BYTES + 1024);
      const stored = await replaceObject(kubeConfig, parseEdit(target, edit.yaml), edit.dryRun);
      return answerOf(stored, objectYaml(stored));
    } catch (error) {
      return failureAnswer(callOf('update', target), error);
    }
  });
}

export function DELETE(_request: Request, context: WorkloadRouteContext): Promise<Response> {
  return forWorkload(context, async (target, kubeConfig) => {
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
  });
}
