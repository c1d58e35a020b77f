// Bootstrap: server-side apply of the rendered bootstrap manifests, in file
// order (namespaces and CRDs first), each object retried while the API is
// still settling (a CRD not yet established, a restart).
import {
  applyManifestObject,
  describeApiError,
  isClusterIpAlreadyAllocated,
  isNotFound,
  isTransient,
} from '@strata/kube';
import { waitFor } from '@strata/host';
import { readBootstrapManifests } from './manifests.ts';
import { InstallError } from '../errors.ts';
import { adminKubeConfig } from './api-client.ts';
import type { PhaseContext, PhaseOutcome } from './phase.ts';

export const FIELD_MANAGER = 'strata-install';

export async function bootstrap(context: PhaseContext): Promise<PhaseOutcome> {
  const kubeConfig = adminKubeConfig(context.directory);
  const files = await readBootstrapManifests(context.directory);
  const total = files.reduce((sum, file) => sum + file.objects.length, 0);
  let done = 0;
  for (const { file, objects } of files) {
    for (const object of objects) {
      const what = `${file}: ${object.kind ?? '?'} ${object.metadata?.namespace === undefined ? '' : `${object.metadata.namespace}/`}${object.metadata?.name ?? '?'}`;
      await waitFor(
        `the API server to accept ${what}`,
        async () => {
          if (context.signal.aborted) throw context.signal.reason;
          try {
            return await applyManifestObject(kubeConfig, object, FIELD_MANAGER);
          } catch (error) {
            // A kind whose CRD is not served yet answers 404 until the CRD is established; a fixed clusterIP whose
            // first apply failed after its allocation answers 422 until that is settled (seen under load in CI).
            if (isTransient(error) || isNotFound(error) || isClusterIpAlreadyAllocated(error)) return undefined;
            throw new InstallError(
              `${what} was refused: ${describeApiError(error)}`,
              { file, object: what },
              { cause: error },
            );
          }
        },
        { timeoutMs: context.timeoutMs, intervalMs: 500 },
      );
      done += 1;
      context.progress(`applied ${what}`, { done, total });
    }
  }
  return { changed: false };
}
