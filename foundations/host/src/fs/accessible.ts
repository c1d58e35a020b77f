import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

/**
 * Whether this process may use `path` as `mode` asks (readable by default): for finders that try candidates in turn,
 * where a path that is absent and one that is not allowed are both "not this one".
 */
export async function isAccessible(path: string, mode: number = constants.R_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}
