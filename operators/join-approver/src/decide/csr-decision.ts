import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import {
  BOOTSTRAP_TOKEN_ID_PATTERN,
  BOOTSTRAP_USER_PREFIX,
  KUBELET_CLIENT_SIGNER,
  parseJoinGroup,
  type JoinTarget,
} from '@strata/api';
import type { CertificateSigningRequestContents } from '@strata/assets';

// The judgement of one kubelet client CSR, apart from any I/O: the request's
// PEM is read beforehand, and what the cluster knows of Nodes comes in as a
// lookup, so every rule can be tested on its own.

const NODE_USER_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';
const SUBJECT_ALT_NAME_OID = '2.5.29.17';
/** The usages a kubelet asks for: ECDSA keys sign only; RSA keys also encipher. */
const KUBELET_CLIENT_USAGES = [
  ['client auth', 'digital signature'],
  ['client auth', 'digital signature', 'key encipherment'],
].map((usages) => usages.join(','));

/** The pool label the topology gives every worker (assets' workerLabels). */
export const POOL_LABEL = 'node.strata.dev/pool';

/** What the approver knows about an existing Node of a name. */
export interface ExistingNode {
  /** Its pool label, undefined when it has none (controllers). */
  readonly pool: string | undefined;
}

export interface DecisionContext {
  /** The cluster's controllers by name, from the approver's rendered flags: no worker token may name one. */
  readonly controllers: ReadonlySet<string>;
  /** The Node of that name, if one is registered. */
  readonly node: (name: string) => ExistingNode | undefined;
}

export type CsrDecision =
  /** Not the approver's to judge: another signer, already decided, or not a bootstrap token's request. */
  | { readonly kind: 'ignore'; readonly why: string }
  | {
      readonly kind: 'approve';
      readonly nodeName: string;
      readonly tokenId: string;
      readonly target: JoinTarget;
      readonly message: string;
    }
  | { readonly kind: 'deny'; readonly reason: string; readonly message: string };

const decided = (csr: V1CertificateSigningRequest): boolean =>
  (csr.status?.conditions ?? []).some(
    (condition) =>
      (condition.type === 'Approved' || condition.type === 'Denied' || condition.type === 'Failed') &&
      condition.status === 'True',
  );

const describeTarget = (target: JoinTarget): string => `${target.kind} "${target.name}"`;

/**
 * Whether a CSR of the kubelet client signer may be approved: only a bootstrap
 * token's first request for `system:node:<name>` (O=system:nodes, no SANs,
 * the kubelet's usages), where `<name>` is the node the token was issued for,
 * or, for a token shared by a cloud pool, a name that is no controller's and
 * no other pool's Node. Renewals (a node asking for itself) are left to
 * kube-controller-manager's selfnodeclient approval.
 */
export function decideCsr(
  csr: V1CertificateSigningRequest,
  request: CertificateSigningRequestContents | { readonly unreadable: string },
  context: DecisionContext,
): CsrDecision {
  const name = csr.metadata?.name ?? '';
  if (csr.spec.signerName !== KUBELET_CLIENT_SIGNER) return { kind: 'ignore', why: `signer ${csr.spec.signerName}` };
  if (decided(csr)) return { kind: 'ignore', why: 'already decided' };
  const username = csr.spec.username ?? '';
  if (!username.startsWith(BOOTSTRAP_USER_PREFIX))
    return { kind: 'ignore', why: `requested by ${username}, not a bootstrap token` };
  const tokenId = username.slice(BOOTSTRAP_USER_PREFIX.length);
  const deny = (reason: string, message: string): CsrDecision => ({
    kind: 'deny',
    reason,
    message: `CSR ${name} from ${username}: ${message}`,
  });
  if (!BOOTSTRAP_TOKEN_ID_PATTERN.test(tokenId)) return deny('MalformedUser', `"${tokenId}" is not a token id`);

  const targets = (csr.spec.groups ?? []).map(parseJoinGroup).filter((target) => target !== undefined);
  const [target, ...others] = targets;
  if (target === undefined)
    return deny('TokenNotBound', 'the token is bound to no machine (no system:bootstrappers:strata:node: group)');
  if (others.length > 0)
    return deny('TokenBoundTwice', `the token names ${targets.map(describeTarget).join(' and ')}; it must name one`);

  if ('unreadable' in request) return deny('MalformedRequest', `the request cannot be read: ${request.unreadable}`);
  if (!request.signatureValid) return deny('MalformedRequest', 'the request is not signed by the key it carries');
  const [commonName, ...moreNames] = request.commonNames;
  if (commonName === undefined || moreNames.length > 0 || !commonName.startsWith(NODE_USER_PREFIX))
    return deny('WrongSubject', `asks for CN ${request.commonNames.join(', ') || '(none)'}, not system:node:<name>`);
  const nodeName = commonName.slice(NODE_USER_PREFIX.length);
  if (request.organizations.length !== 1 || request.organizations[0] !== NODES_GROUP)
    return deny('WrongSubject', `asks for O ${request.organizations.join(', ') || '(none)'}, not ${NODES_GROUP}`);
  if (request.otherSubjectFields.length > 0)
    return deny('WrongSubject', `asks for subject fields ${request.otherSubjectFields.join(', ')}`);
  if (request.extensionOids.includes(SUBJECT_ALT_NAME_OID))
    return deny('UnexpectedSans', 'asks for subject alternative names, which a kubelet client certificate has none of');
  const usages = [...(csr.spec.usages ?? [])].sort().join(',');
  if (!KUBELET_CLIENT_USAGES.includes(usages))
    return deny('WrongUsages', `asks for usages ${usages || '(none)'}, not the kubelet client's`);

  if (target.kind === 'node') {
    if (nodeName !== target.name)
      return deny(
        'NodeNameMismatch',
        `asks for node "${nodeName}", but its token was issued for node "${target.name}"`,
      );
  } else {
    if (context.controllers.has(nodeName))
      return deny('ControllerName', `asks for node "${nodeName}", a controller, with a token of pool "${target.name}"`);
    const existing = context.node(nodeName);
    if (existing !== undefined && existing.pool !== target.name)
      return deny(
        'NodeOfAnotherPool',
        `asks for node "${nodeName}", which is registered ${existing.pool === undefined ? 'outside any pool' : `in pool "${existing.pool}"`}, with a token of pool "${target.name}"`,
      );
  }
  return {
    kind: 'approve',
    nodeName,
    tokenId,
    target,
    message: `node "${nodeName}" joined with token ${tokenId}, issued for ${describeTarget(target)}`,
  };
}
