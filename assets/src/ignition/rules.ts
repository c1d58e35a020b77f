import { cleanPath } from './clean-path.ts';
import { decodeDataUrl } from './data-url.ts';

/**
 * Ignition's rules on single values. Each returns the problem as a message, or
 * undefined when the value is fine; the validator and the builder share them so
 * that both refuse exactly the same things with the same words.
 */

/** The version the builder writes. */
export const IGNITION_VERSION = '3.4.0';

// Ignition accepts only released spec versions; each one older than 3.4.0 is
// translated up, and experimental versions are refused once released.
export const SUPPORTED_VERSIONS: readonly string[] = ['3.0.0', '3.1.0', '3.2.0', '3.3.0', '3.4.0'];

export const SUPPORTED_SCHEMES: readonly string[] = ['http', 'https', 'tftp', 's3', 'gs', 'data'];

export const UNIT_SUFFIXES: readonly string[] = [
  '.service',
  '.socket',
  '.device',
  '.mount',
  '.automount',
  '.swap',
  '.target',
  '.path',
  '.timer',
  '.snapshot',
  '.slice',
  '.scope',
];

export const MAX_MODE = 0o7777;

const SYSTEMD_UNIT_DIR = '/etc/systemd/system';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const HASH_SUM_LENGTHS: Readonly<Record<string, number>> = { sha512: 128, sha256: 64 };

const quote = (value: string): string => JSON.stringify(value);

/** Where Ignition writes a unit's contents (or its /dev/null link when masked). */
export const unitPath = (unit: string): string => `${SYSTEMD_UNIT_DIR}/${unit}`;

/** Where Ignition writes a drop-in's contents. */
export const dropinPath = (unit: string, dropin: string): string => `${SYSTEMD_UNIT_DIR}/${unit}.d/${dropin}`;

export function versionProblem(version: string): string | undefined {
  if (!SEMVER.test(version)) {
    return `invalid config version ${quote(version)}: not a semantic version`;
  }
  if (!SUPPORTED_VERSIONS.includes(version)) {
    return `unsupported config version ${quote(version)}: expected one of ${SUPPORTED_VERSIONS.join(', ')}`;
  }
  return undefined;
}

/** Node paths must be absolute and already in the form Go's path.Clean gives. */
export function pathProblem(path: string): string | undefined {
  if (path === '') {
    return 'path is empty';
  }
  if (!path.startsWith('/')) {
    return `path ${quote(path)} is not absolute`;
  }
  const clean = cleanPath(path);
  if (clean !== path) {
    return `path ${quote(path)} is not clean (it should be ${quote(clean)})`;
  }
  return undefined;
}

// A "/" would make Ignition write outside /etc/systemd/system; systemd itself
// never allows one in a unit name.
function slashProblem(kind: string, name: string): string | undefined {
  return name.includes('/') ? `${kind} name ${quote(name)} may not contain "/"` : undefined;
}

export function unitNameProblem(name: string): string | undefined {
  const slash = slashProblem('unit', name);
  if (slash !== undefined) {
    return slash;
  }
  if (!UNIT_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
    return `unit name ${quote(name)} does not end in a systemd unit type (${UNIT_SUFFIXES.join(', ')})`;
  }
  return undefined;
}

export function dropinNameProblem(name: string): string | undefined {
  return (
    slashProblem('drop-in', name) ??
    (name.endsWith('.conf') ? undefined : `drop-in name ${quote(name)} does not end in ".conf"`)
  );
}

export function modeProblem(mode: number): string | undefined {
  if (!Number.isInteger(mode) || mode < 0 || mode > MAX_MODE) {
    return `mode must be an integer from 0 to ${MAX_MODE} (0o7777), got ${mode}`;
  }
  return undefined;
}

export function compressionProblem(compression: string): string | undefined {
  return compression === '' || compression === 'gzip'
    ? undefined
    : `unsupported compression ${quote(compression)}: expected "gzip" or none`;
}

export function hashProblem(hash: string): string | undefined {
  const dash = hash.indexOf('-');
  if (dash === -1) {
    return `malformed hash ${quote(hash)}: expected "sha512-<hex>" or "sha256-<hex>"`;
  }
  const algorithm = hash.slice(0, dash);
  const sum = hash.slice(dash + 1);
  const length = HASH_SUM_LENGTHS[algorithm];
  if (length === undefined) {
    return `unsupported hash function ${quote(algorithm)}: expected sha512 or sha256`;
  }
  const expected = `${algorithm} sum must be ${length} lowercase hex digits`;
  if (sum.length !== length) {
    return `${expected}, got ${sum.length} characters`;
  }
  const bad = [...sum].findIndex((c) => !/[0-9a-f]/.test(c));
  if (bad !== -1) {
    return `${expected}, got ${quote(sum.charAt(bad))} at position ${bad}`;
  }
  return undefined;
}

/** The URL's scheme in lower case, as Go's url.Parse reports it, or undefined when there is none. */
export function urlScheme(url: string): string | undefined {
  return URL_SCHEME.exec(url)?.[1]?.toLowerCase();
}

/** Checks a non-empty resource source; whether a source is needed at all is the caller's business. */
export function sourceProblem(source: string): string | undefined {
  const scheme = urlScheme(source);
  if (scheme === undefined) {
    return `source ${quote(source)} has no URL scheme: expected one of ${SUPPORTED_SCHEMES.join(', ')}`;
  }
  if (!SUPPORTED_SCHEMES.includes(scheme)) {
    return `unsupported URL scheme ${quote(scheme)}: expected one of ${SUPPORTED_SCHEMES.join(', ')}`;
  }
  if (scheme === 'data') {
    const decoded = decodeDataUrl(source);
    return decoded.ok ? undefined : `invalid data URL: ${decoded.reason}`;
  }
  if (!URL.canParse(source)) {
    return `source ${quote(source)} is not a valid URL`;
  }
  if (scheme === 's3' && new URL(source).searchParams.get('versionId') === '') {
    return 'the versionId of an s3 URL may not be empty';
  }
  return undefined;
}

export function proxyUrlProblem(url: string): string | undefined {
  const scheme = urlScheme(url);
  if ((scheme !== 'http' && scheme !== 'https') || !URL.canParse(url)) {
    return `proxy ${quote(url)} is not an http or https URL`;
  }
  return undefined;
}

export function ownerProblem(owner: {
  readonly id?: number | undefined;
  readonly name?: string | undefined;
}): string | undefined {
  return owner.id !== undefined && owner.name !== undefined ? 'set either id or name, not both' : undefined;
}
