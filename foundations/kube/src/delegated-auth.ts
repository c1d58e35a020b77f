// Delegated authentication and authorization, as Kubernetes' own extension
// API servers do it: a bearer token is checked with a TokenReview, and each
// action with a SubjectAccessReview, so the cluster's authenticators and RBAC
// decide, never the component. The component's own ServiceAccount needs
// create on tokenreviews and subjectaccessreviews (system:auth-delegator).
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { kubernetesApiError } from './api-errors.ts';

/** Who a token belongs to, as the API server authenticated it. */
export interface ReviewedUser {
  readonly username: string;
  readonly uid: string | undefined;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export type TokenReviewAnswer =
  | { readonly authenticated: true; readonly user: ReviewedUser }
  | { readonly authenticated: false; readonly error: string };

/** What a user asks to do, in RBAC's terms (a cluster-scoped resource when namespace is absent). */
export interface ResourceAttributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly subresource?: string;
}

export interface AccessReviewAnswer {
  readonly allowed: boolean;
  /** The authorizer's reason, for the 403 (empty when it gave none). */
  readonly reason: string;
}

export class DelegatedAuth {
  readonly #authentication: AuthenticationV1Api;
  readonly #authorization: AuthorizationV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.#authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
    this.#authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  }

  /** Asks the API server who `token` belongs to. A token it refuses is an answer; an API failure throws. */
  async reviewToken(token: string): Promise<TokenReviewAnswer> {
    let review;
    try {
      review = await this.#authentication.createTokenReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      });
    } catch (error) {
      // The token itself is never part of the error.
      throw kubernetesApiError({ verb: 'create', resource: 'tokenreviews.authentication.k8s.io' }, error);
    }
    const status = review.status;
    const user = status?.user;
    if (status?.authenticated !== true || user?.username === undefined)
      return { authenticated: false, error: status?.error ?? 'the token was not accepted' };
    return {
      authenticated: true,
      user: { username: user.username, uid: user.uid, groups: user.groups ?? [], extra: user.extra ?? {} },
    };
  }

  /** Asks the cluster's authorizers (RBAC) whether `user` may do `attributes`. */
  async reviewAccess(user: ReviewedUser, attributes: ResourceAttributes): Promise<AccessReviewAnswer> {
    let review;
    try {
      review = await this.#authorization.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.username,
            groups: [...user.groups],
            extra: Object.fromEntries(Object.entries(user.extra).map(([key, values]) => [key, [...values]])),
            ...(user.uid === undefined ? {} : { uid: user.uid }),
            resourceAttributes: { ...attributes },
          },
        },
      });
    } catch (error) {
      throw kubernetesApiError({ verb: 'create', resource: 'subjectaccessreviews.authorization.k8s.io' }, error);
    }
    return { allowed: review.status?.allowed === true, reason: review.status?.reason ?? '' };
  }
}
