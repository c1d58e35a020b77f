import { spawnSync } from 'node:child_process';

export interface OpensslResult {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Runs the system's openssl, an independent implementation to check our
 * certificates against. Fails loudly if it is missing rather than skipping.
 */
export function openssl(args: readonly string[]): OpensslResult {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `openssl is needed by this test but could not run (${result.error.message}); install it with: apt-get install openssl`,
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
