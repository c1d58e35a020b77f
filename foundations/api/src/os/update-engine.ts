/**
 * The update engine as Container Linux exposes it over D-Bus (service
 * com.coreos.update1, object /com/coreos/update1, interface
 * com.coreos.update1.Manager): the update operator's agent talks to this
 * interface, backed by the real update_engine on a Flatcar node and by the
 * simulated OS on the local platform.
 */
export const UPDATE_STATUSES = [
  'UPDATE_STATUS_IDLE',
  'UPDATE_STATUS_CHECKING_FOR_UPDATE',
  'UPDATE_STATUS_UPDATE_AVAILABLE',
  'UPDATE_STATUS_DOWNLOADING',
  'UPDATE_STATUS_VERIFYING',
  'UPDATE_STATUS_FINALIZING',
  'UPDATE_STATUS_UPDATED_NEED_REBOOT',
  'UPDATE_STATUS_REPORTING_ERROR_EVENT',
] as const;

export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/** What GetStatus returns and StatusUpdate signals carry, field for field. */
export interface UpdateEngineStatus {
  /** Seconds since the epoch of the last check, 0 if never. */
  readonly lastCheckedTime: number;
  /** 0.0 to 1.0 while downloading. */
  readonly progress: number;
  readonly currentOperation: UpdateStatus;
  /** The version being or been installed; empty when none. */
  readonly newVersion: string;
  readonly newSize: number;
}

export interface UpdateEngine {
  getStatus(): Promise<UpdateEngineStatus>;
  /** Subscribes to StatusUpdate signals; returns the unsubscribe function. */
  onStatusUpdate(listener: (status: UpdateEngineStatus) => void): () => void;
  /** AttemptUpdate: check now rather than at the next periodic check. */
  attemptUpdate(): Promise<void>;
}

/** Reboots the machine, as logind's Reboot does. */
export interface RebootManager {
  reboot(): Promise<void>;
}
