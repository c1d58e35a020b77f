// CoreDNS as a pod image, as CoreDNS's own Dockerfile makes it and the rendered Deployment (@strata/assets'
// manifests/coredns.ts) runs it: the static binary at /coredns as the entrypoint (the Deployment passes only
// `-conf /etc/coredns/Corefile`), run as the distroless `nonroot` user 65532:65532 from /, the binary carrying
// CAP_NET_BIND_SERVICE as a file capability (`setcap cap_net_bind_service=+ep`), so that a non-root process may bind
// port 53: the Deployment drops every capability but that one, which a non-root process gains only from the file.
// Nothing else: the Corefile forwards to the node's resolv.conf over plain DNS, so no CA certificates are needed.
import { COREDNS_VERSION } from './components.ts';
import type { ImageSpec } from './oci/image.ts';

/**
 * Where the lab's registry serves the image: `registry.k8s.io/coredns/coredns:v1.14.2`, the name the rendered
 * Deployment pins, less the registry host, so that a node's containerd mirroring registry.k8s.io finds it.
 */
export const COREDNS_IMAGE_REPOSITORY = 'coredns/coredns';
export const COREDNS_IMAGE_TAG = COREDNS_VERSION;
export const COREDNS_PATH = '/coredns';
/** distroless' `nonroot`, as CoreDNS's image runs and the Deployment's securityContext asks for. */
export const COREDNS_USER = '65532:65532';

/** The image of `resolveBinary('coredns')`. */
export function corednsImageSpec(corednsBinary: string): ImageSpec {
  return {
    files: [
      { path: COREDNS_PATH.slice(1), hostFile: corednsBinary, mode: 0o755, capabilities: ['CAP_NET_BIND_SERVICE'] },
    ],
    entrypoint: [COREDNS_PATH],
    user: COREDNS_USER,
    workingDir: '/',
  };
}
