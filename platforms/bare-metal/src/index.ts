// The public entry point of @strata/platform-bare-metal: the bare-metal flow
// (what to register for each machine) and the Pulumi resources that register
// it with the boot server.
export * from './flow/index.ts';
export * from './pulumi/index.ts';
export * from './ssh/index.ts';
