// Whether the operator signs a member's CertificateSigningRequest: only one made by the cluster's member service
// account, with a token bound to a live member pod of that cluster, asking for exactly that pod's IPs and name,
// under the cluster's member CN. A
// pure function of what the API server said, so that each refusal is tested on its own.
import type { V1CertificateSigningRequest, V1Pod } from '@kubernetes/client-node';
import type { EtcdCluster } from '@strata/api';
import type { CertificateSigningRequestContents, SubjectAltName } from '@strata/assets';
import { CLUSTER_LABEL } from '../pods/member-pod.ts';
import {
  clusterOfMemberAccount,
  memberCommonName,
  MEMBER_SIGNER,
  MEMBER_USAGES,
  memberServiceAccount,
  POD_NAME_EXTRA,
  POD_UID_EXTRA,
} from './names.ts';

export type MemberCsrRefusal =
  | 'NotAMemberAccount'
  | 'NotBoundToPod'
  | 'NoSuchCluster'
  | 'NotAutomaticTls'
  | 'PodGone'
  | 'NotAMemberPod'
  | 'UnreadableRequest'
  | 'SubjectMismatch'
  | 'SubjectAltNamesMismatch'
  | 'UsagesRefused';

export type MemberCsrDecision =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'wait'; readonly message: string }
  | { readonly kind: 'deny'; readonly reason: MemberCsrRefusal; readonly message: string }
  | {
      readonly kind: 'sign';
      readonly namespace: string;
      readonly cluster: string;
      readonly pod: string;
      readonly commonName: string;
      readonly ipAddresses: readonly string[];
      readonly dnsNames: readonly string[];
      readonly message: string;
    };

/** The requester's pod and cluster, as a signer reads them from the CSR's user. */
export interface MemberRequester {
  readonly namespace: string;
  readonly account: string;
  readonly cluster: string;
  readonly podName: string;
  readonly podUid: string;
}

const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;
const SAN_OID = '2.5.29.17';

/** Who asked, when it is a member service account with a pod-bound token; a refusal otherwise. */
export function memberRequester(
  csr: V1CertificateSigningRequest,
): MemberRequester | { readonly reason: MemberCsrRefusal; readonly message: string } {
  const username = csr.spec.username ?? '';
  const match = SERVICE_ACCOUNT_USER.exec(username);
  const cluster = match?.[2] === undefined ? undefined : clusterOfMemberAccount(match[2]);
  if (match?.[1] === undefined || match[2] === undefined || cluster === undefined) {
    return {
      reason: 'NotAMemberAccount',
      message: `requested by "${username}", not an etcd member service account (system:serviceaccount:<namespace>:<cluster>-etcd-member)`,
    };
  }
  const podNames = csr.spec.extra?.[POD_NAME_EXTRA] ?? [];
  const podUids = csr.spec.extra?.[POD_UID_EXTRA] ?? [];
  if (podNames.length !== 1 || podUids.length !== 1 || podNames[0] === undefined || podUids[0] === undefined) {
    return {
      reason: 'NotBoundToPod',
      message: `requested by ${username} with a token not bound to one pod (no ${POD_NAME_EXTRA} and ${POD_UID_EXTRA})`,
    };
  }
  return { namespace: match[1], account: match[2], cluster, podName: podNames[0], podUid: podUids[0] };
}

const sanKey = (name: SubjectAltName): string => `${name.type}:${name.value}`;

/**
 * The decision on `csr`, given the pod its token is bound to (read afresh: undefined when it is gone) and the
 * EtcdCluster its account belongs to (undefined when there is none).
 */
