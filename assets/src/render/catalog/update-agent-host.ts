// The update agent's identity on each node: a system user of its own instead
// of root, a D-Bus policy that lets that user send only the calls the agent
// makes (update_engine's GetStatus, logind's Reboot), and a polkit rule that
// lets it only reboot. The agent's DaemonSet runs as this uid with no added
// capabilities, so a compromised agent can read the update status and reboot
// its node, which is what it is for, and nothing else on the host's buses.
import {
  UPDATE_AGENT_DBUS_CALLS,
  UPDATE_AGENT_HOST_USER,
  UPDATE_AGENT_POLKIT_ACTIONS,
  type DbusCall,
} from '@strata/api';
import { PUBLIC_FILE_MODE } from '@strata/host';
import type { NodeFile } from './node-files.ts';

export const UPDATE_AGENT_HOST_PATHS = {
  /** systemd-sysusers creates the user at boot, before dbus-daemon and polkitd read their policies. */
  sysusers: '/etc/sysusers.d/strata-update-agent.conf',
  dbusPolicy: '/etc/dbus-1/system.d/strata-update-agent.conf',
  polkitRule: '/etc/polkit-1/rules.d/60-strata-update-agent.rules',
} as const;

const { name, uid } = UPDATE_AGENT_HOST_USER;

function sysusers(): string {
  // u name uid "GECOS" home shell, "-" for sysusers' defaults (home /, no login shell); the group takes the same id.
  return `u ${name} ${uid} "Strata update agent" - -\n`;
}

const destinationsOf = (calls: readonly DbusCall[]): string[] => [...new Set(calls.map((call) => call.destination))];

function dbusPolicy(): string {
  const denials = destinationsOf(UPDATE_AGENT_DBUS_CALLS).map(
    (destination) => `    <deny send_destination="${destination}"/>`,
  );
  const allowances = UPDATE_AGENT_DBUS_CALLS.map(
    (call) =>
      `    <allow send_destination="${call.destination}" send_interface="${call.interface}" send_member="${call.member}"/>`,
  );
  return [
    '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"',
    ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
    `<!-- The Strata update agent (${name}, uid ${uid}) sends only what it calls: update_engine's status and`,
    "     logind's Reboot. A user policy applies after the services' default ones, and its later rules win. -->",
    '<busconfig>',
    `  <policy user="${name}">`,
    '    <deny send_type="method_call"/>',
    '    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="Hello"/>',
    '    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="AddMatch"/>',
    ...denials,
    ...allowances,
    '  </policy>',
    '</busconfig>',
    '',
  ].join('\n');
}

function polkitRule(): string {
  const actions = UPDATE_AGENT_POLKIT_ACTIONS.map((action) => JSON.stringify(action)).join(', ');
  return [
    `// The Strata update agent (${name}, uid ${uid}) may reboot its node through logind, and nothing else:`,
    '// every other action is refused outright rather than left to the defaults.',
    'polkit.addRule(function (action, subject) {',
    `  if (subject.user !== ${JSON.stringify(name)}) return polkit.Result.NOT_HANDLED;`,
    `  var allowed = [${actions}];`,
    '  return allowed.indexOf(action.id) >= 0 ? polkit.Result.YES : polkit.Result.NO;',
    '});',
    '',
  ].join('\n');
}

/** The node files that give the update agent its own, least-privileged host identity. */
export function updateAgentHostFiles(): NodeFile[] {
  return [
    { path: UPDATE_AGENT_HOST_PATHS.sysusers, contents: sysusers(), mode: PUBLIC_FILE_MODE },
    { path: UPDATE_AGENT_HOST_PATHS.dbusPolicy, contents: dbusPolicy(), mode: PUBLIC_FILE_MODE },
    { path: UPDATE_AGENT_HOST_PATHS.polkitRule, contents: polkitRule(), mode: PUBLIC_FILE_MODE },
  ];
}
