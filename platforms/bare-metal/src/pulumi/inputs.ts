// What each Pulumi resource takes, validated in the provider's check() so
// that `pulumi preview` already names a bad field. Property names are
// Pulumi-style camelCase; the mapping to matchbox's JSON lives in crud.ts.
import { z } from 'zod';
import { bootSchema, resourceIdSchema, templateNameSchema } from '@strata/api';

const pem = (label: string) =>
  z.string().refine((text) => text.includes('-----BEGIN '), { message: `must be a PEM ${label} (-----BEGIN ...)` });

export const endpointInputSchema = z.strictObject({
  url: z.url({ protocol: /^https$/, error: 'must be an https:// URL: the write API accepts only mutual TLS' }),
  caPem: pem('CA certificate'),
  certPem: pem('client certificate'),
  keyPem: pem('private key'),
});

export const profileInputsSchema = z.strictObject({
  endpoint: endpointInputSchema,
  profileId: resourceIdSchema,
  name: z.string().default(''),
  boot: bootSchema.default({ kernel: '', initrd: [], args: [] }),
  ignitionId: z.string().default(''),
  genericId: z.string().default(''),
});

export const groupInputsSchema = z.strictObject({
  endpoint: endpointInputSchema,
  groupId: resourceIdSchema,
  name: z.string().default(''),
  profile: z.string().min(1, 'must name the profile the group boots'),
  selector: z.record(z.string(), z.string()).default({}),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

export const ignitionInputsSchema = z.strictObject({
  endpoint: endpointInputSchema,
  templateName: templateNameSchema,
  content: z.string(),
});

export type ProfileInputs = z.output<typeof profileInputsSchema>;
export type GroupInputs = z.output<typeof groupInputsSchema>;
export type IgnitionInputs = z.output<typeof ignitionInputsSchema>;

/** The property that names the resource on the boot server: changing it means a new resource. */
export const ID_PROPERTY = { profile: 'profileId', group: 'groupId', ignition: 'templateName' } as const;
export type ResourceKind = keyof typeof ID_PROPERTY;

export const INPUT_SCHEMAS = {
  profile: profileInputsSchema,
  group: groupInputsSchema,
  ignition: ignitionInputsSchema,
} as const;
