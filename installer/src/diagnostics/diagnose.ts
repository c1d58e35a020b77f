// The diagnosis the install engine runs when a phase fails or times out: the
// probes in the order a client meets them, each skipped with a reason when an
// earlier one already failed, the logs' last lines and one next step. It never
// throws for what it finds; what it returns is plain data, JSON as it is.
import type { Diagnose, DiagnosticCheck, DiagnosticContext, Diagnosis } from './diagnosis.ts';
import { loadAdminCredentials, type ApiCredentials } from './api-client.ts';
import { probeDns } from './dns.ts';
import { parseEndpoint, type Endpoint } from './endpoint.ts';
import { DiagnosticInputError } from './errors.ts';
import { probeEtcd } from './etcd.ts';
import { failed, skipped, type ProbeOutcome } from './findings.ts';
import { tailLogs, type LogTailOptions } from './logs.ts';
import { nextStep } from './next-step.ts';
import { probeNodes } from './nodes.ts';
import { messageOf, type ProbeOptions } from './probe-options.ts';
import { probeReadyz, type ReadyzOutcome } from './readyz.ts';
import { redactSecrets } from './redact.ts';
import { probeTcp } from './tcp.ts';
import { probeTls } from './tls.ts';

export interface DiagnoseOptions {
  /** Each probe's own timeout; 5 s unless given. */
  readonly probeTimeoutMs?: number;
  readonly logs?: LogTailOptions;
}

const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

async function readCredentials(path: string): Promise<ApiCredentials | DiagnosticInputError> {
  try {
    return await loadAdminCredentials(path);
  } catch (error) {
    // A cluster directory without its kubeconfig yet is a finding, not a failure of the diagnosis.
    if (error instanceof DiagnosticInputError) return error;
    throw error;
  }
}

/**
 * Runs one probe; a probe that throws (a fault of the diagnosis itself, not of
 * the cluster) becomes a failed check that says so, so that the engine still
 * gets the other checks and the logs.
 */
async function guarded<T extends ProbeOutcome>(
  name: DiagnosticCheck['name'],
  run: () => Promise<T>,
  onThrow: (outcome: ProbeOutcome) => T,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    return onThrow({
      check: { name, status: 'failed', detail: `the ${name} probe could not run: ${messageOf(error)}` },
    });
  }
}

const plain = (name: DiagnosticCheck['name'], run: () => Promise<ProbeOutcome>) =>
  guarded(name, run, (outcome) => outcome);

async function probeApi(endpoint: Endpoint, context: DiagnosticContext, probe: ProbeOptions): Promise<ProbeOutcome[]> {
  const dns = await plain('dns', () => probeDns(endpoint, probe));
  const tcp =
    dns.check.status === 'failed'
      ? skipped('tcp', `${endpoint.host} does not resolve (see dns)`)
      : await plain('tcp', () => probeTcp(endpoint, probe));
  const tls =
    tcp.check.status === 'ok'
      ? await plain('tls', () => probeTls(endpoint, context.clusterCaPem, probe))
      : skipped(
          'tls',
          `no TCP connection to ${endpoint.address} (see ${tcp.check.status === 'failed' ? 'tcp' : 'dns'})`,
        );
  const credentials = await readCredentials(context.adminKubeconfigPath);
  const readyz: ReadyzOutcome =
    tls.check.status === 'ok'
      ? await guarded(
          'readyz',
          () => probeReadyz(endpoint, context.clusterCaPem, credentials, probe),
          (outcome) => ({ ...outcome, answered: false }),
        )
      : {
          ...skipped(
            'readyz',
            tls.check.status === 'failed'
              ? `the served certificate is not one this cluster's clients accept (see tls)`
              : `no TLS connection to ${endpoint.address} (see ${tcp.check.status === 'ok' ? 'tls' : tcp.check.status === 'failed' ? 'tcp' : 'dns'})`,
          ),
          answered: false,
        };
  const apiView = !readyz.answered
    ? `the API server does not answer (see ${readyz.check.status === 'skipped' ? 'tls' : 'readyz'})`
    : credentials instanceof Error
      ? credentials.message
      : { endpoint, caPem: context.clusterCaPem, credentials };
  const etcd = await plain('etcd', () => probeEtcd(context.expectedEtcdMembers, apiView, probe));
  const nodes = !readyz.answered
    ? skipped('nodes', `the API server does not answer (see ${readyz.check.status === 'skipped' ? 'tls' : 'readyz'})`)
    : credentials instanceof Error
      ? failed(
          { check: 'nodes', kind: 'bad-kubeconfig', message: credentials.message },
          `cannot list Nodes: ${credentials.message}`,
        )
      : await plain('nodes', () =>
          probeNodes(endpoint, context.clusterCaPem, credentials, context.expectedNodes, probe),
        );
  return [dns, tcp, tls, readyz, etcd, nodes].map(({ check, finding }) => ({
    check,
    ...(finding === undefined ? {} : { finding }),
  }));
}

/** Probes that cannot reach the API at all: its URL is not one. */
function unusableUrl(error: DiagnosticInputError, context: DiagnosticContext): ProbeOutcome[] {
  const reason = 'the API URL is not usable (see dns)';
  return [
    failed({ check: 'dns', host: context.apiServerUrl, code: 'EINVAL' }, error.message),
    skipped('tcp', reason),
    skipped('tls', reason),
    skipped('readyz', reason),
    skipped('etcd', reason),
    skipped('nodes', reason),
  ];
}

async function outcomesFor(context: DiagnosticContext, probe: ProbeOptions): Promise<ProbeOutcome[]> {
  let endpoint: Endpoint;
  try {
    endpoint = parseEndpoint(context.apiServerUrl, 'apiServerUrl');
  } catch (error) {
    if (!(error instanceof DiagnosticInputError)) throw error;
    return unusableUrl(error, context);
  }
  return probeApi(endpoint, context, probe);
}

export function createDiagnose(options: DiagnoseOptions = {}): Diagnose {
  return async (context: DiagnosticContext): Promise<Diagnosis> => {
    const probe: ProbeOptions = {
      timeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    };
    const outcomes = await outcomesFor(context, probe);
    const logTail = await tailLogs(context.logFiles, options.logs);
    return {
      checks: outcomes.map(({ check }) => ({ ...check, detail: redactSecrets(check.detail) })),
      logTail,
      nextStep: redactSecrets(nextStep(outcomes, context)),
    };
  };
}

/** The diagnosis with its default timeouts and log bounds. */
export const diagnose: Diagnose = createDiagnose();
