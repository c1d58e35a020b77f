import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where Strata keeps what a user made (clusters, machines, labs): $XDG_DATA_HOME/strata, else ~/.local/share/strata. */
export function strataDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const data = env['XDG_DATA_HOME'];
  return join(data !== undefined && data !== '' ? data : join(homedir(), '.local', 'share'), 'strata');
}
