export { SecretDeliveryError } from './errors.ts';
export { parseSshJump, jumpProxyCommand, SshJumpError, type JumpOptions, type SshJump } from './jump.ts';
export {
  connectionArgs,
  deliverWithheldSecrets,
  receiveCommand,
  SSH,
  type DeliveryOptions,
  type SshTarget,
} from './deliver.ts';
