// Does the API name resolve, the way clients resolve it: through the system
// resolver (getaddrinfo, /etc/hosts included), as Node's sockets and Go's
// clients on this machine do.
import { lookup } from 'node:dns/promises';
import { z } from 'zod';
import type { Endpoint } from './endpoint.ts';
import { failed, passed, skipped, type ProbeOutcome } from './findings.ts';
import { untilAborted } from '@strata/host';
import { messageOf, probeSignal, timedOut, type ProbeOptions } from './probe-options.ts';

const resolverErrorSchema = z.looseObject({ code: z.string() });

export async function probeDns(endpoint: Endpoint, options: ProbeOptions): Promise<ProbeOutcome> {
  if (endpoint.isIpLiteral) return skipped('dns', `${endpoint.host} is an IP address: there is no name to resolve`);
  const signal = probeSignal(options);
  try {
    const addresses = await untilAborted(lookup(endpoint.host, { all: true }), signal);
    return passed('dns', `${endpoint.host} resolves to ${addresses.map((each) => each.address).join(', ')}`);
  } catch (error) {
    const code = signal.aborted
      ? timedOut(signal)
        ? 'ETIMEOUT'
        : 'ECANCELLED'
      : (resolverErrorSchema.safeParse(error).data?.code ?? 'EUNKNOWN');
    const why = signal.aborted
      ? timedOut(signal)
        ? `the resolver did not answer within ${options.timeoutMs} ms`
        : 'the diagnosis was cancelled'
      : messageOf(error);
    return failed({ check: 'dns', host: endpoint.host, code }, `${endpoint.host} does not resolve: ${code} (${why})`);
  }
}
