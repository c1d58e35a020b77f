// One suggestion, for the first check that failed in the order a client
// meets them (dns, tcp, tls, readyz, etcd, nodes): a later failure is often
// only a consequence of an earlier one.
import { basename } from 'node:path';
import type { DiagnosticCheck } from './diagnosis.ts';
import type { Finding, ProbeOutcome, TlsProblem } from './findings.ts';
import { describeNotReady } from './nodes.ts';

export interface NextStepContext {
  readonly phase: string;
  readonly apiServerUrl: string;
  readonly adminKubeconfigPath: string;
  readonly logFiles: readonly string[];
}

const ORDER: readonly DiagnosticCheck['name'][] = ['dns', 'tcp', 'tls', 'readyz', 'etcd', 'nodes'];

/** "see <the component's log>", when the engine named one. */
function seeLog(logFiles: readonly string[], component: string): string {
  const file = logFiles.find((path) => basename(path).includes(component));
  return file === undefined ? '' : `; see ${file}`;
}

function forTls(problem: TlsProblem, context: NextStepContext): string {
  switch (problem.kind) {
    case 'handshake':
      return (
        `${problem.failure.tried} accepts connections but the TLS handshake fails (${problem.failure.message}): ` +
        `check that the API server, and not another service, listens there${seeLog(context.logFiles, 'kube-apiserver')}`
      );
    case 'untrusted':
      return (
        `the server at ${context.apiServerUrl} is not this cluster's API server, or the assets were re-rendered with a new CA: ` +
        `compare the served certificate's issuer ${problem.servedIssuer} with the rendered CA ${problem.caSubject} ` +
        `(fingerprint ${problem.caFingerprint}), and restart the API server with the rendered certificates`
      );
    case 'name-mismatch':
      return (
        `the API server's certificate does not name ${problem.host} (it names ${problem.sans}): render the assets again ` +
        `with ${problem.host} among the API server's names, or make the API URL one of the names it serves`
      );
    case 'expired':
      return `the certificate ${problem.subject} expired on ${problem.notAfter.toISOString()}: render the assets again to renew it and restart the API server`;
    case 'not-yet-valid':
      return `the certificate ${problem.subject} is valid only from ${problem.notBefore.toISOString()}: set this machine's and the server's clocks right (NTP)`;
  }
}

function forFinding(finding: Finding, context: NextStepContext): string {
  const apiLog = seeLog(context.logFiles, 'kube-apiserver');
  switch (finding.check) {
    case 'dns':
      return (
        `the API name ${finding.host} does not resolve (${finding.code}): create its DNS record in the cluster's DNS zone, ` +
        `or fix this machine's resolver, then run the install again to resume`
      );
    case 'tcp': {
      const { failure } = finding;
      switch (failure.kind) {
        case 'refused':
          return `the API server is not listening on ${failure.tried}${apiLog}`;
        case 'timed-out':
          return `nothing answers at ${failure.tried}: check that the machine or load balancer is up and that firewalls let the API port through${apiLog}`;
        case 'reset':
          return `${failure.tried} resets connections: the API server may be crash-looping, or a proxy in between refuses them${apiLog}`;
        case 'unreachable':
          return `there is no route to ${failure.tried} from this machine: check its network, VPN or the cluster's subnets`;
        default:
          return `connecting to ${failure.tried} fails (${failure.message})${apiLog}`;
      }
    }
    case 'tls':
      return forTls(finding.problem, context);
    case 'readyz':
      switch (finding.kind) {
        case 'not-ready': {
          const etcd = finding.failing.some((check) => check.startsWith('etcd'));
          return (
            `the API server answers but is not ready (${finding.failing.length === 0 ? 'no failing check listed' : finding.failing.join('; ')})` +
            (etcd ? `: it cannot reach etcd${seeLog(context.logFiles, 'etcd')}${apiLog}` : apiLog)
          );
        }
        case 'refused-credentials':
          return (
            `the API server refused the admin kubeconfig ${context.adminKubeconfigPath} (HTTP ${finding.status}): ` +
            `its client certificate was not issued by the CA the API server trusts, or the server runs another cluster's assets`
          );
        default:
          return `${finding.message}${apiLog}`;
      }
    case 'etcd': {
      if (finding.unanswered.length > 0) {
        const members = finding.unanswered.map((member) => `${member.name} (${member.clientUrl})`).join(', ');
        return `the etcd member(s) ${members} do not answer: check that their machines are up and etcd runs there${seeLog(context.logFiles, 'etcd')}`;
      }
      return `the API server cannot use etcd (${finding.apiView ?? 'no answer'})${seeLog(context.logFiles, 'etcd')}${apiLog}`;
    }
    case 'nodes':
      if (finding.kind === 'missing') {
        if (finding.missing.length > 0) {
          return (
            `the node(s) ${finding.missing.join(', ')} never registered: check that the machine booted (its console, ` +
            `the boot server's log) and its kubelet log${seeLog(context.logFiles, 'kubelet')}`
          );
        }
        return `${finding.notReady.map(describeNotReady).join(', ')} not Ready: check the kubelet and the network plugin on it`;
      }
      return `${finding.message}${apiLog}`;
  }
}

export function nextStep(outcomes: readonly ProbeOutcome[], context: NextStepContext): string {
  for (const name of ORDER) {
    const outcome = outcomes.find((each) => each.check.name === name);
    if (outcome?.check.status !== 'failed') continue;
    // A check fails without a finding only when its probe could not run at all.
    return outcome.finding === undefined
      ? `resolve what the ${name} check reports first: ${outcome.check.detail}`
      : forFinding(outcome.finding, context);
  }
  return (
    `every probe passes now: the phase "${context.phase}" may only have needed longer; run the install again to ` +
    `resume it, with a longer timeout for that phase if it happens again`
  );
}
