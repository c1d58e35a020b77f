import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { bootstrapTokenSecretName, joinGroupOf } from '@strata/api';
import { ManifestInputsError, type BootstrapTokenInput, type ManifestInputs } from './inputs.ts';
import { KUBE_SYSTEM } from './node-agents.ts';
import { clusterRoleBinding, groupSubject, userSubject } from './rbac.ts';

const BOOTSTRAPPERS = 'system:bootstrappers';
/** The common name of kube-apiserver's client certificate towards kubelets (logs, exec, port-forward). */
export const APISERVER_KUBELET_CLIENT = 'kube-apiserver-kubelet-client';
const NODES = 'system:nodes';

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * One machine's bootstrap token. `data` rather than `stringData`: the API server moves stringData into data on every
 * write, so only data lets a re-apply be a no-op. The API server refuses the token after `expiration` (and
 * kube-controller-manager's tokencleaner deletes it); `auth-extra-groups` puts its requests into the one group that
 * names the machine, which the join approver holds each CSR to.
 */
function bootstrapTokenSecret(inputs: ManifestInputs, token: BootstrapTokenInput): V1Secret {
  const group = joinGroupOf(token.target);
  // parseManifestInputs has refused every target without a group; this keeps the type checker honest.
  if (group === undefined) throw new ManifestInputsError([{ field: 'bootstrapTokens', message: 'no join group' }]);
  const fields: Record<string, string> = {
    'auth-extra-groups': group,
    description: `Strata kubelet TLS bootstrap token of ${token.target.kind} ${token.target.name} in cluster ${inputs.clusterName}`,
    expiration: token.expiration,
    'token-id': token.id,
    'token-secret': token.secret,
    'usage-bootstrap-authentication': 'true',
    // Lets the bootstrap signer sign kube-public/cluster-info with this token, so a node can check the CA it is given.
    'usage-bootstrap-signing': 'true',
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'bootstrap.kubernetes.io/token',
    // The bootstrap token authenticator only looks for this name in kube-system.
    metadata: { name: bootstrapTokenSecretName(token.id), namespace: KUBE_SYSTEM },
    data: Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, base64(value)])),
  };
}

/**
 * Kubelet TLS bootstrapping: each machine's token lets its kubelet ask for a
 * client certificate and nothing else. kube-controller-manager does not
 * approve these first requests: the join approver does, only for the node
 * the token was issued for (11-join-approver.yaml). Renewals a node asks for
 * its own certificate are approved by kube-controller-manager. Serving
 * certificates are not auto-approved: nothing here proves a node owns the
 * names it would put in one.
 */
export function nodeBootstrap(inputs: ManifestInputs): KubernetesObject[] {
  return [
    ...inputs.bootstrapTokens.map((token) => bootstrapTokenSecret(inputs, token)),
    clusterRoleBinding('strata:kubelet-bootstrap', 'system:node-bootstrapper', [groupSubject(BOOTSTRAPPERS)]),
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
