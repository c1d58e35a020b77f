// `strata lab up | down`: the machine lab's QEMU machines on their private network, in the background, for a
// bare-metal cluster.yaml to name by their MACs. `strata lab run` is what `up` runs detached.
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { strataDataDir } from '@strata/host';
import { LabConfigError, parseLabSpec, runLab, type LabSpec, type LabState } from '@strata/lab';
import { describeError } from '../error-output.ts';
import { runningLab, startLabDaemon, stopLab } from '../lab/lab-daemon.ts';
import { CommandGroup } from './command-group.ts';

export const LAB_EXIT = { done: 0, failed: 1, usage: 2, running: 3 } as const;

interface LabOptions {
  readonly machines: number;
  readonly name: string;
  readonly dir?: string;
  readonly subnet?: string;
  readonly bootServer?: string;
  readonly memory?: number;
  readonly disk?: number;
  readonly firmware?: 'bios' | 'uefi';
  readonly json?: boolean;
}

/** The spec's fields as the flags that set them, for error messages. */
const FLAG_OF: Record<string, string> = {
  machines: '--machines',
  name: '--name',
  subnet: '--subnet',
  bootServer: '--boot-server',
  memoryMiB: '--memory',
  diskGiB: '--disk',
  firmware: '--firmware',
};

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new InvalidArgumentError('a whole number');
  return value;
}

export function defaultLabDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(strataDataDir(env), 'lab', name);
}

function specOf(options: LabOptions): LabSpec & { readonly dir: string } {
  return {
    dir: resolve(options.dir ?? defaultLabDir(options.name)),
    name: options.name,
    machines: options.machines,
    ...(options.subnet === undefined ? {} : { subnet: options.subnet }),
    ...(options.bootServer === undefined ? {} : { bootServer: options.bootServer }),
    ...(options.memory === undefined ? {} : { memoryMiB: options.memory }),
    ...(options.disk === undefined ? {} : { diskGiB: options.disk }),
    ...(options.firmware === undefined ? {} : { firmware: options.firmware }),
  };
}

/** `lab run`'s arguments for the same spec. */
function runArguments(options: LabOptions): string[] {
  return [
    '--machines',
    String(options.machines),
    '--name',
    options.name,
    ...(options.subnet === undefined ? [] : ['--subnet', options.subnet]),
    ...(options.bootServer === undefined ? [] : ['--boot-server', options.bootServer]),
    ...(options.memory === undefined ? [] : ['--memory', String(options.memory)]),
    ...(options.disk === undefined ? [] : ['--disk', String(options.disk)]),
    ...(options.firmware === undefined ? [] : ['--firmware', options.firmware]),
  ];
}

function fail(error: unknown, json: boolean | undefined): never {
  const code = error instanceof LabConfigError ? LAB_EXIT.usage : LAB_EXIT.failed;
  let message = describeError(error);
  if (error instanceof LabConfigError) {
    const field = error.context['field'];
    const flag = typeof field === 'string' ? FLAG_OF[field] : undefined;
    if (flag !== undefined) message = `${flag}: ${message}`;
  }
  if (json === true) process.stdout.write(`${JSON.stringify({ type: 'error', exitCode: code, error: message })}\n`);
  else process.stderr.write(`strata: ${message}\n`);
  process.exit(code);
}

const withSpecOptions = (command: Command): Command =>
  command
    .requiredOption('-m, --machines <count>', 'how many machines (1 to 241)', wholeNumber)
    .option('--name <name>', "the lab's name: its machines are <name>-1, <name>-2, …", 'lab')
    .option('-d, --dir <dir>', "the lab's state, logs and disks (default: $XDG_DATA_HOME/strata/lab/<name>)")
    .option('--subnet <cidr>', 'a private /24 for the lab (default 10.213.0.0/24)')
    .option(
      '--boot-server <url>',
      "the boot server's read side as the machines reach it (default: http://<the lab's .1>:8080)",
    )
    .option('--memory <MiB>', "each machine's memory (default 1024)", wholeNumber)
    .option('--disk <GiB>', "each machine's disk, sparse (default 8)", wholeNumber)
    .addOption(
      new Option(
        '--firmware <firmware>',
        "the machines' firmware: bios (SeaBIOS) or uefi (OVMF), which machines installing Strata's node image (os.name: strata) need",
      ).choices(['bios', 'uefi']),
    );

const UP_HELP = `
Makes a private network inside a network namespace of its own (a bridge, a tap
per machine, DHCP with a fixed address per MAC), connected to this host by a
veth pair whose host end holds the subnet's .1, and powers on QEMU machines
(TCG) on it. Each boots from its empty disk, else from the network: iPXE asks
the boot server (--boot-server) what to do. The network has no route to any
other network, and the host forwards nothing from it.

Serve the boot server where the machines reach it, e.g.
  strata boot-server serve --address 10.213.0.1:8080 …
and name the machines in a bare-metal cluster.yaml by the MACs printed here.

Runs in the background; strata lab down stops it and removes its disks. Needs
root, and Debian's qemu-system-x86, ipxe-qemu, dnsmasq-base, iproute2 and
util-linux.

Exit codes: 0 running, 1 failed (nothing is left running), 2 bad usage (the
message names the flag), 3 this lab runs already.

Example:
  strata lab up --machines 3`;

