// The public entry point of @strata/api: zod schemas and constants only, so that
// any package (the console included) can import it. The boot server's HTTPS
// client is in '@strata/api/boot-client', the shared test corpora in
// '@strata/api/testing'.
export * from './errors/strata-error.ts';
export * from './errors/field-path.ts';
export * from './os/index.ts';
export * from './crd/structural-schema.ts';
export * from './crd/schema-rules.ts';
export * from './crd/manifest.ts';
export * from './update-policy/update-policy.ts';
export * from './update-policy/duration.ts';
export * from './update-policy/label-selector.ts';
export * from './update-policy/time-zones.ts';
export * from './update-policy/crd.ts';
export * from './update-policy/node-protocol.ts';
export * from './boot/model.ts';
export * from './boot/depth.ts';
export * from './boot/contract.ts';
export * from './boot/write-schemas.ts';
export * from './boot/routes.ts';
export * from './boot/served.ts';
export * from './boot/errors.ts';
export * from './boot/crds.ts';
export * from './update-policy/weekdays.ts';
export * from './platform/stack-outputs.ts';
export * from './join/join-groups.ts';
export * from './update-server/update-server.ts';
export * from './update-server/crds.ts';
export * from './etcd/index.ts';
