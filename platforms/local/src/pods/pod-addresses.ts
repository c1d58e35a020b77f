import { StrataError } from '@strata/api';
import { formatAddress, lastAddress, overlaps, parseCidr, type Cidr } from '@strata/assets';

export class PodAddressRangeError extends StrataError {}
export class PodAddressesExhaustedError extends StrataError {}

/**
 * Linux routes all of 127.0.0.0/8 to the loopback interface, so any address in
 * it can be a pod's own IP without configuring anything. 127.0.0.0/24 is left
 * to the control plane and everything else that binds 127.0.0.1.
 */
export const DEFAULT_POD_ADDRESS_RANGE = '127.0.64.0/18';

function knownRange(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new PodAddressRangeError(`"${text}" ${parsed.problem.message}`, { range: text });
  return parsed.cidr;
}

const LOOPBACK = knownRange('127.0.0.0/8');
const RESERVED = knownRange('127.0.0.0/24');

const toAddress = (value: number): string => formatAddress(4, BigInt(value));

function parseRange(range: string): { first: number; last: number } {
  const parsed = parseCidr(range);
  if (!parsed.ok) {
    throw new PodAddressRangeError(
      `pod address range "${range}" ${parsed.problem.message}${parsed.problem.hint === undefined ? '' : ` (${parsed.problem.hint})`}`,
      { range },
    );
  }
  const { cidr } = parsed;
  if (cidr.family !== 4 || cidr.prefix > 30) {
    throw new PodAddressRangeError(`pod address range "${range}" is not an IPv4 CIDR with a prefix of at most /30`, {
      range,
    });
  }
  if (cidr.prefix < LOOPBACK.prefix || !overlaps(cidr, LOOPBACK))
    throw new PodAddressRangeError(`pod address range "${range}" is not inside 127.0.0.0/8`, { range });
  if (overlaps(cidr, RESERVED)) {
    throw new PodAddressRangeError(`pod address range "${range}" overlaps 127.0.0.0/24, which the control plane uses`, {
      range,
    });
  }
  // The network and broadcast addresses are skipped, as on a real pod network.
  return { first: Number(cidr.network) + 1, last: Number(lastAddress(cidr)) - 1 };
}

/**
 * Hands out loopback addresses to pods, one per pod. Addresses are given in
 * turn rather than lowest-first, so that a pod's address is not at once
 * reused by the next pod, whose clients might still talk to the old one.
 * Share one pool between every runtime of a process, or give each its own
 * range: two pools over one range would hand out the same address twice.
 */
export class PodAddressPool {
  readonly range: string;
  readonly #first: number;
  readonly #last: number;
  readonly #byOwner = new Map<string, number>();
  readonly #taken = new Set<number>();
  #next: number;

  constructor(range: string = DEFAULT_POD_ADDRESS_RANGE) {
    const { first, last } = parseRange(range);
    this.range = range;
    this.#first = first;
    this.#last = last;
    this.#next = first;
  }

  get capacity(): number {
    return this.#last - this.#first + 1;
  }

  get inUse(): number {
    return this.#taken.size;
  }

  /** The owner's address; asking again gives the same one until it is released. */
  allocate(owner: string): string {
    const held = this.#byOwner.get(owner);
    if (held !== undefined) return toAddress(held);
    for (let tried = 0; tried < this.capacity; tried++) {
      const candidate = this.#next;
      this.#next = candidate === this.#last ? this.#first : candidate + 1;
      if (this.#taken.has(candidate)) continue;
      this.#taken.add(candidate);
      this.#byOwner.set(owner, candidate);
      return toAddress(candidate);
    }
    throw new PodAddressesExhaustedError(`all ${this.capacity} pod addresses of ${this.range} are in use`, {
      range: this.range,
      capacity: this.capacity,
    });
  }

  release(owner: string): void {
    const held = this.#byOwner.get(owner);
    if (held === undefined) return;
    this.#byOwner.delete(owner);
    this.#taken.delete(held);
  }

  addressOf(owner: string): string | undefined {
    const held = this.#byOwner.get(owner);
    return held === undefined ? undefined : toAddress(held);
  }
}

let shared: PodAddressPool | undefined;

/** The pool over the default range that every runtime of this process shares unless given its own. */
export function sharedPodAddressPool(): PodAddressPool {
  shared ??= new PodAddressPool();
  return shared;
}
