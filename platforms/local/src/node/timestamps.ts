/**
 * Objects from a watch are plain JSON (timestamps are strings) while those
 * from a typed read are deserialized (timestamps are Dates); the typings claim
 * Date for both. This reads either.
 */
export function asDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value !== '') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}
