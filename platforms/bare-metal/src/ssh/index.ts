export { SecretDeliveryError } from './errors.ts';
export { deliverWithheldSecrets, receiveCommand, SSH, type DeliveryOptions, type SshTarget } from './deliver.ts';
