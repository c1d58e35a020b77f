// A pool's snippet paths are relative to the cluster.yaml that names them (the config schema says so). The wizard
// may start from one file (the --dir cluster's copy) and write another (./cluster.yaml): the kept snippets must
// still name the same files from the new place.
import { isAbsolute, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';

function rebaseList(document: Document, path: readonly (string | number)[], fromDir: string, toDir: string): void {
  const list = document.getIn(path, true);
  if (!isSeq(list)) return;
  for (const item of list.items) {
    if (!isScalar(item) || typeof item.value !== 'string' || isAbsolute(item.value)) continue;
    item.value = relative(toDir, resolve(fromDir, item.value)) || '.';
  }
}

/**
 * `text` (a cluster.yaml read from `fromDir`) with every relative snippet path rewritten to name the same file from
 * `toDir`; comments and layout kept. The same text when the directories are the same.
 */
export function rebaseSnippetPaths(text: string, fromDir: string, toDir: string): string {
  if (resolve(fromDir) === resolve(toDir)) return text;
  const document = parseDocument(text);
  rebaseList(document, ['controllers', 'snippets'], fromDir, toDir);
  const pools = document.get('workerPools', true);
  if (isSeq(pools))
    pools.items.forEach((pool, index) => {
      if (isMap(pool)) rebaseList(document, ['workerPools', index, 'snippets'], fromDir, toDir);
    });
  return document.toString();
}
