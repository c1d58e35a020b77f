// Is the server at the API address this cluster's API server: the chain it
// serves, checked against the rendered CA and the name clients dial.
import { handshakeTls } from './connect.ts';
import type { Endpoint } from './endpoint.ts';
import { failed, passed, type ProbeOutcome } from './findings.ts';
import type { ProbeOptions } from './probe-options.ts';
import { describeTlsProblem, verifyServedChain } from './served-chain.ts';

export async function probeTls(endpoint: Endpoint, clusterCaPem: string, options: ProbeOptions): Promise<ProbeOutcome> {
  const outcome = await handshakeTls(endpoint, options);
  if (!outcome.handshake) {
    const problem = { kind: 'handshake' as const, failure: outcome.failure };
    return failed({ check: 'tls', problem }, describeTlsProblem(problem));
  }
  const verdict = verifyServedChain(outcome.chain, clusterCaPem, endpoint.host);
  const [first] = verdict.problems;
  if (first === undefined) {
    return passed(
      'tls',
      `${outcome.protocol}, served ${verdict.served}; signed by the rendered CA ${verdict.signedBy ?? '?'} and naming ${endpoint.host}`,
    );
  }
  return failed(
    { check: 'tls', problem: first },
    `${verdict.problems.map(describeTlsProblem).join('; ')}; served ${verdict.served}`,
  );
}
