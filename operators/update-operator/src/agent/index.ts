export { runAgent, type RunAgentOptions } from './agent.ts';
export { AGENT_COMPONENT, AGENT_EVENT_REASONS, type AgentEventReason } from './events.ts';
export { AgentConfigError, NodeWriteError, PolicyReadError, UpdateEngineUnavailableError } from './errors.ts';
