// Public test helpers of @strata/etcd-operator: how to run its binary as a local process.
import { fileURLToPath } from 'node:url';

export const ETCD_OPERATOR_BIN = fileURLToPath(new URL('../../bin/etcd-operator.ts', import.meta.url));

/** The command a local platform runs for the operator's image: this Node and the binary, then the pod's arguments. */
export const ETCD_OPERATOR_LOCAL_COMMAND: readonly [string, ...string[]] = [process.execPath, ETCD_OPERATOR_BIN];
