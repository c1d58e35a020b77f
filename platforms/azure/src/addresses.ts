// The machines' network: one private range for the virtual network, a subnet
// for the controllers (fixed addresses, so that the etcd records and the stack
// outputs are known before the machines exist) and one for the workers.
import { formatCidr, nthAddress, overlaps, parseCidr, splitCidrList, type ClusterConfig } from '@strata/assets';
import { AzurePlatformError } from './errors.ts';

export const HOST_CIDR = '10.0.0.0/16';
export const CONTROLLER_SUBNET_CIDR = '10.0.0.0/24';
// Room for scale sets of thousands of workers.
export const WORKER_SUBNET_CIDR = '10.0.128.0/17';
// Azure keeps the first four addresses of a subnet for itself.
const FIRST_CONTROLLER_HOST = 10;

export interface AddressPlan {
  readonly hostCidr: string;
  readonly controllerSubnet: string;
  readonly workerSubnet: string;
  /** The private address of each controller, by index. */
  readonly controllerAddresses: readonly string[];
}

function cidrOf(text: string) {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new AzurePlatformError(`${text} ${parsed.problem.message}`, { cidr: text });
  return parsed.cidr;
}

/** The address plan, refusing pod or service ranges that would overlap the machines' network. */
export function addressPlan(config: ClusterConfig): AddressPlan {
  const host = cidrOf(HOST_CIDR);
  const fields = {
    'networking.podCidr': config.networking.podCidr,
    'networking.serviceCidr': config.networking.serviceCidr,
  };
  for (const [field, list] of Object.entries(fields)) {
    for (const entry of splitCidrList(list)) {
      if (overlaps(cidrOf(entry), host)) {
        throw new AzurePlatformError(
          `${field} ${entry} overlaps the Azure network ${formatCidr(host)} the machines use; choose a range outside it`,
          { field, cidr: entry, hostCidr: HOST_CIDR },
        );
      }
    }
  }
  return {
    hostCidr: HOST_CIDR,
    controllerSubnet: CONTROLLER_SUBNET_CIDR,
    workerSubnet: WORKER_SUBNET_CIDR,
    controllerAddresses: Array.from({ length: config.controllers.count }, (_, index) =>
      nthAddress(CONTROLLER_SUBNET_CIDR, FIRST_CONTROLLER_HOST + index),
    ),
  };
}
