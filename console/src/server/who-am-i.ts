// Whose a bearer token is, in kube-apiserver's own words (a SelfSubjectReview made with it): a token is accepted
// for a session only once the API server has said so, whether it was pasted or issued by the OpenID provider.
import { AuthenticationV1Api } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import type { ApiServer } from './config.ts';
import { userKubeConfig } from './user-client.ts';

export class NoUserError extends StrataError {}

export interface Identity {
  readonly user: string;
  readonly groups: string[];
}

export async function whoAmI(apiServer: ApiServer, token: string): Promise<Identity> {
  const api = userKubeConfig(apiServer, token).makeApiClient(AuthenticationV1Api);
  const review = await api.createSelfSubjectReview({
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  const user = review.status?.userInfo?.username;
  if (user === undefined)
    throw new NoUserError('the API server answered the SelfSubjectReview without a user', { server: apiServer.server });
  return { user, groups: review.status?.userInfo?.groups ?? [] };
}
