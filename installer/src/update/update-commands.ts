// `strata update channels|groups|promote|pause|resume|status`: commander reads
// the words, zod checks them (a bad one exits 2 naming the flag), and the
// failures a script must tell apart get their own exit codes.
import { Command, Option } from 'commander';
import { StrataError } from '@strata/api';
import { KubernetesApiError } from '@strata/kube';
import { MACHINE_STATES, UnknownReleaseError, UpdateResourceNotFoundError } from '@strata/update-server';
import { printError } from '../error-output.ts';
import { listChannels, listGroups, promote, setPaused, status } from './update-actions.ts';
import {
  channelsOptionsSchema,
  groupsOptionsSchema,
  parseUpdateOptions,
  pauseOptionsSchema,
  promoteOptionsSchema,
  statusOptionsSchema,
  UpdateUsageError,
} from './update-options.ts';
import { UpdateServerAnswerError } from './update-target.ts';

/** The exit codes of the rollout subcommands, as their help states them. */
export const UPDATE_EXIT = { failed: 1, usage: 2, refused: 3, notFound: 4 } as const;

const EXIT_HELP = `
Exit codes: 0 done, 1 failed (cannot reach the cluster or the server, or it failed),
2 invalid usage (the message names the flag), 3 refused (401/403: RBAC does not
allow you), 4 not found (no such group, channel or release).`;

const TARGET_HELP = `
The cluster is the one your kubeconfig names: --kubeconfig, else $KUBECONFIG,
else the local cluster's (strata up; --dir or --config choose which), else
~/.kube/config. RBAC decides what you may do with your own credentials.`;

/** The exit code for what a subcommand threw. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UpdateUsageError) return UPDATE_EXIT.usage;
  if (error instanceof UpdateResourceNotFoundError || error instanceof UnknownReleaseError) return UPDATE_EXIT.notFound;
  const status =
    error instanceof KubernetesApiError || error instanceof UpdateServerAnswerError ? error.status : undefined;
  if (status === 401 || status === 403) return UPDATE_EXIT.refused;
  if (status === 404) return UPDATE_EXIT.notFound;
  return UPDATE_EXIT.failed;
}

/** Runs an action; a StrataError is printed as its message with its exit code, anything else goes up as a bug. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof StrataError)) throw error;
    printError(error, 'strata update: ');
    process.exit(exitCodeOf(error));
  }
}

const out = { write: (text: string) => void process.stdout.write(text) };

function withTarget(command: Command): Command {
  return command
    .option(
      '--kubeconfig <file>',
      'the kubeconfig to act with (default: $KUBECONFIG, the local cluster’s, ~/.kube/config)',
    )
    .option('-c, --config <file>', 'the cluster.yaml of a local cluster (strata up), to use its kubeconfig')
    .option('-d, --dir <dir>', 'the directory of a local cluster, to use its kubeconfig')
    .option('--json', 'print JSON for scripts instead of a table')
    .addHelpText('after', `${TARGET_HELP}\n${EXIT_HELP}`);
}

export function rolloutCommands(): Command[] {
  const channels = withTarget(
    new Command('channels').description('list the UpdateChannels: the release each offers and whether it resolved'),
  ).action((raw: Record<string, unknown>) =>
    run(() => listChannels(parseUpdateOptions(channelsOptionsSchema, raw), out)),
  );

  const groups = withTarget(
    new Command('groups').description(
      'list the UpdateGroups: track, channel, paused or not, machines and rollout progress',
    ),
  ).action((raw: Record<string, unknown>) => run(() => listGroups(parseUpdateOptions(groupsOptionsSchema, raw), out)));

  const promoteCommand = withTarget(
    new Command('promote')
      .description('point a channel at a release (its spec.release); every group following the channel rolls it out')
      .argument(
        '[version]',
        'the version to promote, e.g. 4230.2.4 (an UpdateRelease with that version must exist, except on a local cluster)',
      )
      .requiredOption('--channel <name>', 'the UpdateChannel to promote it to, e.g. stable')
      .option('--release <name>', 'name the UpdateRelease instead of giving a version'),
  )
    .addHelpText(
      'after',
      `
Example: strata update promote 4230.2.4 --channel stable
Promoting the release a channel already offers changes nothing (exit 0).
On a local cluster (strata up), whose machines and payloads are simulated, a
version no UpdateRelease has yet is published first (UpdateRelease
flatcar-<version>, its payload served by strata up; --json says so under
"published"); you need create on updatereleases for that. Elsewhere, publish
the UpdateRelease yourself (version, payloadUrl, sha256, sha1, size).`,
    )
    .action((version: string | undefined, raw: Record<string, unknown>) =>
      run(() => promote(parseUpdateOptions(promoteOptionsSchema, { ...raw, version }), out)),
    );

  const pause = (paused: boolean) =>
    withTarget(
      new Command(paused ? 'pause' : 'resume')
        .description(
          paused
            ? 'pause a group: no machine gets a new update (spec.policy.enabled=false); those already granted finish'
            : 'resume a group: its machines get updates again within its policy (spec.policy.enabled=true)',
        )
        .argument('<group>', 'the UpdateGroup'),
    ).action((group: string, raw: Record<string, unknown>) =>
      run(() => setPaused(parseUpdateOptions(pauseOptionsSchema, { ...raw, group }), paused, out)),
    );

  const statusCommand = withTarget(
    new Command('status')
      .description('the version breakdown and rollout progress of every group, or of one; its machines with --machines')
      .argument('[group]', 'only this UpdateGroup')
      .option(
        '--server <url>',
        "read the update server's JSON API live (e.g. https://127.0.0.1:8443) instead of the groups' status",
      )
      .option('--server-ca-file <file>', "the CA of the server's certificate (default: the kubeconfig's cluster CA)")
      .option('--machines', 'list the machines too (needs --server)')
      .addOption(new Option('--state <state>', 'only machines in this state').choices(MACHINE_STATES))
      .option('--running <version>', 'only machines running this version')
      .option('--limit <n>', 'at most this many machines (1-500, default 50)')
      .option('--continue <token>', 'the next page of machines, as the previous page said'),
  )
    .addHelpText(
      'after',
      `
Without --server the figures are the groups' status, which the update server
recounts every 15 s. With --server the server answers live, with your
kubeconfig's bearer token, which it reviews (TokenReview) and puts to RBAC.`,
    )
    .action((group: string | undefined, raw: Record<string, unknown>) =>
      run(async () => {
        const options = parseUpdateOptions(statusOptionsSchema, { ...raw, group });
        if (options.machines && options.server === undefined)
          throw new UpdateUsageError(
            '--machines: needs --server (machines are in the update server, not in Kubernetes)',
            {
              flag: '--machines',
            },
          );
        await status(options, out);
      }),
    );

  return [channels, groups, promoteCommand, pause(true), pause(false), statusCommand];
}
