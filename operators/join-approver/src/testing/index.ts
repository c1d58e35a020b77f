// Public test helpers of @strata/join-approver: how to run its binary as a local process.
import { fileURLToPath } from 'node:url';

/** The approver's binary. */
export const JOIN_APPROVER_BIN = fileURLToPath(new URL('../../bin/join-approver.ts', import.meta.url));

/** The command a local platform runs for the approver's static pod: this Node and the binary, then the pod's arguments. */
export const JOIN_APPROVER_LOCAL_COMMAND: readonly [string, ...string[]] = [process.execPath, JOIN_APPROVER_BIN];
