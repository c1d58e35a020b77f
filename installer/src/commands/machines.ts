// `strata machines start`: simulated bare-metal machines for a bare-metal
// cluster.yaml, in the foreground until Ctrl-C, each network-booting from the
// boot server as a real machine would. What a user runs on one machine to try
// `strata install` on bare metal without hardware.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { waitFor } from '@strata/host';
import {
  simulatedMachineAddress,
  type SimulatedMachine,
  type SimulatedMachines,
  type SimulatedMachineState,
} from '@strata/platform-local';
import { loadInstallConfig } from '../install/engine.ts';
import { InstallError } from '../install/errors.ts';
import {
  bareMetalMachines,
  bootServerKnows,
  DEFAULT_MACHINE_SSH_PORT,
  defaultMachinesDir,
  describeMachineState,
  startUserMachines,
  writeMachinesHosts,
} from '../machines/simulated-machines.ts';
import { CommandGroup } from './command-group.ts';
import { exitFor } from './install-command-support.ts';

interface StartOptions {
  readonly config: string;
  readonly bootServer?: string;
  readonly dir?: string;
  readonly sshPort: number;
  readonly waitRegistered: number;
  readonly json?: boolean;
}

class MachinesError extends InstallError {}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError('a whole number of seconds');
  return value;
}

function port(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new InvalidArgumentError('a TCP port is a whole number from 1 to 65535');
  return value;
}

const START_HELP = `
Starts one simulated machine per entry of bareMetal.machines, the i-th on the
loopback address 127.0.10.<i>. Each boots as iPXE would: /boot.ipxe, then
/ipxe?mac=<its MAC>, the install profile, then the installed one; applies the
Ignition it receives to its own disk under --dir; a controller opens sshd on
its address and --ssh-port and waits for its secrets (strata install delivers
them over SSH); then it runs its control plane, and every machine its kubelet.
Like a machine's firmware retrying PXE, the command first waits (up to
--wait-registered seconds) until the boot server knows every machine: start it,
then run \`strata install\`, which registers them. A machine whose boot then
fails is reported and stays off.

The installer must reach the machines by name: the names and addresses are
printed and written to <dir>/hosts, for /etc/hosts or a private mount of it.
Needs root (each controller runs its components with its own /etc/hosts) and
Debian's openssh-server (/usr/sbin/sshd).

Stays in the foreground: Ctrl-C or SIGTERM stops every machine (exit 0).
Exit codes: 0 stopped, 1 failed (every machine failed, they could not start, or
the boot server never knew them),
2 bad usage, 3 bad config (not platform: bare-metal, or invalid).

Example:
  strata machines start --config rack1.yaml --boot-server http://127.0.0.1:8080`;

export function machinesCommand(): Command {
  const machines = new CommandGroup('machines').description(
    'simulated bare-metal machines on this machine, to try strata install on bare metal without hardware',
  );
  machines.addCommand(
    new Command('start')
      .description('power on simulated machines for a bare-metal cluster.yaml; runs until Ctrl-C')
      .requiredOption('-c, --config <file>', 'a cluster.yaml with platform: bare-metal (its bareMetal.machines)')
      .option(
        '--boot-server <url>',
        "the boot server's read side the machines boot from (default: the config's bareMetal.bootServer.endpoint)",
      )
      .option('-d, --dir <dir>', "the machines' disks (default: $XDG_DATA_HOME/strata/machines/<name>)")
      .option(
        '--ssh-port <port>',
        "the port of each controller's sshd; strata install's --ssh-port must match",
        port,
        DEFAULT_MACHINE_SSH_PORT,
      )
      .option(
        '--wait-registered <seconds>',
        'how long to wait for the boot server to know every machine before giving up',
        seconds,
        1800,
      )
      .option('--json', 'one JSON object per line on stdout: each machine state change')
      .addHelpText('after', START_HELP)
      .action(async (options: StartOptions) => {
        await start(options);
      }),
  );
  return machines;
}

async function start(options: StartOptions): Promise<void> {
  const say = (line: string) => {
    if (options.json !== true) process.stderr.write(`${line}\n`);
  };
  let running: SimulatedMachines | undefined;
  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`${reason}: powering the machines off …`);
    try {
      await running?.stop();
    } catch (error) {
      exitFor(error, options.json);
    }
    say('stopped; nothing of the machines is left running.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  try {
    const config = await loadInstallConfig(options.config);
    const specs = bareMetalMachines(config);
    const bootServerUrl = options.bootServer ?? config.bareMetal?.bootServer.endpoint;
    const dir = resolve(options.dir ?? defaultMachinesDir(config.name));
    const onState = (machine: SimulatedMachine, state: SimulatedMachineState) => {
      if (options.json === true) {
        process.stdout.write(
          `${JSON.stringify({ machine: machine.name, mac: machine.mac, address: machine.address, phase: state.phase, detail: describeMachineState(state) })}\n`,
        );
      } else {
        say(`${machine.name.padEnd(12)} ${describeMachineState(state)}`);
      }
      if (state.phase !== 'failed' || running === undefined) return;
      const all = [...running.states().values()];
      if (all.every((each) => each.phase === 'failed')) void stop('every machine failed to boot', 1);
    };
    if (bootServerUrl === undefined) {
      throw new MachinesError('no boot server: pass --boot-server or set bareMetal.bootServer.endpoint', {
        config: options.config,
      });
    }
    say(`${specs.length} machine(s) of cluster "${config.name}", booting from ${bootServerUrl}:`);
    specs.forEach((spec, index) =>
      say(`  ${spec.name.padEnd(12)} ${spec.role.padEnd(10)} ${spec.mac}  ${simulatedMachineAddress(index)}`),
    );
    say(`controllers' sshd on port ${options.sshPort}; disks under ${dir}. Ctrl-C powers them off.`);
    const hostsPath = await writeMachinesHosts(config, dir);
    say(`names (written to ${hostsPath}; the installer must resolve them, e.g. through /etc/hosts):`);
    for (const line of (await readFile(hostsPath, 'utf8')).trimEnd().split('\n')) say(`  ${line}`);
    say(
      `waiting for the boot server at ${bootServerUrl} to know ${specs.map((spec) => spec.name).join(', ')}: run strata install now`,
    );
    await waitFor(
      `the boot server at ${bootServerUrl} to know every machine (strata install registers them)`,
      async () => {
        for (const spec of specs) if (!(await bootServerKnows(bootServerUrl, spec.mac))) return undefined;
        return true;
      },
      { timeoutMs: options.waitRegistered * 1000, intervalMs: 1000, retryErrors: true },
    );
    say(`every machine is known: powering ${specs.length} on`);
    running = await startUserMachines({ config, bootServerUrl, dir, sshPort: options.sshPort, onState });
  } catch (error) {
    // Nothing runs yet: the machines are the last thing started.
    exitFor(error, options.json);
  }
}
