// The contract lives in @strata/assets, shared with the update operator's agent.
export type { NodeOperatingSystem, OsRelease } from '@strata/api';
