// Ids of what the flow registers. Cluster and machine names are DNS labels,
// and the two suffixes cannot be confused ("...-install" never equals
// "...-installed"), so ids never collide within a cluster.

/** The PXE profile and group that install a machine. */
export const installId = (cluster: string, machine: string): string => `${cluster}-${machine}-install`;
/** The profile and group the installed system's Ignition config comes from (`os=installed`). */
export const installedId = (cluster: string, machine: string): string => `${cluster}-${machine}-installed`;
/** Raw Ignition is stored as `<profile id>.ign`: matchbox serves `.ign` files as they are, without templating. */
export const ignitionName = (profileId: string): string => `${profileId}.ign`;
