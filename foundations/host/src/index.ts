// The public entry point of @strata/host.
export * from './process/managed-process.ts';
export * from './process/health.ts';
export * from './process/run-command.ts';
export * from './process/guardian-spec.ts';
export * from './process/cri-log.ts';
export * from './process/process-memory.ts';
export * from './fs/atomic-write.ts';
export * from './fs/lock-file.ts';
export * from './fs/read-if-present.ts';
export * from './http/read-body.ts';
export * from './http/server-sent-events.ts';
export { httpsRequest, type HttpsAnswer, type HttpsRequestOptions } from './http/https-request.ts';
export * from './wait/wait-for.ts';
export * from './wait/until-aborted.ts';
export * from './net/free-port.ts';
export * from './sync/keyed-queue.ts';
export * from './sync/latest-writer.ts';
export * from './sync/settle-bounded.ts';
