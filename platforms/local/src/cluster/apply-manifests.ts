import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { toClientModel } from '@strata/kube';

export class ManifestApplyError extends StrataError {}

export const FIELD_MANAGER = 'strata';

/** Reads every manifest file of the asset directory, in apply order (file names are numbered). */
export async function readManifests(manifestsDir: string): Promise<{ file: string; objects: KubernetesObject[] }[]> {
  const files = (await readdir(manifestsDir)).filter((file) => file.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const documents = parseAllDocuments(await readFile(join(manifestsDir, file), 'utf8'));
      // Mapped onto the client's models, which would otherwise drop wire keys such as x-kubernetes-validations.
      const objects = (Array.isArray(documents) ? documents : [documents])
        .map((document) => document.toJS() as KubernetesObject | null)
        .filter((object) => object !== null)
        .map((object) => toClientModel(object));
      return { file, objects };
    }),
  );
}

const describeObject = (object: KubernetesObject) =>
  `${object.kind ?? '?'} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name ?? '?'}`;

/**
 * Applies the manifests with server-side apply, in order. An object is
 * retried for a while, because right after start the API may not yet serve
 * every resource; a lasting refusal names the object and the server's answer.
 */
export async function applyManifests(
  kubeConfig: KubeConfig,
  manifestsDir: string,
  timeoutMs = 60_000,
): Promise<number> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  let applied = 0;
  for (const { file, objects } of await readManifests(manifestsDir)) {
    for (const object of objects) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          await client.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
          applied += 1;
          break;
        } catch (error) {
          if (Date.now() > deadline) {
            const body = (error as { body?: unknown }).body;
            throw new ManifestApplyError(
              `${file}: ${describeObject(object)} was refused: ${typeof body === 'string' ? body : String(error)}`,
              { file, object: describeObject(object) },
              { cause: error },
            );
          }
          await sleep(500);
        }
      }
    }
  }
  return applied;
}
