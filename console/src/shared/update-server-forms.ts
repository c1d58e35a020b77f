// The promotion form: a version or an UpdateRelease's name, checked in the browser with the update server's own
// promoteBodySchema (the same words it would refuse with), and again by the route handler and by the server.
import { promoteBodySchema, type PromoteBody } from '@strata/update-server/answers';
import { z } from 'zod';

export const PROMOTE_BY = ['version', 'release'] as const;

/** What the form holds: which of the two the user typed, and the text. */
export const promoteFormSchema = z
  .strictObject({ by: z.enum(PROMOTE_BY), value: z.string().trim().min(1, 'must not be empty') })
  .transform((form): PromoteBody => (form.by === 'version' ? { version: form.value } : { release: form.value }))
  .pipe(promoteBodySchema);
export type PromoteForm = z.input<typeof promoteFormSchema>;

/** The route handler's body: exactly the server's, so that nothing else can be forwarded. */
export const promoteRequestSchema = promoteBodySchema;

/** A channel's or group's name as the update server takes it in a path; anything else is refused before it is sent. */
export const updateObjectNameSchema = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name');

/** A machine ID as the update server's route takes it (update_engine's are UUIDs or hex). */
export const machineIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._{}-]{1,256}$/, 'must be a machine ID')
  // A URL resolves `.` and `..` as path segments: they would name another route of the API.
  .refine((id) => id !== '.' && id !== '..', 'must be a machine ID');
