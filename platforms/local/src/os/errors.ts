import { StrataError } from '@strata/api';

export {
  EventReportFailedError,
  InvalidOsInputError,
  ListenerFailedError,
  parseInput,
  UpdateEngineUnavailableError,
  UpdateFailedError,
  warnOnProblem,
  type ProblemReporter,
} from '@strata/update-engine';

/** reboot() on a machine that was powered off: there is no logind to ask. */
export class MachinePoweredOffError extends StrataError {}

/** The simulated payload server could not listen (its port is taken, say). */
export class PayloadServerError extends StrataError {}

/** A config whose OS the simulated machines cannot play (Strata's node image needs real machines: the lab). */
export class UnsimulatedOsError extends StrataError {}
