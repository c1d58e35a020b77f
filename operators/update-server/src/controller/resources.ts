// The three custom resources as the controller reads them from its informers:
// parsed with the same zod schemas the CRDs are generated from, so an object
// the API server stored parses, and anything else is reported, never cast.
import { z } from 'zod';
import {
  UPDATE_CHANNEL,
  UPDATE_GROUP,
  UPDATE_RELEASE,
  updateChannelSpecSchema,
  updateChannelStatusSchema,
  updateGroupSpecSchema,
  updateGroupStatusSchema,
  updateReleaseSpecSchema,
} from '@strata/api';
import { UpdateResourceError } from '../errors.ts';

const metadataSchema = z.looseObject({
  name: z.string().min(1),
  uid: z.string(),
  generation: z.int().min(0).optional(),
  resourceVersion: z.string(),
  creationTimestamp: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const resource = <Spec extends z.ZodType, Status extends z.ZodType>(
  kind: { readonly apiVersion: string; readonly kind: string },
  spec: Spec,
  status: Status,
) =>
  z.looseObject({
    apiVersion: z.literal(kind.apiVersion),
    kind: z.literal(kind.kind),
    metadata: metadataSchema,
    spec,
    // A status this version cannot read (written by another one) is replaced, not trusted.
    status: status.optional().catch(undefined),
  });

export const updateReleaseResourceSchema = resource(UPDATE_RELEASE, updateReleaseSpecSchema, z.unknown());
export const updateChannelResourceSchema = resource(UPDATE_CHANNEL, updateChannelSpecSchema, updateChannelStatusSchema);
export const updateGroupResourceSchema = resource(UPDATE_GROUP, updateGroupSpecSchema, updateGroupStatusSchema);

export type UpdateReleaseResource = z.output<typeof updateReleaseResourceSchema>;
export type UpdateChannelResource = z.output<typeof updateChannelResourceSchema>;
export type UpdateGroupResource = z.output<typeof updateGroupResourceSchema>;

/** Parses one object from the API server; throws UpdateResourceError naming the kind, the object and the field. */
export function parseResource<T extends z.ZodType>(schema: T, kind: string, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const name = z.object({ metadata: z.object({ name: z.string() }) }).safeParse(value);
  const objectName = name.success ? name.data.metadata.name : '(unnamed)';
  throw new UpdateResourceError(`${kind} ${objectName} cannot be read at ${field}: ${issue?.message ?? ''}`, {
    kind,
    name: objectName,
    field,
  });
}
