// The JSON API's inputs (query strings and bodies), checked with zod at the
// edge: a bad input is a 400 naming the field, never a 500.
import { z } from 'zod';
import { OS_VERSION_PATTERN } from '@strata/api';
import { MACHINE_STATES } from '../policy/machine.ts';

export const API_PREFIX = '/api/v1';
export const MAX_API_BODY_BYTES = 8 * 1024;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a Kubernetes object name');
const version = z.string().max(96).regex(new RegExp(OS_VERSION_PATTERN), 'must be a Container Linux version');

/** The opaque continue token: the last machine ID of the previous page, base64url-encoded. */
export const continueTokenSchema = z
  .string()
  .max(1024)
  .transform((token, context) => {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (decoded === '' || Buffer.from(decoded, 'utf8').toString('base64url') !== token) {
      context.addIssue({ code: 'custom', message: 'is not a continue token this server issued' });
      return z.NEVER;
    }
    return decoded;
  });

export const encodeContinueToken = (machineId: string): string => Buffer.from(machineId, 'utf8').toString('base64url');

export const machinesQuerySchema = z.strictObject({
  group: name.optional(),
  version: version.optional(),
  state: z.enum(MACHINE_STATES).optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  continue: continueTokenSchema.optional(),
});
export type MachinesQuery = z.output<typeof machinesQuerySchema>;

/** Exactly one of a release's name or its version. */
export const promoteBodySchema = z
  .strictObject({ release: name.optional(), version: version.optional() })
  .refine((body) => (body.release === undefined) !== (body.version === undefined), {
    message: 'give exactly one of release (an UpdateRelease name) or version',
    path: ['release'],
  });
export type PromoteBody = z.output<typeof promoteBodySchema>;

/** Pause and resume take no input; an empty object (or no body) is all they accept. */
export const emptyBodySchema = z.strictObject({});
