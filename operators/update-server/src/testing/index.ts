export * from './builders.ts';
export * from './postgres.ts';
export * from './omaha-client.ts';
export * from './test-server.ts';
export * from './resources.ts';
export * from './crds.ts';
export * from './serving-certificate.ts';
