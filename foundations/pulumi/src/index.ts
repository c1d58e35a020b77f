// The public entry point of @strata/pulumi-workspace.
export * from './workspace.ts';
export * from './plugins.ts';
