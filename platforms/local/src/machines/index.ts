// Simulated bare-metal machines that network-boot from Strata's boot server.
export { IpxeScriptError, MachineBootError, MachineSshError, MachineStopError } from './errors.ts';
export { expandSettings, runIpxeScript, type IpxeOutcome, type IpxeSettings } from './ipxe.ts';
export { applyIgnition, authorizedKeysPath, type AppliedIgnition } from './apply-ignition.ts';
export { installedConfigUrl } from './install-profile.ts';
export { netboot, type NetbootResult } from './netboot.ts';
export { componentFiles, missingComponentFiles } from './component-files.ts';
export { startMachineSshd, HOST_KEY_PATH, type MachineSshd, type MachineSshdOptions } from './sshd.ts';
export {
  SimulatedMachine,
  type MachineRole,
  type MachineRun,
  type MachineRunner,
  type SimulatedMachineState,
  type SimulatedMachineOptions,
} from './machine.ts';
export {
  simulatedMachineAddress,
  startSimulatedMachines,
  type SimulatedMachines,
  type SimulatedMachinesOptions,
} from './fleet.ts';
export { hostsFile, onMachine, placeKubeConfig, writePlacedKubeconfig, type MachineNames } from './machine-network.ts';
export { machineNames, onItsOwnHosts, simulatedRunner, type SimulatedRunnerOptions } from './runner.ts';
