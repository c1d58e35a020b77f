export { IPXE_BOOTSTRAP, ipxeScript } from './ipxe.ts';
export { grubConfig } from './grub.ts';
export { renderEnvFile } from './metadata.ts';
export { ignitionAnswer, ignitionIssues, SERVED_IGNITION_VERSION, type IgnitionAnswer } from './ignition.ts';
export { cloudConfigProblem } from './cloud.ts';
export { ButaneRunError, ButaneTranslator, type ButaneTranslatorOptions, type Translation } from './butane.ts';
export { RawIgnitionError, serveRawIgnition } from './raw-ignition.ts';
export { goToUpper } from './go-upper.ts';
