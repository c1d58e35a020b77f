// A jump host between this machine and controllers that have only private
// addresses (a cloud's bastion). OpenSSH's own ProxyJump would start the hop
// with the user's defaults (no batch mode, ~/.ssh/known_hosts, any identity),
// so the hop is the same `ssh -W` that ProxyJump runs, spelled out with the
// hardening every other connection of the installer has.
import { z } from 'zod';
import { StrataError } from '@strata/api';

export class SshJumpError extends StrataError {}

export interface SshJump {
  readonly user: string;
  readonly host: string;
  readonly port: number;
}

// ssh runs a ProxyCommand through the shell and expands its % tokens: only
// these characters ever reach it, so nothing a user types can become a command.
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const JUMP = /^(?<user>[^@\s]+)@(?:\[(?<v6>[0-9a-f:.]+)\]|(?<host>[^:\s[\]]+))(?::(?<port>\d{1,5}))?$/i;
const SAFE_PATH = /^\/[A-Za-z0-9._/+-]*$/;

const jumpSchema = z.strictObject({
  user: z.string().regex(USER, 'a user name of letters, digits, ".", "_" and "-"'),
  host: z.union([z.ipv4(), z.ipv6(), z.string().regex(HOST_NAME, 'a host name, an IPv4 address or [an IPv6 address]')]),
  port: z.coerce.number().int().min(1).max(65_535),
});

/** `user@host[:port]` (an IPv6 address in brackets), as `--ssh-jump` takes it; port 22 unless given. */
export function parseSshJump(text: string): SshJump {
  const match = JUMP.exec(text.trim());
  const parsed = jumpSchema.safeParse({
    user: match?.groups?.['user'],
    host: match?.groups?.['v6'] ?? match?.groups?.['host'],
    port: match?.groups?.['port'] ?? 22,
  });
  if (match === null || !parsed.success) {
    const why =
      match === null
        ? 'not user@host[:port]'
        : parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new SshJumpError(`--ssh-jump ${JSON.stringify(text)}: ${why}`, { field: '--ssh-jump', value: text });
  }
  return parsed.data;
}

/** A file path as one shell word; a path ssh or the shell would read otherwise is refused. */
function shellPath(path: string, what: string): string {
  if (!SAFE_PATH.test(path)) {
    throw new SshJumpError(
      `${what} ${JSON.stringify(path)} cannot be handed to the jump host's ssh: use an absolute path of letters, digits, ".", "_", "+", "-" and "/"`,
      { field: what, value: path },
    );
  }
  return `'${path}'`;
}

export interface JumpOptions {
  readonly identityFile: string;
  readonly knownHostsFile: string;
  readonly connectTimeoutSeconds: number;
}

/** The ProxyCommand that reaches each controller through `jump`, its host key pinned like the controllers'. */
export function jumpProxyCommand(ssh: string, jump: SshJump, options: JumpOptions): string {
  const host = jump.host.includes(':') ? `[${jump.host}]` : jump.host;
  return [
    ssh,
    '-F none',
    `-i ${shellPath(options.identityFile, '--ssh-identity')}`,
    `-p ${jump.port}`,
    '-o BatchMode=yes',
    '-o IdentitiesOnly=yes',
    '-o PasswordAuthentication=no',
    '-o KbdInteractiveAuthentication=no',
    '-o StrictHostKeyChecking=accept-new',
    `-o UserKnownHostsFile=${shellPath(options.knownHostsFile, 'known_hosts')}`,
    '-o GlobalKnownHostsFile=/dev/null',
    `-o HostKeyAlias=jump.${jump.host}`,
    '-o UpdateHostKeys=no',
    `-o ConnectTimeout=${options.connectTimeoutSeconds}`,
    '-o LogLevel=ERROR',
    // ssh puts the controller's address and port here.
    "-W '[%h]:%p'",
    `${jump.user}@${host}`,
  ].join(' ');
}
