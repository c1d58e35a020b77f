// The public entry point of @strata/boot-server: the stores, group matching,
// Go template rendering, the read-side HTTP server, the write API's server and
// the Kubernetes-backed store. The data model and the write API's contract are
// in @strata/api.
export * from './store/index.ts';
export * from './labels/index.ts';
export * from './matching/index.ts';
export * from './templates/index.ts';
export * from './answers/index.ts';
export * from './server/index.ts';
export { createBootLogger, silentLogger, type BootLogger, type BootLoggerOptions } from './logging.ts';
export {
  BootServerConfigError,
  DataDirectoryError,
  InvalidNameError,
  InvalidResourceError,
  TemplateExecError,
  TemplateParseError,
} from './errors.ts';
// The write API (mutual TLS) and the Kubernetes-backed store.
export * from './api/index.ts';
export * from './kubernetes/index.ts';
// matchbox's gRPC API (mutual TLS), for bootcmd and terraform-provider-matchbox.
export { MATCHBOX_SERVICES, startGrpcApi, type GrpcApiOptions, type RunningGrpcApi } from './grpc/grpc-api.ts';
