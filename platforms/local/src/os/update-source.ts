import { z } from 'zod';
import { parseInput } from './errors.ts';
import {
  compareVersions,
  versionSchema,
  type UpdateCheckRequest,
  type UpdateOffer,
  type UpdateSource,
} from '@strata/update-engine';

/** About the size of a Flatcar update payload. */
export const DEFAULT_UPDATE_SIZE = 300 * 1024 * 1024;

const offerSchema = z.object({
  group: z.string().min(1).optional(),
  version: versionSchema,
  size: z.number().int().nonnegative().default(DEFAULT_UPDATE_SIZE),
});

export type ManualOffer = z.input<typeof offerSchema>;

/**
 * An update server that a test or the local platform's operator sets by hand:
 * "version X is available", to every group or to one. Like an Omaha server it
 * only offers a version newer than the one the machine runs.
 */
export class ManualUpdateSource implements UpdateSource {
  #allGroups: UpdateOffer | undefined;
  readonly #byGroup = new Map<string, UpdateOffer>();

  /** Offers `version`; an offer to one group takes precedence over an offer to all for that group. */
  offer(offer: ManualOffer): void {
    const { group, version, size } = parseInput(offerSchema, offer, 'update offer');
    if (group === undefined) {
      this.#allGroups = { version, size };
    } else {
      this.#byGroup.set(group, { version, size });
    }
  }

  /** Withdraws the offer to `group` (the group then sees the offer to all, if any), or without a group every offer. */
  withdraw(group?: string): void {
    if (group === undefined) {
      this.#allGroups = undefined;
      this.#byGroup.clear();
    } else {
      this.#byGroup.delete(group);
    }
  }

  check(request: UpdateCheckRequest): Promise<UpdateOffer | undefined> {
    const offer = this.#byGroup.get(request.group) ?? this.#allGroups;
    const newer = offer !== undefined && compareVersions(offer.version, request.currentVersion) > 0;
    return Promise.resolve(newer ? offer : undefined);
  }
}
