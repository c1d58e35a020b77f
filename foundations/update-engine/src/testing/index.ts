export * from './private-bus.ts';
