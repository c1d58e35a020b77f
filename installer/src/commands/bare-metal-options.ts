// The flags of install and plan that only bare metal reads: the boot server's
// write API and the SSH identity, port and user the controllers' secrets go
// over. Other platforms ignore them.
import type { Command } from 'commander';
import {
  parseBareMetalOptions,
  type BareMetalInstallOptions,
  type RawBareMetalOptions,
} from '../install/bare-metal/options.ts';

export function addBareMetalOptions(command: Command): Command {
  return command
    .option('--boot-api <url>', "bare metal: the boot server's write API (https://host:port)")
    .option(
      '--boot-api-ca <file>',
      "bare metal: the CA certificate the write API's server certificate is checked against",
    )
    .option('--boot-api-cert <file>', "bare metal: this installer's client certificate for the write API")
    .option('--boot-api-key <file>', "bare metal: the client certificate's private key")
    .option(
      '--ssh-identity <file>',
      "bare metal: the private key to deliver the controllers' secrets with; its public key must be in sshAuthorizedKeys (default: ~/.ssh/id_ed25519, then ~/.ssh/id_rsa)",
    )
    .option('--ssh-port <port>', "bare metal: the controllers' SSH port (default: 22)")
    .option('--ssh-user <user>', 'bare metal: the user to log in as (default: core, as on Flatcar)');
}

export function bareMetalOptionsOf(raw: RawBareMetalOptions): BareMetalInstallOptions {
  return parseBareMetalOptions(raw);
}
