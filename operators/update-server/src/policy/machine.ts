// A machine as the policy sees it, and the states of its history.

export const MACHINE_STATES = [
  'granted',
  'downloading',
  'downloaded',
  'installed',
  'complete',
  'error',
  'on-hold',
] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

/** Granted and not yet complete or failed: counts against the concurrency limit until it times out. */
export const IN_PROGRESS_STATES: readonly MachineState[] = ['granted', 'downloading', 'downloaded', 'installed'];

export interface MachineView {
  readonly state: MachineState | undefined;
  /** The version last granted, if any. */
  readonly targetVersion: string | undefined;
  readonly grantedAt: Date | undefined;
}
