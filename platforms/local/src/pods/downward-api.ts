import type { V1ObjectFieldSelector, V1Pod, V1ResourceFieldSelector } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';

export class DownwardApiError extends StrataError {}

/** What the downward API can tell a pod about itself. */
export interface PodFacts {
  readonly pod: V1Pod;
  readonly nodeName: string;
  readonly hostIP: string;
  readonly podIP: string;
}

/** Go's %q for strings, which the kubelet uses to write labels and annotations files. */
export function goQuote(text: string): string {
  const short: Readonly<Record<string, string>> = {
    '"': '\\"',
    '\\': '\\\\',
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
  };
  let quoted = '"';
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const escape = short[character];
    if (escape !== undefined) quoted += escape;
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0x80 && code < 0xa0) || code === 0xad || code === 0x2028 || code === 0x2029 || code === 0xfeff) {
      quoted += `\\u${code.toString(16).padStart(4, '0')}`;
    } else quoted += character;
  }
  return `${quoted}"`;
}

/** key="value" lines sorted by key, as in /etc/podinfo/labels. */
export function formatMap(map: Readonly<Record<string, string>>): string {
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${goQuote(map[key] ?? '')}`)
    .join('\n');
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/**
 * The value of a fieldRef. `wholeMaps` allows metadata.labels and
 * metadata.annotations, which only a downwardAPI volume may ask for.
 */
export function fieldRefValue(selector: V1ObjectFieldSelector, facts: PodFacts, wholeMaps: boolean): string {
  const { pod } = facts;
  const path = selector.fieldPath;
  const subscript = SUBSCRIPT.exec(path);
  if (subscript !== null) {
    const map = subscript[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[subscript[2] ?? ''] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? facts.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return facts.podIP;
  }
  if (wholeMaps && (path === 'metadata.labels' || path === 'metadata.annotations')) {
    return formatMap((path === 'metadata.labels' ? pod.metadata?.labels : pod.metadata?.annotations) ?? {});
  }
  throw new DownwardApiError(`the downward API field ${path} is not supported${wholeMaps ? '' : ' in env'}`, {
    fieldPath: path,
  });
}

export function resourceFieldRefUnsupported(selector: V1ResourceFieldSelector): DownwardApiError {
  return new DownwardApiError(
    `resourceFieldRef ${selector.resource} is not supported: process pods have no resource limits to report`,
    { resource: selector.resource },
  );
}
