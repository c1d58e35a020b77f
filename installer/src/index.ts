// @strata/installer is used through its `strata` command. Its library API is
// what the whole-system tests need to build clusters exactly as it does.
export { version } from './version.ts';
export {
  localPlatformComponents,
  LocalComponentsError,
  UPDATE_OPERATOR_BIN,
  UPDATE_SERVER_BIN,
  UpdateAgents,
  updateOperatorProgram,
  type LocalPlatformComponents,
  type LocalPlatformComponentsOptions,
} from './local/components.ts';
export {
  checkServedNodeImage,
  nodeImageRelease,
  publishNodeImage,
  type PublishedNodeImage,
} from './install/bare-metal/node-image-release.ts';
