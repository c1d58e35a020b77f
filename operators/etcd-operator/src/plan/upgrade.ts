// Which etcd version changes the operator makes: a patch release, or one minor version up, never down. etcd
// supports a rolling upgrade across one minor version; skipping one, or going down, needs etcd's downgrade
// procedure, which the operator does not run.

export type UpgradePath =
  | { readonly kind: 'none' }
  | { readonly kind: 'patch' | 'minor'; readonly from: string; readonly to: string }
  | { readonly kind: 'refused'; readonly from: string; readonly to: string; readonly message: string };

interface Release {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

function parse(version: string): Release | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Negative when a is older than b, 0 when equal, positive when newer; versions that do not parse sort first. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parse(a), parse(b)];
  if (x === undefined || y === undefined) return Number(x !== undefined) - Number(y !== undefined);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** The paths the operator takes from `from`, in words for a condition. */
export function allowedPathsFrom(from: string): string {
  const release = parse(from);
  if (release === undefined) return `none from ${from}, which is no etcd release`;
  const { major, minor, patch } = release;
  return `a patch release ${major}.${minor}.x (x > ${patch}) or the next minor version ${major}.${minor + 1}.x`;
}

export function upgradePath(from: string, to: string): UpgradePath {
  if (from === to) return { kind: 'none' };
  const [a, b] = [parse(from), parse(to)];
  const refuse = (why: string): UpgradePath => ({
    kind: 'refused',
    from,
    to,
    message: `${from} → ${to} is refused (${why}); allowed from ${from}: ${allowedPathsFrom(from)}`,
  });
  if (a === undefined || b === undefined) return refuse('not an etcd release');
  if (compareVersions(to, from) < 0) return refuse('a downgrade');
  if (a.major !== b.major) return refuse('another major version');
  if (b.minor === a.minor) return { kind: 'patch', from, to };
  if (b.minor === a.minor + 1) return { kind: 'minor', from, to };
  return refuse(`${b.minor - a.minor} minor versions at once`);
}
