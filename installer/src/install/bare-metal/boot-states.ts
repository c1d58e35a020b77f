// Each bare-metal machine's state before it has a Node, from the boot server's
// record of what its read side served to the machine's MAC: its boot script
// (booting) and then its Ignition config (Ignition fetched). A record older
// than the cluster directory belongs to an earlier life of that MAC and says
// nothing about this install.
import type { ServedMachine } from '@strata/api';
import type { ObservedMachine } from '../phases/machine-states.ts';

export interface BareMetalMachine {
  readonly name: string;
  readonly mac: string;
}

const normalMac = (mac: string): string => mac.toLowerCase().replaceAll('-', ':');

export function bootStates(
  machines: readonly BareMetalMachine[],
  served: readonly ServedMachine[],
  since: Date,
): Map<string, ObservedMachine> {
  const byMac = new Map(served.map((record) => [record.mac, record]));
  const fresh = (at: string | undefined): at is string => at !== undefined && Date.parse(at) >= since.getTime();
  const states = new Map<string, ObservedMachine>();
  for (const machine of machines) {
    const record = byMac.get(normalMac(machine.mac));
    if (record === undefined) continue;
    if (fresh(record.ignitionAt))
      states.set(machine.name, {
        state: 'ignition-fetched',
        source: `boot server served Ignition at ${record.ignitionAt}`,
      });
    else if (fresh(record.bootScriptAt))
      states.set(machine.name, {
        state: 'booting',
        source: `boot server served its boot script at ${record.bootScriptAt}`,
      });
  }
  return states;
}
