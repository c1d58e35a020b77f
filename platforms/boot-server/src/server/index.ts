export {
  startBootServer,
  DEFAULT_BOOT_SERVER_LIMITS,
  type BootServer,
  type BootServerLimits,
  type BootServerOptions,
} from './boot-server.ts';
export { answerBootRequest, BOOT_PATHS } from './boot-answers.ts';
export { SnapshotView } from './snapshot-view.ts';
export { parseListenAddress, type ListenAddress } from './address.ts';
export type { Answer } from './answer.ts';
export { ServedMachines, DEFAULT_MAX_SERVED_MACHINES, type ServedKind } from './served-machines.ts';
