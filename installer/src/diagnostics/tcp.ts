// Is anything listening at the API address.
import { connectTcp, describeConnectFailure } from './connect.ts';
import type { Endpoint } from './endpoint.ts';
import { failed, passed, type ProbeOutcome } from './findings.ts';
import type { ProbeOptions } from './probe-options.ts';

export async function probeTcp(endpoint: Endpoint, options: ProbeOptions): Promise<ProbeOutcome> {
  const outcome = await connectTcp(endpoint, options);
  if (outcome.connected)
    return passed('tcp', `${endpoint.address} accepts connections (connected to ${outcome.remoteAddress})`);
  return failed({ check: 'tcp', failure: outcome.failure }, describeConnectFailure(outcome.failure));
}
