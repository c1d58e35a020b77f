// kube-apiserver's --authentication-config. Without it, kube-apiserver lets
// anonymous requests through on every path, and RBAC's default public-info
// role then shows /version (the exact build, for picking an exploit) to
// anyone who reaches the port. Anonymous access stays only where the
// kubelet's and load balancers' unauthenticated health probes need it.
import { stringify } from 'yaml';

/** The only paths an unauthenticated request may reach. */
export const ANONYMOUS_PATHS = ['/livez', '/readyz', '/healthz'] as const;

/**
 * The AuthenticationConfiguration file. It replaces --anonymous-auth, which
 * kube-apiserver refuses alongside --authentication-config.
 */
export function authenticationConfiguration(): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    anonymous: { enabled: true, conditions: ANONYMOUS_PATHS.map((path) => ({ path })) },
  });
}
