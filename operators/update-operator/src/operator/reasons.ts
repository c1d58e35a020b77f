// Event and condition reasons: a fixed vocabulary, so that `kubectl get events
// --field-selector reason=...` and alerts can rely on them.

export const EVENT_REASONS = {
  /** reboot-ok given: the agent may drain and reboot. */
  rebootApproved: 'RebootApproved',
  /** before-reboot label set: the node holds a slot until its hooks say "true". */
  beforeRebootHooksPending: 'HooksPending',
  /** after-reboot label set: the node is back and waits for its hooks. */
  afterRebootHooksPending: 'AfterRebootHooksPending',
  /** reboot-ok or before-reboot taken back before the agent started. */
  rebootRevoked: 'RebootRevoked',
  /** The node came back and the operator cleared its rollout state. */
  rebootCompleted: 'RebootCompleted',
  /** rebootTimeout passed without the node coming back. */
  rebootTimedOut: 'RebootTimedOut',
  /** The node came back on its old version: the new slot failed to boot and the bootloader fell back. */
  rebootRolledBack: 'RebootRolledBack',
  /** A Zincati client took a slot through FleetLock. */
  fleetLockAcquired: 'FleetLockAcquired',
  /** A FleetLock request named this node but was refused: not a Zincati node, or not from the node's own address. */
  fleetLockRefused: 'FleetLockRefused',
  /** A Zincati client gave its slot back. */
  fleetLockReleased: 'FleetLockReleased',
  /** The FleetLock server began draining a node before granting its lock. */
  drainStarted: 'DrainStarted',
  drainSucceeded: 'DrainSucceeded',
  drainFailed: 'DrainFailed',
} as const;
export type EventReason = (typeof EVENT_REASONS)[keyof typeof EVENT_REASONS];

/** Reasons of the Blocked condition (and of the Event on the policy when it turns True). */
export const BLOCKED_REASONS = {
  overlappingPolicies: 'OverlappingPolicies',
  paused: 'Paused',
  windowClosed: 'WindowClosed',
  hooksPending: 'HooksPending',
  drainRetryBackoff: 'DrainRetryBackoff',
  budgetExhausted: 'BudgetExhausted',
  notBlocked: 'NotBlocked',
} as const;
export type BlockedReason = (typeof BLOCKED_REASONS)[keyof typeof BLOCKED_REASONS];

/** Why a revocation happened, in the RebootRevoked event's note. */
export type RevokeCause = 'WindowClosed' | 'Paused' | 'DrainFailed' | 'NoLongerNeeded' | 'RebootTimedOut';
