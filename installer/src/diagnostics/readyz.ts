// Is the API server ready, and if not, which of its readiness checks fail:
// /readyz?verbose lists every check as `[+]name ok` or `[-]name failed: …`.
import { ANONYMOUS, ApiRequestError, apiGet, type ApiCredentials } from './api-client.ts';
import { describeConnectFailure } from './connect.ts';
import type { Endpoint } from './endpoint.ts';
import { failed, passed, type ProbeOutcome } from './findings.ts';
import type { ProbeOptions } from './probe-options.ts';

export interface ReadyzOutcome extends ProbeOutcome {
  /** Whether the API server answered over HTTP at all: the nodes and etcd probes ask it only then. */
  readonly answered: boolean;
}

/** The checks a verbose readyz answer reports as failing, without their `[-]` marker. */
export function failingReadyzChecks(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('[-]'))
    .map((line) => line.slice(3).trim());
}

const firstLine = (body: string): string => body.trim().split('\n')[0]?.slice(0, 200) ?? '';

/**
 * `credentials` is the admin's, or an Error saying why they could not be
 * read: readyz is then asked anonymously, which a rendered cluster allows
 * for its health endpoints.
 */
export async function probeReadyz(
  endpoint: Endpoint,
  caPem: string,
  credentials: ApiCredentials | Error,
  options: ProbeOptions,
): Promise<ReadyzOutcome> {
  const anonymous = credentials instanceof Error;
  const note = anonymous ? ` (asked anonymously: ${credentials.message})` : '';
  let answer;
  try {
    answer = await apiGet(endpoint, '/readyz?verbose', caPem, anonymous ? ANONYMOUS : credentials, options);
  } catch (error) {
    if (!(error instanceof ApiRequestError)) throw error;
    return {
      ...failed(
        { check: 'readyz', kind: 'no-answer', message: describeConnectFailure(error.failure) },
        `GET /readyz?verbose got no answer: ${describeConnectFailure(error.failure)}`,
      ),
      answered: false,
    };
  }
  if (answer.status === 200) {
    const passing = answer.body.split('\n').filter((line) => line.startsWith('[+]')).length;
    return { ...passed('readyz', `/readyz answers 200: all ${passing} checks pass${note}`), answered: true };
  }
  if (answer.status === 401 || answer.status === 403) {
    return {
      ...failed(
        { check: 'readyz', kind: 'refused-credentials', status: answer.status },
        `/readyz answers ${answer.status}: the API server refused ${anonymous ? 'an anonymous request' : "the admin kubeconfig's credentials"}: ${firstLine(answer.body)}${note}`,
      ),
      answered: true,
    };
  }
  const failing = failingReadyzChecks(answer.body);
  const listed = failing.length === 0 ? firstLine(answer.body) : failing.map((check) => `[-]${check}`).join('; ');
  return {
    ...failed({ check: 'readyz', kind: 'not-ready', failing }, `/readyz answers ${answer.status}: ${listed}${note}`),
    answered: true,
  };
}
