// Which expected nodes have registered with the API server, and which of them
// are not Ready (with their Ready condition's reason and message, the
// kubelet's own account of why).
import { z } from 'zod';
import { ApiRequestError, apiGet, type ApiCredentials } from './api-client.ts';
import { describeConnectFailure } from './connect.ts';
import type { Endpoint } from './endpoint.ts';
import { failed, passed, type NotReadyNode, type ProbeOutcome } from './findings.ts';
import type { ProbeOptions } from './probe-options.ts';

// Only what this probe reads; the rest of each Node passes through unread.
const nodeListSchema = z.looseObject({
  items: z.array(
    z.looseObject({
      metadata: z.looseObject({ name: z.string() }),
      status: z
        .looseObject({
          conditions: z
            .array(
              z.looseObject({
                type: z.string(),
                status: z.string(),
                reason: z.string().optional(),
                message: z.string().optional(),
              }),
            )
            .optional(),
        })
        .optional(),
    }),
  ),
});

type ListedNode = z.infer<typeof nodeListSchema>['items'][number];

function readiness(node: ListedNode): NotReadyNode | undefined {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  return {
    name: node.metadata.name,
    reason: ready === undefined ? 'NoReadyCondition' : (ready.reason ?? `Ready=${ready.status}`),
    message: ready === undefined ? 'the kubelet has not reported a Ready condition' : (ready.message ?? ''),
  };
}

export const describeNotReady = (node: NotReadyNode): string =>
  `${node.name} (${node.reason}${node.message === '' ? '' : `: ${node.message}`})`;

export async function probeNodes(
  endpoint: Endpoint,
  caPem: string,
  credentials: ApiCredentials,
  expectedNodes: readonly string[],
  options: ProbeOptions,
): Promise<ProbeOutcome> {
  let answer;
  try {
    answer = await apiGet(endpoint, '/api/v1/nodes', caPem, credentials, options);
  } catch (error) {
    if (!(error instanceof ApiRequestError)) throw error;
    const message = `listing Nodes got no answer: ${describeConnectFailure(error.failure)}`;
    return failed({ check: 'nodes', kind: 'no-answer', message }, message);
  }
  if (answer.status !== 200) {
    const message = `listing Nodes answered ${answer.status}: ${answer.body.trim().slice(0, 300)}`;
    return failed({ check: 'nodes', kind: 'no-answer', message }, message);
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch (error) {
    const message = `listing Nodes answered 200 with a body that is not JSON (${error instanceof Error ? error.message : String(error)})`;
    return failed({ check: 'nodes', kind: 'no-answer', message }, message);
  }
  const list = nodeListSchema.safeParse(json);
  if (!list.success) {
    const message = `listing Nodes answered 200 with something that is not a NodeList: ${list.error.message}`;
    return failed({ check: 'nodes', kind: 'no-answer', message }, message);
  }
  const registered = new Map(list.data.items.map((node) => [node.metadata.name, node]));
  const missing = expectedNodes.filter((name) => !registered.has(name));
  const expected = new Set(expectedNodes);
  const considered =
    expectedNodes.length === 0
      ? [...registered.values()]
      : list.data.items.filter((node) => expected.has(node.metadata.name));
  const notReady = considered.flatMap((node) => readiness(node) ?? []);
  const ready = considered.length - notReady.length;
  const parts = [
    expectedNodes.length === 0
      ? `no node names were given; ${registered.size} registered, ${ready} Ready`
      : `${expectedNodes.length - missing.length} of ${expectedNodes.length} expected nodes registered, ${ready} Ready`,
    ...(missing.length === 0 ? [] : [`missing: ${missing.join(', ')}`]),
    ...(notReady.length === 0 ? [] : [`NotReady: ${notReady.map(describeNotReady).join(', ')}`]),
  ];
  const detail = parts.join('; ');
  if (missing.length === 0 && notReady.length === 0) return passed('nodes', detail);
  return failed({ check: 'nodes', kind: 'missing', missing, notReady }, detail);
}