export function decideMemberCsr(
  csr: V1CertificateSigningRequest,
  request: CertificateSigningRequestContents | { readonly unreadable: string },
  facts: { readonly pod: V1Pod | undefined; readonly cluster: EtcdCluster | undefined },
): MemberCsrDecision {
  if (csr.spec.signerName !== MEMBER_SIGNER) return { kind: 'ignore' };
  const requester = memberRequester(csr);
  if (!('podName' in requester)) return { kind: 'deny', ...requester };
  const { namespace, cluster, podName, podUid } = requester;
  const who = `pod ${namespace}/${podName}`;
  if (facts.cluster === undefined) {
    return { kind: 'deny', reason: 'NoSuchCluster', message: `no EtcdCluster ${namespace}/${cluster} for ${who}` };
  }
  if (facts.cluster.spec.tls.auto === undefined) {
    return {
      kind: 'deny',
      reason: 'NotAutomaticTls',
      message: `EtcdCluster ${namespace}/${cluster} does not ask for automatic TLS (spec.tls.auto)`,
    };
  }
  const pod = facts.pod;
  if (pod === undefined || pod.metadata?.uid !== podUid || pod.metadata.deletionTimestamp !== undefined) {
    return {
      kind: 'deny',
      reason: 'PodGone',
      message: `${who} (uid ${podUid}) that the token is bound to is ${pod === undefined ? 'gone (404)' : pod.metadata?.uid !== podUid ? `gone: that name now has uid ${pod.metadata?.uid ?? '?'}` : 'being deleted'}`,
    };
  }
  if (
    pod.metadata.labels?.[CLUSTER_LABEL] !== cluster ||
    pod.spec?.serviceAccountName !== memberServiceAccount(cluster)
  ) {
    return {
      kind: 'deny',
      reason: 'NotAMemberPod',
      message: `${who} is not a member pod of EtcdCluster ${cluster} (label ${CLUSTER_LABEL}=${pod.metadata.labels?.[CLUSTER_LABEL] ?? '(none)'}, service account ${pod.spec?.serviceAccountName ?? '(none)'})`,
    };
  }
  const ipAddresses = [...new Set([pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((ip) => ip.ip)])].filter(
    (ip): ip is string => ip !== undefined && ip !== '',
  );
  if (ipAddresses.length === 0) return { kind: 'wait', message: `${who} has no IP yet` };
  if ('unreadable' in request) {
    return { kind: 'deny', reason: 'UnreadableRequest', message: `the request cannot be read: ${request.unreadable}` };
  }
  if (!request.signatureValid) {
    return {
      kind: 'deny',
      reason: 'UnreadableRequest',
      message: 'the request is not signed by the key it carries (no proof of possession)',
    };
  }
  const commonName = memberCommonName(cluster);
  if (
    request.commonNames.length !== 1 ||
    request.commonNames[0] !== commonName ||
    request.organizations.length > 0 ||
    request.otherSubjectFields.length > 0
  ) {
    return {
      kind: 'deny',
      reason: 'SubjectMismatch',
      message: `the subject must be CN=${commonName} alone; asked CN=${request.commonNames.join(',')} O=${request.organizations.join(',')}${request.otherSubjectFields.length > 0 ? ` and ${request.otherSubjectFields.join(',')}` : ''}`,
    };
  }
  const extensions = request.extensionOids.filter((oid) => oid !== SAN_OID);
  const dnsNames = [podName];
  const allowed = new Set([...ipAddresses.map((value) => `ip:${value}`), ...dnsNames.map((value) => `dns:${value}`)]);
  const asked = new Set(request.subjectAltNames.map(sanKey));
  if (extensions.length > 0 || asked.size !== allowed.size || [...asked].some((name) => !allowed.has(name))) {
    return {
      kind: 'deny',
      reason: 'SubjectAltNamesMismatch',
      message: `${who} may have exactly ${[...allowed].join(', ')}; asked ${[...asked].join(', ') || '(none)'}${extensions.length > 0 ? ` and extensions ${extensions.join(', ')}` : ''}`,
    };
  }
  const usages = csr.spec.usages ?? [];
  const refused = usages.filter((usage) => !(MEMBER_USAGES as readonly string[]).includes(usage));
  if (refused.length > 0) {
    return {
      kind: 'deny',
      reason: 'UsagesRefused',
      message: `usages ${refused.join(', ')} are not for an etcd member (allowed: ${MEMBER_USAGES.join(', ')})`,
    };
  }
  return {
    kind: 'sign',
    namespace,
    cluster,
    pod: podName,
    commonName,
    ipAddresses,
    dnsNames,
    message: `member ${who} of EtcdCluster ${cluster}, for ${[...allowed].join(', ')}`,
  };
}
