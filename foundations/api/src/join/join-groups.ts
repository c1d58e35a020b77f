// How a bootstrap token says which machine it was issued for. The token
// Secret's auth-extra-groups puts the requester into one extra group, and the
// join approver reads that group back from the CSR's spec.groups: the API
// server sets spec.username and spec.groups from the authenticated token, so a
// requester cannot choose them.

/** Every Strata join group starts with this. */
export const JOIN_GROUP_PREFIX = 'system:bootstrappers:strata:';

/** The user name the bootstrap token authenticator gives a token: this prefix and the token id. */
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';

/** The API server refuses any other auth-extra-groups value in a bootstrap token Secret. */
export const BOOTSTRAP_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

/** A bootstrap token id, as the API server's bootstrap token authenticator accepts it. */
export const BOOTSTRAP_TOKEN_ID_PATTERN = /^[a-z0-9]{6}$/;

/** The signer of kubelet client certificates. */
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

/** The signer of kubelet serving certificates. */
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

/** A token for one named machine, or for the machines of a pool that share one config (clouds). */
export type JoinTarget =
  { readonly kind: 'node'; readonly name: string } | { readonly kind: 'pool'; readonly name: string };

/** The group of a target's token; undefined when the name cannot be expressed in a bootstrap group. */
export function joinGroupOf(target: JoinTarget): string | undefined {
  const group = `${JOIN_GROUP_PREFIX}${target.kind}:${target.name}`;
  return BOOTSTRAP_GROUP_PATTERN.test(group) ? group : undefined;
}

/** The target a join group names, or undefined for any other group. */
export function parseJoinGroup(group: string): JoinTarget | undefined {
  if (!group.startsWith(JOIN_GROUP_PREFIX) || !BOOTSTRAP_GROUP_PATTERN.test(group)) return undefined;
  const rest = group.slice(JOIN_GROUP_PREFIX.length);
  const match = /^(node|pool):([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(rest);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { kind: match[1] === 'node' ? 'node' : 'pool', name: match[2] };
}

/** The Secret that holds a bootstrap token: the authenticator looks only for this name in kube-system. */
export const bootstrapTokenSecretName = (tokenId: string): string => `bootstrap-token-${tokenId}`;
