// The public entry point of @strata/lab.
export { LabConfigError, LabError, LabNetworkError } from './errors.ts';
export {
  DEFAULT_LAB_SUBNET,
  FIRST_MACHINE_HOST,
  LAST_MACHINE_HOST,
  labAddressing,
  macSchema,
  type LabAddressing,
} from './network/addressing.ts';
export {
  dhcpHostLine,
  dnsmasqArguments,
  dnsNameLine,
  type DhcpHost,
  type DnsmasqOptions,
  type DnsName,
} from './network/dnsmasq.ts';
export {
  LAB_BRIDGE,
  LabNetwork,
  type DhcpOptions,
  type LabNetworkOptions,
  type LabNic,
} from './network/lab-network.ts';
export { startLabMachine, type LabMachine, type LabMachineOptions } from './machine/qemu-machine.ts';
export {
  DEFAULT_BOOT_SERVER_PORT,
  LAB_STATE_FILE,
  LabSpecSchema,
  LabStateSchema,
  labMachineMac,
  labMachineName,
  parseLabSpec,
  readLabState,
  removeLabLeftovers,
  runLab,
  type LabLeftovers,
  type LabSpec,
  type LabState,
  type RunningLab,
} from './lab/lab.ts';
export { packNewcArchive } from './initrd/newc.ts';
export { findHostKernel, findStaticBusybox, hasProgramInterpreter, type HostKernel } from './machine/guest-parts.ts';
export {
  AcceleratorChoiceSchema,
  chooseAccelerator,
  type Accelerator,
  type AcceleratorChoice,
  type AcceleratorOptions,
} from './machine/accelerator.ts';
