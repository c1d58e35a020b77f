// `@strata/host/http`: the HTTP helpers alone, for code that a bundler compiles (the console's Next.js build takes
// the update server's client with them): the package's main entry also brings the process guardian, whose module
// resolves a file beside it when it loads, which a bundle cannot.
export * from './read-body.ts';
export * from './server-sent-events.ts';
