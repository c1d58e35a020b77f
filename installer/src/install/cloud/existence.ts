// The cloud checks that need the provider (do the region, zones, machine
// types and DNS zone exist?), run the only way a provider can be asked: by
// the Pulumi engine, from inside a program. The program only invokes; it is
// previewed on a throwaway stack in a scratch directory, so nothing is
// created, in the cloud or in the cluster directory. The engine looks for the
// provider plugin in the cluster directory's PULUMI_HOME, where the offline
// preflight just found it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinary } from '@strata/binaries';
import { openStack, preparePulumiTools } from '@strata/pulumi-workspace';
import type { ClusterConfig } from '@strata/assets';
import type { DriverContext } from '../platform-driver.ts';
import { installPulumiHome } from '../pulumi/install-stack.ts';

/** A check of a cloud's preflight, offline or through the provider: the cloud packages' shape. */
export interface CloudCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

/** The lines of an engine failure worth showing: those that say error, else the first few. */
function engineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').filter((line) => /error/i.test(line));
  return (lines.length > 0 ? lines.slice(-3) : text.split('\n').slice(0, 3)).join('\n').trim();
}

/**
 * Runs `checks` inside a previewed program and returns what they found. A preview that fails (credentials the
 * cloud refuses, a provider that does not start) becomes one failed check with the engine's message.
 */
export async function checkThroughProvider(
  platform: string,
  checks: (config: ClusterConfig) => Promise<CloudCheck[]>,
  context: Pick<DriverContext, 'config' | 'directory' | 'signal'>,
): Promise<CloudCheck[]> {
  const root = await mkdtemp(join(tmpdir(), 'strata-preflight-'));
  try {
    let found: CloudCheck[] | undefined;
    const stack = await openStack({
      tools: await preparePulumiTools({ pulumiBinary: await resolveBinary('pulumi'), dir: join(root, 'tools') }),
      projectName: 'strata-preflight',
      stackName: context.config.name,
      program: async () => {
        found = await checks(context.config);
      },
      stateDir: join(root, 'state'),
      pulumiHome: installPulumiHome(context.directory),
      // The throwaway stack holds no secret; its passphrase only satisfies the engine.
      passphrase: randomBytes(24).toString('base64url'),
      workDir: join(root, 'workspace'),
    });
    await stack.preview({ signal: context.signal });
    if (found === undefined) {
      return [{ id: `${platform}-existence`, ok: false, detail: `the ${platform} checks did not run in the preview` }];
    }
    return found;
  } catch (error) {
    return [
      {
        id: `${platform}-existence`,
        ok: false,
        detail: `asking ${platform} whether the region, zones, machine types and DNS zone exist failed: ${engineMessage(error)}`,
        fix: 'check the credentials preflight found, and that the account or project may list them',
      },
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
