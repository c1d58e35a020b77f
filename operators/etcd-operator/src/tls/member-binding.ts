// The one ClusterRoleBinding (rendered by @strata/assets, MEMBER_CLUSTER_ROLE) that lets member service accounts
// ask for their certificates. The operator adds and removes subjects: updating that one object by name is all the
// RBAC it needs, where a binding per cluster would need create and delete on every ClusterRoleBinding.
import type { RbacAuthorizationV1Api, RbacV1Subject, V1ClusterRoleBinding } from '@kubernetes/client-node';
import { kubernetesApiError } from '@strata/kube';
import { MEMBER_CLUSTER_ROLE } from './names.ts';

const sameSubject = (a: RbacV1Subject, b: RbacV1Subject): boolean =>
  a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

/**
 * Adds (or removes) service account namespace/account among the binding's subjects. A write that loses a race is a
 * 409, which fails the pass: the next pass reads the binding again.
 */
export async function setMemberSubject(
  rbac: RbacAuthorizationV1Api,
  subject: { readonly namespace: string; readonly account: string },
  present: boolean,
): Promise<void> {
  const name = MEMBER_CLUSTER_ROLE;
  let binding: V1ClusterRoleBinding;
  try {
    binding = await rbac.readClusterRoleBinding({ name });
  } catch (error) {
    throw kubernetesApiError({ verb: 'get', resource: 'clusterrolebindings', name }, error);
  }
  const wanted: RbacV1Subject = { kind: 'ServiceAccount', name: subject.account, namespace: subject.namespace };
  const subjects = binding.subjects ?? [];
  const has = subjects.some((existing) => sameSubject(existing, wanted));
  if (has === present) return;
  const next = present ? [...subjects, wanted] : subjects.filter((existing) => !sameSubject(existing, wanted));
  try {
    await rbac.replaceClusterRoleBinding({ name, body: { ...binding, subjects: next } });
  } catch (error) {
    throw kubernetesApiError({ verb: 'update', resource: 'clusterrolebindings', name }, error);
  }
}
