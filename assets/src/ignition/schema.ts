import { z } from 'zod';

/**
 * The part of the Ignition 3.4.0 config spec that Strata writes
 * (https://coreos.github.io/ignition/configuration-v3_4/). The objects are
 * strict so that a misspelt key is reported instead of silently ignored, and
 * fields outside this subset (disks, filesystems, luks, ...) are rejected.
 *
 * These schemas check the shape only; the rules Ignition applies on top
 * (clean absolute paths, URL schemes, unique paths, ...) live in validate.ts.
 */

export const httpHeaderSchema = z.strictObject({
  name: z.string(),
  value: z.string().optional(),
});

export const verificationSchema = z.strictObject({
  /** "sha512-<hex>" or "sha256-<hex>", of the uncompressed contents. */
  hash: z.string().optional(),
});

/** Something Ignition fetches: a remote or inline (`data:`) file, config or certificate. */
export const resourceSchema = z.strictObject({
  source: z.string().optional(),
  compression: z.string().optional(),
  verification: verificationSchema.optional(),
  httpHeaders: z.array(httpHeaderSchema).optional(),
});

export const ignitionSectionSchema = z.strictObject({
  version: z.string(),
  config: z
    .strictObject({
      merge: z.array(resourceSchema).optional(),
      replace: resourceSchema.optional(),
    })
    .optional(),
  timeouts: z
    .strictObject({
      httpResponseHeaders: z.int().optional(),
      httpTotal: z.int().optional(),
    })
    .optional(),
  security: z
    .strictObject({
      tls: z
        .strictObject({
          certificateAuthorities: z.array(resourceSchema).optional(),
        })
        .optional(),
    })
    .optional(),
  proxy: z
    .strictObject({
      httpProxy: z.string().optional(),
      httpsProxy: z.string().optional(),
      noProxy: z.array(z.string()).optional(),
    })
    .optional(),
});

export const passwdUserSchema = z.strictObject({
  name: z.string(),
  sshAuthorizedKeys: z.array(z.string()).optional(),
  groups: z.array(z.string()).optional(),
  homeDir: z.string().optional(),
  shell: z.string().optional(),
  uid: z.int().optional(),
  passwordHash: z.string().optional(),
});

export const passwdGroupSchema = z.strictObject({
  name: z.string(),
  gid: z.int().optional(),
});

/** Owner of a node: by numeric id or by name, not both. */
export const nodeOwnerSchema = z.strictObject({
  id: z.int().optional(),
  name: z.string().optional(),
});

// Modes are plain numbers here so that a fraction or an out-of-range value gets
// the validator's precise message instead of a generic type error.
const modeSchema = z.number().optional();

export const fileSchema = z.strictObject({
  path: z.string(),
  overwrite: z.boolean().optional(),
  contents: resourceSchema.optional(),
  append: z.array(resourceSchema).optional(),
  mode: modeSchema,
  user: nodeOwnerSchema.optional(),
  group: nodeOwnerSchema.optional(),
});

export const directorySchema = z.strictObject({
  path: z.string(),
  overwrite: z.boolean().optional(),
  mode: modeSchema,
  user: nodeOwnerSchema.optional(),
  group: nodeOwnerSchema.optional(),
});

export const linkSchema = z.strictObject({
  path: z.string(),
  target: z.string(),
  hard: z.boolean().optional(),
  overwrite: z.boolean().optional(),
  user: nodeOwnerSchema.optional(),
  group: nodeOwnerSchema.optional(),
});

export const dropinSchema = z.strictObject({
  name: z.string(),
  contents: z.string().optional(),
});

export const unitSchema = z.strictObject({
  name: z.string(),
  enabled: z.boolean().optional(),
  mask: z.boolean().optional(),
  contents: z.string().optional(),
  dropins: z.array(dropinSchema).optional(),
});

export const ignitionConfigSchema = z.strictObject({
  ignition: ignitionSectionSchema,
  kernelArguments: z
    .strictObject({
      shouldExist: z.array(z.string()).optional(),
      shouldNotExist: z.array(z.string()).optional(),
    })
    .optional(),
  passwd: z
    .strictObject({
      users: z.array(passwdUserSchema).optional(),
      groups: z.array(passwdGroupSchema).optional(),
    })
    .optional(),
  storage: z
    .strictObject({
      files: z.array(fileSchema).optional(),
      directories: z.array(directorySchema).optional(),
      links: z.array(linkSchema).optional(),
    })
    .optional(),
  systemd: z
    .strictObject({
      units: z.array(unitSchema).optional(),
    })
    .optional(),
});

export type IgnitionConfig = z.infer<typeof ignitionConfigSchema>;
export type IgnitionSection = z.infer<typeof ignitionSectionSchema>;
export type Resource = z.infer<typeof resourceSchema>;
export type HttpHeader = z.infer<typeof httpHeaderSchema>;
export type Verification = z.infer<typeof verificationSchema>;
export type PasswdUser = z.infer<typeof passwdUserSchema>;
export type PasswdGroup = z.infer<typeof passwdGroupSchema>;
export type NodeOwner = z.infer<typeof nodeOwnerSchema>;
export type IgnitionFile = z.infer<typeof fileSchema>;
export type IgnitionDirectory = z.infer<typeof directorySchema>;
export type IgnitionLink = z.infer<typeof linkSchema>;
export type SystemdUnit = z.infer<typeof unitSchema>;
export type SystemdDropin = z.infer<typeof dropinSchema>;
