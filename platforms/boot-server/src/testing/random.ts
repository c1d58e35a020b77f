// fast-check's draws in the shape the fuzzers and randomised tests of this
// package use. Run inside fc.assert(fc.property(fc.gen(), ...)): a failure
// prints the seed and path that replay it, and fast-check shrinks the draws.
import fc, { type GeneratorValue } from 'fast-check';

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

/** Draws from `g` (an fc.gen() value), uniformly as the tests' probabilities assume (fast-check favours extremes by default). */
export function randomOf(g: GeneratorValue): Random {
  const int = (n: number): number => {
    if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`int(${n}): n must be a positive integer`);
    return g(() => fc.noBias(fc.integer({ min: 0, max: n - 1 })));
  };
  const next = () => int(0x100000000) / 0x100000000;
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(items.length)] as T;
    },
    chance: (probability) => next() < probability,
  };
}
