// What the signed-in user may do, in the API server's own words (SelfSubjectAccessReview), so that the UI offers
// only what would be allowed. It is advice for the UI: the API server checks every request again.
import { AuthorizationV1Api, type KubeConfig, type V1ResourceAttributes } from '@kubernetes/client-node';
import { kubernetesApiError } from '@strata/kube';

export async function mayI(kubeConfig: KubeConfig, attributes: V1ResourceAttributes): Promise<boolean> {
  try {
    const review = await kubeConfig.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: attributes },
      },
    });
    return review.status?.allowed === true;
  } catch (error) {
    throw kubernetesApiError({ verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io' }, error);
  }
}
