// Which expected etcd members answer on their client URLs. Without etcd client
// credentials a member is asked for a TLS handshake only: completing it, or
// being refused for want of a client certificate, both prove a TLS server
// listens there. When the API server answers, its own view (/readyz/etcd) is
// added, since it is the client that matters.
import { ApiRequestError, apiGet, type ApiCredentials } from './api-client.ts';
import { connectTcp, describeConnectFailure, handshakeTls } from './connect.ts';
import { parseEndpoint, type Endpoint } from './endpoint.ts';
import { DiagnosticInputError } from './errors.ts';
import { failed, passed, skipped, type ProbeOutcome, type UnansweredMember } from './findings.ts';
import type { ProbeOptions } from './probe-options.ts';
import { nameOf } from './served-chain.ts';

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
}

/** The API server to ask for its view of etcd, or why it is not asked. */
export interface EtcdApiView {
  readonly endpoint: Endpoint;
  readonly caPem: string;
  readonly credentials: ApiCredentials;
}

type MemberAnswer =
  | { readonly answered: true; readonly detail: string }
  | { readonly answered: false; readonly member: UnansweredMember };

async function askMember(member: EtcdMember, options: ProbeOptions): Promise<MemberAnswer> {
  let target: Endpoint;
  try {
    target = parseEndpoint(member.clientUrl, `etcd member ${member.name}'s client URL`);
  } catch (error) {
    if (!(error instanceof DiagnosticInputError)) throw error;
    return {
      answered: false,
      member: { ...member, failure: { kind: 'error', tried: member.clientUrl, message: error.message } },
    };
  }
  const tcp = await connectTcp(target, options);
  if (!tcp.connected) return { answered: false, member: { ...member, failure: tcp.failure } };
  const tls = await handshakeTls(target, options);
  if (tls.handshake) {
    const leaf = tls.chain[0];
    return {
      answered: true,
      detail: `${member.name} (${target.address}, serves ${leaf === undefined ? 'no certificate' : nameOf(leaf.subject)})`,
    };
  }
  // A TLS alert (a client certificate is required) comes from a TLS server; anything else is no answer.
  if (tls.failure.code?.startsWith('ERR_SSL_') === true) {
    return { answered: true, detail: `${member.name} (${target.address}, TLS, asks for a client certificate)` };
  }
  return { answered: false, member: { ...member, failure: tls.failure } };
}

async function askApiServer(
  view: EtcdApiView,
  options: ProbeOptions,
): Promise<{ readonly ok: boolean; readonly text: string }> {
  try {
    const answer = await apiGet(view.endpoint, '/readyz/etcd', view.caPem, view.credentials, options);
    const text = answer.body.trim().split('\n').slice(0, 3).join('; ');
    return { ok: answer.status === 200, text: `kube-apiserver /readyz/etcd answers ${answer.status}: ${text}` };
  } catch (error) {
    if (!(error instanceof ApiRequestError)) throw error;
    return { ok: false, text: `kube-apiserver /readyz/etcd got no answer: ${describeConnectFailure(error.failure)}` };
  }
}

export async function probeEtcd(
  members: readonly EtcdMember[],
  apiView: EtcdApiView | string,
  options: ProbeOptions,
): Promise<ProbeOutcome> {
  if (members.length === 0 && typeof apiView === 'string')
    return skipped('etcd', `no etcd member is expected, and the API server's view is not asked: ${apiView}`);
  const [answers, api] = await Promise.all([
    Promise.all(members.map((member) => askMember(member, options))),
    typeof apiView === 'string' ? Promise.resolve(undefined) : askApiServer(apiView, options),
  ]);
  const answering = answers.flatMap((answer) => (answer.answered ? [answer.detail] : []));
  const unanswered = answers.flatMap((answer) => (answer.answered ? [] : [answer.member]));
  const parts = [
    ...(answering.length === 0 ? [] : [`answering: ${answering.join(', ')}`]),
    ...(unanswered.length === 0
      ? []
      : [
          `not answering: ${unanswered.map((member) => `${member.name} (${describeConnectFailure(member.failure)})`).join(', ')}`,
        ]),
    api?.text ?? `the API server's view is not asked: ${typeof apiView === 'string' ? apiView : ''}`,
  ];
  const detail = parts.join('; ');
  if (unanswered.length === 0 && (api === undefined || api.ok)) return passed('etcd', detail);
  return failed({ check: 'etcd', unanswered, ...(api === undefined || api.ok ? {} : { apiView: api.text }) }, detail);
}
