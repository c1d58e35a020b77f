// matchbox's protobuf messages (storagepb, serverpb) as @grpc/proto-loader decodes them, parsed with zod at the
// edge, and the conversions between them and Strata's Group and Profile. proto-loader fills every absent scalar with
// its proto3 default and an absent message with null, so the schemas name no optional scalars.
import { z } from 'zod';
import type { Group, Profile } from '@strata/api';
import type { WriteRefusal } from '../api/refusals.ts';

const bytes = z.instanceof(Buffer);
const labels = z.record(z.string(), z.string());

const groupMessage = z.object({
  id: z.string(),
  name: z.string(),
  profile: z.string(),
  selector: labels,
  metadata: bytes,
});

const netBootMessage = z.object({ kernel: z.string(), initrd: z.array(z.string()), args: z.array(z.string()) });

const profileMessage = z.object({
  id: z.string(),
  name: z.string(),
  ignition_id: z.string(),
  cloud_id: z.string(),
  boot: netBootMessage.nullable(),
  generic_id: z.string(),
});

export const groupPutRequest = z.object({ group: groupMessage.nullable() });
export const profilePutRequest = z.object({ profile: profileMessage.nullable() });
export const idRequest = z.object({ id: z.string() });
export const templatePutRequest = z.object({ name: z.string(), config: bytes });
export const nameRequest = z.object({ name: z.string() });
export const selectRequest = z.object({ labels });

export type GroupMessage = z.infer<typeof groupMessage>;
export type ProfileMessage = z.infer<typeof profileMessage>;

/** The result of reading a message as a resource: its plain JSON form, or why it cannot be one. */
export type Decoded =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly refusal: WriteRefusal };

/**
 * A group message as the JSON write API's body: matchbox carries the metadata as JSON-encoded bytes, which must hold
 * an object (empty bytes: none).
 */
export function groupBody(message: GroupMessage): Decoded {
  let metadata: unknown = {};
  if (message.metadata.length > 0) {
    try {
      metadata = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(message.metadata)) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, refusal: { kind: 'Invalid', message: `metadata is not JSON: ${reason}`, field: 'metadata' } };
    }
  }
  return {
    ok: true,
    value: { id: message.id, name: message.name, profile: message.profile, selector: message.selector, metadata },
  };
}

/** A profile message as the JSON write API's body; an absent boot message is matchbox's empty one. */
export function profileBody(message: ProfileMessage): Decoded {
  return {
    ok: true,
    value: {
      id: message.id,
      name: message.name,
      ignition_id: message.ignition_id,
      generic_id: message.generic_id,
      cloud_id: message.cloud_id,
      boot: message.boot ?? { kernel: '', initrd: [], args: [] },
    },
  };
}

export function groupMessageOf(group: Group): GroupMessage {
  // Empty metadata goes out as empty bytes, as matchbox sends a group written without any.
  const metadata =
    Object.keys(group.metadata).length === 0 ? Buffer.alloc(0) : Buffer.from(JSON.stringify(group.metadata));
  return { id: group.id, name: group.name, profile: group.profile, selector: { ...group.selector }, metadata };
}

export function profileMessageOf(profile: Profile): ProfileMessage {
  return {
    id: profile.id,
    name: profile.name,
    ignition_id: profile.ignition_id,
    cloud_id: profile.cloud_id,
    generic_id: profile.generic_id,
    boot: { kernel: profile.boot.kernel, initrd: [...profile.boot.initrd], args: [...profile.boot.args] },
  };
}
