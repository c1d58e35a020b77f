/** Where a value sits in a document: keys and list indexes from the root. */
export type FieldPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The path as a reader would write it in JavaScript: `workerPools[1].taints[0].effect`.
 * Keys that are not identifiers (label keys) are quoted: `labels["node.strata.dev/pool"]`;
 * the root is the empty string. Config and Ignition errors both name fields this way.
 */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
    } else if (IDENTIFIER.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else {
      text += `[${JSON.stringify(segment)}]`;
    }
  }
  return text;
}
