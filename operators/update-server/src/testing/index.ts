export * from './builders.ts';
export * from './postgres.ts';
export * from './omaha-client.ts';
