import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import type { ManifestInputs } from './inputs.ts';
import { KUBE_SYSTEM } from './node-agents.ts';
import { clusterRoleBinding, groupSubject, userSubject } from './rbac.ts';

/** The group every kubelet bootstrapping with the token is in, besides system:bootstrappers. */
export const BOOTSTRAP_TOKEN_EXTRA_GROUP = 'system:bootstrappers:strata';

const BOOTSTRAPPERS = 'system:bootstrappers';
/** The common name of kube-apiserver's client certificate towards kubelets (logs, exec, port-forward). */
export const APISERVER_KUBELET_CLIENT = 'kube-apiserver-kubelet-client';
const NODES = 'system:nodes';

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * The bootstrap token. `data` rather than `stringData`: the API server moves
 * stringData into data on every write, so only data lets a re-apply be a no-op.
 */
function bootstrapTokenSecret(inputs: ManifestInputs): V1Secret {
  const { id, secret } = inputs.bootstrapToken;
  const fields: Record<string, string> = {
    'auth-extra-groups': BOOTSTRAP_TOKEN_EXTRA_GROUP,
    description: `Strata kubelet TLS bootstrap token for cluster ${inputs.clusterName}`,
    'token-id': id,
    'token-secret': secret,
    'usage-bootstrap-authentication': 'true',
    // Lets the bootstrap signer sign kube-public/cluster-info with this token, so a node can check the CA it is given.
    'usage-bootstrap-signing': 'true',
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'bootstrap.kubernetes.io/token',
    // The bootstrap token authenticator only looks for this name in kube-system.
    metadata: { name: `bootstrap-token-${id}`, namespace: KUBE_SYSTEM },
    data: Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, base64(value)])),
  };
}

/**
 * Kubelet TLS bootstrapping: a token lets a new kubelet ask for a client
 * certificate and nothing else, the first request is approved automatically,
 * and so are renewals a node asks for its own certificate. Serving
 * certificates are not auto-approved: nothing here proves a node owns the
 * names it would put in one.
 */
export function nodeBootstrap(inputs: ManifestInputs): KubernetesObject[] {
  return [
    bootstrapTokenSecret(inputs),
    clusterRoleBinding('strata:kubelet-bootstrap', 'system:node-bootstrapper', [groupSubject(BOOTSTRAPPERS)]),
    clusterRoleBinding(
      'strata:node-autoapprove-bootstrap',
      'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      [groupSubject(BOOTSTRAPPERS)],
    ),
    clusterRoleBinding(
      'strata:node-autoapprove-certificate-rotation',
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      [groupSubject(NODES)],
    ),
    // kube-apiserver reaches kubelets as this user; kubelets authorize it by webhook, so it needs exactly this role.
    clusterRoleBinding('strata:apiserver-kubelet-api-admin', 'system:kubelet-api-admin', [
      userSubject(APISERVER_KUBELET_CLIENT),
    ]),
  ];
}
