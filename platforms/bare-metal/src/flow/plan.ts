import type { Group, Profile } from '@strata/api';
import type { WithheldFile } from '@strata/assets';

/** An Ignition config the boot server stores under ignition/<name>. */
export interface IgnitionTemplate {
  readonly name: string;
  readonly content: string;
}

/** Everything the bare-metal flow registers with the boot server, in matchbox's data model. */
export interface BareMetalPlan {
  readonly profiles: readonly Profile[];
  readonly groups: readonly Group[];
  readonly templates: readonly IgnitionTemplate[];
  /**
   * Per machine, the files withheld from the boot server (private keys and
   * credentials), which the installer delivers over SSH after installation.
   */
  readonly withheld: ReadonlyMap<string, readonly WithheldFile[]>;
}
