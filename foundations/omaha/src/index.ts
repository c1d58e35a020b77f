export * from './errors.ts';
export * from './protocol.ts';
export * from './request.ts';
export * from './response.ts';
export * from './client-request.ts';
export * from './client-response.ts';
export { OMAHA_PROTOCOL_SERVER } from './server-name.ts';
export * from './simulated-payload.ts';
