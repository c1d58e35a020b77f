import type { z } from 'zod';
import type { Check } from './problem.ts';

/**
 * A zod check from one of our format checks. The hint travels in the issue's
 * params, where the issue conversion picks it up.
 */
export function withCheck<T>(check: Check<T>): (value: T, ctx: z.RefinementCtx) => void {
  return (value, ctx) => {
    const problem = check(value);
    if (problem !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: problem.message,
        input: value,
        params: problem.hint === undefined ? {} : { hint: problem.hint },
      });
    }
  };
}

/**
 * Elements that appear twice in a list, reported at the later index. `describe`
 * decides what counts as the same entry; `show` names it in the message when
 * the entry itself is too long to quote (a PEM certificate).
 */
export function uniqueItems<T>(
  describe: (item: T) => string = String,
  show: (key: string) => string = (key) => key,
): (items: readonly T[], ctx: z.RefinementCtx) => void {
  return (items, ctx) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const key = describe(item);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
      } else {
        ctx.addIssue({
          code: 'custom',
          message: `repeats entry [${first}] (${show(key)})`,
          path: [index],
          input: item,
          params: { hint: 'remove the duplicate' },
        });
      }
    });
  };
}