export function labCommand(): Command {
  const lab = new CommandGroup('lab').description(
    'QEMU machines on a private network that boot over PXE from the boot server: real machines for the bare-metal flow',
  );
  lab.addCommand(
    withSpecOptions(new Command('up'))
      .description('start the lab in the background: the network, its DHCP server and the machines')
      .option('--json', "print the lab's state (machines, MACs, addresses) as one JSON object")
      .addHelpText('after', UP_HELP)
      .action(async (options: LabOptions) => {
        try {
          const spec = parseLabSpec(specOf(options));
          const running = await runningLab(spec.dir);
          if (running !== undefined) {
            const message = `lab ${running.name} runs already in ${spec.dir} (pid ${running.pid}); stop it first: strata lab down --dir ${spec.dir}`;
            if (options.json === true)
              process.stdout.write(
                `${JSON.stringify({ type: 'error', exitCode: LAB_EXIT.running, error: message })}\n`,
              );
            else process.stderr.write(`strata: ${message}\n`);
            process.exit(LAB_EXIT.running);
          }
          // What a lab killed before it could clean up left behind (its state names it).
          await stopLab(spec.dir);
          if (options.json !== true) process.stderr.write(`Starting lab ${spec.name} in ${spec.dir} …\n`);
          const state = await startLabDaemon(spec.dir, runArguments(options));
          if (options.json === true) process.stdout.write(`${JSON.stringify(state)}\n`);
          else process.stderr.write(describeLab(state, spec.dir));
        } catch (error) {
          fail(error, options.json);
        }
      }),
  );
  lab.addCommand(
    withSpecOptions(new Command('run'))
      .description('run the lab in the foreground until SIGTERM (what strata lab up starts)')
      .action(async (options: LabOptions) => {
        let stop: (() => Promise<void>) | undefined;
        let stopping = false;
        const shutdown = async (signal: string) => {
          if (stopping) return;
          stopping = true;
          process.stderr.write(`${signal}: powering the machines off and removing the network …\n`);
          await stop?.();
          process.stderr.write('stopped.\n');
          process.exit(LAB_EXIT.done);
        };
        process.on('SIGTERM', () => void shutdown('SIGTERM'));
        process.on('SIGINT', () => void shutdown('SIGINT'));
        try {
          const running = await runLab(specOf(options), (line) => process.stderr.write(`${line}\n`));
          stop = () => running.stop();
          process.stderr.write(`lab ${running.state.name} runs (pid ${process.pid})\n`);
          void running.machineExited.then((machine) =>
            process.stderr.write(`${machine.nic.hostname}: QEMU exited; its console: ${machine.serialFile}\n`),
          );
          if (stopping) await stop();
        } catch (error) {
          fail(error, false);
        }
      }),
    { hidden: true },
  );
  lab.addCommand(
    new Command('down')
      .description("stop the lab: power its machines off, remove its network and its machines' disks")
      .option('--name <name>', "the lab's name", 'lab')
      .option('-d, --dir <dir>', "the lab's directory (default: $XDG_DATA_HOME/strata/lab/<name>)")
      .option('--json', 'print what was stopped and removed as one JSON object')
      .addHelpText('after', '\nExit codes: 0 stopped (or no lab was there), 1 failed.')
      .action(async (options: { name: string; dir?: string; json?: boolean }) => {
        try {
          const dir = resolve(options.dir ?? defaultLabDir(options.name));
          const result = await stopLab(dir);
          if (options.json === true) {
            process.stdout.write(
              `${JSON.stringify(result === undefined ? { dir, lab: null } : { dir, lab: result.state.name, stopped: result.stopped ?? null, leftovers: result.leftovers })}\n`,
            );
            return;
          }
          if (result === undefined) {
            process.stderr.write(`No lab in ${dir}.\n`);
            return;
          }
          const how =
            result.stopped === undefined
              ? `its process (pid ${result.state.pid}) was not running; removed what it left`
              : `stopped pid ${result.stopped.pid} (${result.stopped.how})`;
          const killed = result.leftovers.killed.length > 0 ? `; killed ${result.leftovers.killed.join(', ')}` : '';
          process.stderr.write(`Lab ${result.state.name}: ${how}${killed}; disks removed.\n`);
        } catch (error) {
          fail(error, options.json);
        }
      }),
  );
  return lab;
}

function describeLab(state: LabState, dir: string): string {
  const lines = [
    `Lab ${state.name} runs (pid ${state.pid}); its network ${state.subnet}, this host at ${state.hostAddress} (${state.hostInterface}).`,
    `Machines boot from their disks, else through iPXE from ${state.bootServer}/boot.ipxe:`,
    ...state.machines.map((machine) => `  ${machine.hostname.padEnd(12)} ${machine.mac}  ${machine.address}`),
    `Consoles: ${join(dir, 'machines')}/<name>.serial.log. Stop it with: strata lab down --dir ${dir}`,
  ];
  return `${lines.join('\n')}\n`;
}
