import type { OsRelease } from '@strata/api';
import { versionParts } from '@strata/update-engine';
import { UnsimulatedOsError } from './errors.ts';

/** The OSes the simulated machines play; Strata's node image runs on the machine lab's real machines. */
export type OsId = Exclude<OsRelease['id'], 'strata'>;

/** The simulated OS of a config's `os.name`; Strata's node image has none (the config rules refuse it here first). */
export function simulatedOsId(name: OsRelease['id']): OsId {
  if (name === 'strata')
    throw new UnsimulatedOsError(
      "os.name strata is Strata's node image, which only real machines boot (the machine lab, bare metal); simulated machines play flatcar or fedora-coreos",
      { field: 'os.name', value: name },
    );
  return name;
}

export const DEFAULT_FLATCAR_CODENAME = 'Oklo';

/** The first Flatcar major release on each kernel series, newest first (approximate, for plausibility only). */
const FLATCAR_KERNEL_SERIES = [
  { fromMajor: 4372, series: '6.12' },
  { fromMajor: 3975, series: '6.6' },
  { fromMajor: 3760, series: '6.1' },
  { fromMajor: 0, series: '5.15' },
] as const;

/**
 * A kernel release that depends only on the OS version, so a node reports the
 * same kernel for as long as it runs a version and a newer kernel after an
 * update; the formula puts 4230.2.3 on 6.6.95, as the real release is.
 */
function flatcarKernel(version: string): string {
  const [major = 0, minor = 0, patch = 0] = versionParts(version);
  const { fromMajor, series } =
    FLATCAR_KERNEL_SERIES.find((entry) => major >= entry.fromMajor) ?? FLATCAR_KERNEL_SERIES[3];
  return `${series}.${Math.floor((major - fromMajor) / 3) + 3 * minor + patch + 1}-flatcar`;
}

const UNAME_MACHINE: Partial<Record<NodeJS.Architecture, string>> = { x64: 'x86_64', arm64: 'aarch64' };

/**
 * Fedora CoreOS versions are <fedora release>.<build date>.<stream>.<respin>;
 * Linux has shipped a 6.x release about every 70 days since 6.0 in October
 * 2022, which dates the kernel a build would carry.
 */
function fedoraCoreOsKernel(version: string): string {
  const [release = 0, date = 0, stream = 0, respin = 0] = versionParts(version);
  const year = Math.floor(date / 10_000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  const datable = year >= 2022 && month >= 1 && month <= 12;
  const minor = datable ? Math.max(0, Math.floor(((year - 2022) * 12 + month - 10) / 2.3)) : Math.max(0, release - 28);
  const patch = (datable ? Math.floor(day / 3) : 0) + stream + 1;
  return `6.${minor}.${patch}-${200 + respin}.fc${release}.${UNAME_MACHINE[process.arch] ?? process.arch}`;
}

/** What /etc/os-release and `uname -r` would say on a machine running `version`. */
export function osRelease(
  id: OsId,
  version: string,
  group: string,
  codename: string = DEFAULT_FLATCAR_CODENAME,
): OsRelease {
  return id === 'flatcar'
    ? {
        id,
        version,
        group,
        prettyName: `Flatcar Container Linux by Kinvolk ${version} (${codename})`,
        kernelVersion: flatcarKernel(version),
      }
    : { id, version, group, prettyName: `Fedora CoreOS ${version}`, kernelVersion: fedoraCoreOsKernel(version) };
}
