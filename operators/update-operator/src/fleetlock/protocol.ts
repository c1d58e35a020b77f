// Zincati's FleetLock protocol, v1 (coreos/zincati docs/development/fleetlock/protocol.md):
// a counting semaphore with recursive, owned locks over plain HTTP. Every
// operation is a POST of {"client_params":{"id","group"}}; 200 means success and
// anything else a failure, described by a {"kind","value"} body whose kinds must
// stay few (Zincati turns them into a metric label).
import { z } from 'zod';

export const FLEETLOCK_PATHS = {
  /** RecursiveLock: take (or keep) a reboot slot. */
  preReboot: '/v1/pre-reboot',
  /** UnlockIfHeld: give the slot back, if this client holds it. */
  steadyState: '/v1/steady-state',
} as const;

/** Lower-case, as Node presents request headers; the only accepted value is "true". */
export const FLEETLOCK_HEADER = 'fleet-lock-protocol';
export const FLEETLOCK_HEADER_VALUE = 'true';

/** Zincati's systemd application id, from which each node's FleetLock client id is derived. */
export const ZINCATI_APP_ID = 'de35106b6ec24688b63afddaa156679b';

/** Bodies larger than this are refused unread: a real one is about 80 bytes. */
export const FLEETLOCK_MAX_BODY_BYTES = 4096;

/** The complete, bounded set of error kinds this server answers with. */
export const FLEETLOCK_ERROR_KINDS = [
  'bad_request',
  'method_not_allowed',
  'not_found',
  'missing_protocol_header',
  'body_too_large',
  'unknown_client',
  'ambiguous_client',
  'not_zincati_node',
  'wrong_source_address',
  'failed_lock',
  'failed_unlock',
  'drain_in_progress',
  'not_leader',
  'not_ready',
  'internal_error',
] as const;
export type FleetLockErrorKind = (typeof FLEETLOCK_ERROR_KINDS)[number];

export interface FleetLockErrorBody {
  readonly kind: FleetLockErrorKind;
  readonly value: string;
}

export const fleetLockRequestSchema = z.object({
  client_params: z.object({
    id: z
      .string()
      .min(1, "client_params.id must be a non-empty string (Zincati sends the node's app-specific machine id)"),
    group: z
      .string()
      .regex(/^[a-zA-Z0-9.-]+$/, 'client_params.group must match ^[a-zA-Z0-9.-]+$ (Zincati\'s default is "default")'),
  }),
});

export type FleetLockRequest = z.infer<typeof fleetLockRequestSchema>;
export type FleetLockClientParams = FleetLockRequest['client_params'];
