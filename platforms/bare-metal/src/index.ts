// The public entry point of @strata/platform-bare-metal: the matchbox data
// model, the stores, group matching, Go template rendering and the read-side
// HTTP server. The write API (src/api/), the Kubernetes store, the Pulumi
// resources and the bare-metal flow add their own exports here.
export {
  bootSchema,
  groupSchema,
  profileSchema,
  resourceIdSchema,
  templateNameSchema,
  TEMPLATE_KINDS,
  type Group,
  type GroupInput,
  type Profile,
  type ProfileInput,
  type TemplateKind,
} from './model/schema.ts';
export { jsonDepth, MAX_METADATA_DEPTH } from './model/depth.ts';
export * from './store/index.ts';
export * from './labels/index.ts';
export * from './matching/index.ts';
export * from './templates/index.ts';
export * from './answers/index.ts';
export * from './server/index.ts';
export { createBootLogger, silentLogger, type BootLogger, type BootLoggerOptions } from './logging.ts';
export { BootServerConfigError, DataDirectoryError, InvalidNameError, InvalidResourceError, TemplateExecError, TemplateParseError } from './errors.ts';
// The write API (mutual TLS) and the Kubernetes-backed store.
export * from './api/index.ts';
export * from './kubernetes/index.ts';
