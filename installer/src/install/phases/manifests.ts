// The rendered bootstrap manifests in their wire form, as written to disk
// (applyManifestObject maps them onto the client's models itself).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { InstallDirectory } from '../cluster-dir.ts';

export async function readBootstrapManifests(
  directory: InstallDirectory,
): Promise<{ file: string; objects: KubernetesObject[] }[]> {
  const dir = join(directory.assetsDir, 'manifests');
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => ({
      file,
      objects: parseAllDocuments(await readFile(join(dir, file), 'utf8'))
        .map((document) => document.toJS() as KubernetesObject | null)
        .filter((object): object is KubernetesObject => object !== null),
    })),
  );
}
