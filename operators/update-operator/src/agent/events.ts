/** The Event reasons the agent records on its Node, so that `kubectl describe node` tells the node's rollout. */
export const AGENT_EVENT_REASONS = {
  drainStarted: 'DrainStarted',
  drainFailed: 'DrainFailed',
  rebootStarted: 'RebootStarted',
  rebootCompleted: 'RebootCompleted',
  updateRolledBack: 'UpdateRolledBack',
} as const;

export type AgentEventReason = (typeof AGENT_EVENT_REASONS)[keyof typeof AGENT_EVENT_REASONS];

/** What the agent was doing when it recorded each reason (an events.k8s.io/v1 Event's action). */
export const AGENT_EVENT_ACTIONS: Readonly<Record<AgentEventReason, string>> = {
  DrainStarted: 'Drain',
  DrainFailed: 'Drain',
  RebootStarted: 'Reboot',
  RebootCompleted: 'Reboot',
  UpdateRolledBack: 'Reboot',
};

/** The agent's reportingController: its Events read back (core/v1) with this reportingComponent. */
export const AGENT_COMPONENT = 'strata-update-agent';
