// kube-apiserver's --authentication-config. Without it, kube-apiserver lets
// anonymous requests through on every path, and RBAC's default public-info
// role then shows /version (the exact build, for picking an exploit) to
// anyone who reaches the port. Anonymous access stays only where the
// kubelet's and load balancers' unauthenticated health probes need it.
import { stringify } from 'yaml';

/** The only paths an unauthenticated request may reach. */
export const ANONYMOUS_PATHS = ['/livez', '/readyz', '/healthz'] as const;

/** A claim mapped to a Kubernetes username or groups: the claim's name and what is put before its value. */
export interface JwtClaimMapping {
  readonly claim: string;
  readonly prefix: string;
}

/**
 * An OpenID provider whose ID tokens kube-apiserver accepts as bearer tokens (the `jwt` entries of
 * `apiserver.config.k8s.io/v1`): it fetches the issuer's discovery document and keys itself, trusting
 * `certificateAuthority` (PEM) for them.
 */
export interface JwtAuthenticator {
  readonly issuer: {
    readonly url: string;
    readonly audiences: readonly string[];
    readonly certificateAuthority?: string;
  };
  readonly claimMappings: {
    readonly username: JwtClaimMapping;
    readonly groups?: JwtClaimMapping;
  };
}

/**
 * The AuthenticationConfiguration file. It replaces --anonymous-auth, which
 * kube-apiserver refuses alongside --authentication-config.
 */
export function authenticationConfiguration(jwt: readonly JwtAuthenticator[] = []): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    ...(jwt.length === 0 ? {} : { jwt }),
    anonymous: { enabled: true, conditions: ANONYMOUS_PATHS.map((path) => ({ path })) },
  });
}
