import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import { KUBELET_SERVING_SIGNER } from '@strata/api';
import type { CertificateSigningRequestContents } from '@strata/assets';

// The judgement of a kubelet serving CSR: a node may have a serving certificate for its own Node's names and
// addresses, and nothing else. The Node's addresses are what the API server holds for it, which only that node's
// kubelet (NodeRestriction) and the control plane may write.

export { KUBELET_SERVING_SIGNER };

const NODE_USER_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';
const KUBELET_SERVING_USAGES = [
  ['digital signature', 'server auth'],
  ['digital signature', 'key encipherment', 'server auth'],
].map((usages) => usages.join(','));
const NAME_ADDRESS_TYPES = new Set(['Hostname', 'InternalDNS', 'ExternalDNS']);
const IP_ADDRESS_TYPES = new Set(['InternalIP', 'ExternalIP']);

export interface NodeAddresses {
  readonly addresses: readonly { readonly type: string; readonly address: string }[];
}

export type ServingDecision =
  | { readonly kind: 'ignore'; readonly why: string }
  /** The Node is not registered yet: judged again when it is. */
  | { readonly kind: 'wait'; readonly nodeName: string }
  | { readonly kind: 'approve'; readonly nodeName: string; readonly message: string }
  | { readonly kind: 'deny'; readonly reason: string; readonly message: string };

const decided = (csr: V1CertificateSigningRequest): boolean =>
  (csr.status?.conditions ?? []).some(
    (condition) =>
      (condition.type === 'Approved' || condition.type === 'Denied' || condition.type === 'Failed') &&
      condition.status === 'True',
  );

/** The node a serving CSR was filed by, if a node filed it. */
export function servingRequester(csr: V1CertificateSigningRequest): string | undefined {
  const username = csr.spec.username ?? '';
  return csr.spec.signerName === KUBELET_SERVING_SIGNER && username.startsWith(NODE_USER_PREFIX)
    ? username.slice(NODE_USER_PREFIX.length)
    : undefined;
}

/**
 * Whether a kubelet serving CSR may be approved: filed by `system:node:<name>` in system:nodes, for
 * `CN=system:node:<name>`, `O=system:nodes`, the kubelet's serving usages, and subject alternative names that are
 * all DNS names or IP addresses of the Node `<name>` (its name included), at least one of them.
 */
export function decideServingCsr(
  csr: V1CertificateSigningRequest,
  request: CertificateSigningRequestContents | { readonly unreadable: string },
  node: (name: string) => NodeAddresses | undefined,
): ServingDecision {
  if (csr.spec.signerName !== KUBELET_SERVING_SIGNER) return { kind: 'ignore', why: `signer ${csr.spec.signerName}` };
  if (decided(csr)) return { kind: 'ignore', why: 'already decided' };
  const name = csr.metadata?.name ?? '';
  const username = csr.spec.username ?? '';
  const deny = (reason: string, message: string): ServingDecision => ({
    kind: 'deny',
    reason,
    message: `serving CSR ${name} from ${username}: ${message}`,
  });
  const nodeName = servingRequester(csr);
  if (nodeName === undefined || !(csr.spec.groups ?? []).includes(NODES_GROUP))
    return deny('NotANode', 'only a node may ask for a kubelet serving certificate');
  if ('unreadable' in request) return deny('MalformedRequest', `the request cannot be read: ${request.unreadable}`);
  if (!request.signatureValid) return deny('MalformedRequest', 'the request is not signed by the key it carries');
  if (request.commonNames.length !== 1 || request.commonNames[0] !== `${NODE_USER_PREFIX}${nodeName}`)
    return deny('WrongSubject', `asks for CN ${request.commonNames.join(', ') || '(none)'}, not its own node's`);
  if (request.organizations.length !== 1 || request.organizations[0] !== NODES_GROUP)
    return deny('WrongSubject', `asks for O ${request.organizations.join(', ') || '(none)'}, not ${NODES_GROUP}`);
  if (request.otherSubjectFields.length > 0)
    return deny('WrongSubject', `asks for subject fields ${request.otherSubjectFields.join(', ')}`);
  const usages = [...(csr.spec.usages ?? [])].sort().join(',');
  if (!KUBELET_SERVING_USAGES.includes(usages))
    return deny('WrongUsages', `asks for usages ${usages || '(none)'}, not the kubelet's serving ones`);
  if (request.subjectAltNames.length === 0) return deny('NoSans', 'asks for no subject alternative name');
  const registered = node(nodeName);
  if (registered === undefined) return { kind: 'wait', nodeName };
  const names = new Set([
    nodeName,
    ...registered.addresses.filter((entry) => NAME_ADDRESS_TYPES.has(entry.type)).map((entry) => entry.address),
  ]);
  const ips = new Set(
    registered.addresses.filter((entry) => IP_ADDRESS_TYPES.has(entry.type)).map((entry) => entry.address),
  );
  const foreign = request.subjectAltNames.filter(
    (san) => !((san.type === 'dns' && names.has(san.value)) || (san.type === 'ip' && ips.has(san.value))),
  );
  if (foreign.length > 0)
    return deny(
      'ForeignSans',
      `asks for ${foreign.map((san) => `${san.type} ${san.value}`).join(', ')}, which Node "${nodeName}" does not have`,
    );
  return {
    kind: 'approve',
    nodeName,
    message: `serving certificate of node "${nodeName}" for ${request.subjectAltNames.map((san) => san.value).join(', ')}`,
  };
}
