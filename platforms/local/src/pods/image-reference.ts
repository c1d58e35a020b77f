import { StrataError } from '@strata/api';

export class ImageReferenceError extends StrataError {}

/** A container image reference, normalized as containerd does, so that `etcd` and `docker.io/library/etcd` match. */
export interface ImageReference {
  /** The repository with its registry, e.g. "registry.k8s.io/etcd" or "docker.io/library/busybox". */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = 'docker.io';

function normalizeRepository(name: string): string {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  // Only a first component that looks like a host (a dot, a port, or localhost) names a registry.
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) return slash === -1 ? `${DOCKER_HUB}/library/${name}` : `${DOCKER_HUB}/${name}`;
  if (first === 'index.docker.io') return `${DOCKER_HUB}${name.slice(first.length)}`;
  return name;
}

export function parseImageReference(reference: string): ImageReference {
  const text = reference.trim();
  if (text === '' || /\s/.test(text))
    throw new ImageReferenceError(`"${reference}" is not an image reference`, { image: reference });
  const at = text.indexOf('@');
  const digest = at === -1 ? undefined : text.slice(at + 1);
  const named = at === -1 ? text : text.slice(0, at);
  // A colon after the last slash separates the tag; one before it belongs to a registry port.
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const name = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  if (name === '' || tag === '' || digest === '') {
    throw new ImageReferenceError(`"${reference}" is not an image reference`, { image: reference });
  }
  return {
    repository: normalizeRepository(name.toLowerCase()),
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** The tag a runtime pulls when the reference names neither a tag nor a digest. */
export function effectiveTag(reference: ImageReference): string | undefined {
  return reference.tag ?? (reference.digest === undefined ? 'latest' : undefined);
}
