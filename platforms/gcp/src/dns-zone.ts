// Which Cloud DNS managed zone holds a name: the public zone with the longest
// domain the name ends in, as a resolver would delegate to it.
import { GcpPlatformError } from './errors.ts';

export interface ManagedZoneCandidate {
  readonly name?: string | undefined;
  /** The zone's domain with its final dot, as Cloud DNS returns it. */
  readonly dnsName: string;
  readonly visibility: string;
}

export interface FoundZone {
  readonly name: string;
  readonly dnsName: string;
}

function withoutDot(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** The public zone of `project` that `dnsName` belongs to; a typed error naming the zones seen when none does. */
export function zoneFor(dnsName: string, zones: readonly ManagedZoneCandidate[], project: string): FoundZone {
  const wanted = withoutDot(dnsName);
  let best: FoundZone | undefined;
  for (const zone of zones) {
    const domain = withoutDot(zone.dnsName);
    const contains = wanted === domain || wanted.endsWith(`.${domain}`);
    if (zone.visibility !== 'public' || !contains || zone.name === undefined) continue;
    if (best === undefined || domain.length > withoutDot(best.dnsName).length) {
      best = { name: zone.name, dnsName: zone.dnsName };
    }
  }
  if (best === undefined) {
    throw new GcpPlatformError(
      `no public Cloud DNS managed zone of project ${project} holds ${wanted}; create one for the cluster's baseDomain (gcloud dns managed-zones create)`,
      {
        project,
        dnsName: wanted,
        zones: zones.map((zone) => ({ name: zone.name, dnsName: zone.dnsName, visibility: zone.visibility })),
      },
    );
  }
  return best;
}
