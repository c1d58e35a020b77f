import type { Finding } from '../issue.ts';
import { formatFieldPath, type FieldPath } from '../path.ts';
import type { ConfigReader } from '../reader.ts';
import { CONTROLLER_COUNTS, controllersSchema, machineSchema, workerPoolSchema } from '../schema.ts';
import { closestMatch } from '../suggest.ts';
import { workersInPool } from '../worker-pools.ts';
import { readPlatform } from './platform.ts';
import { plural, type Rule } from './rule.ts';

interface MachineFields {
  readonly path: FieldPath;
  readonly name: string | undefined;
  readonly mac: string | undefined;
  readonly domain: string | undefined;
  readonly role: 'controller' | 'worker' | undefined;
  readonly pool: string | undefined;
  readonly hasPool: boolean;
}

function readMachines(config: ConfigReader): MachineFields[] {
  const shape = machineSchema.shape;
  return Array.from({ length: config.length(['bareMetal', 'machines']) }, (_, index) => {
    const path = ['bareMetal', 'machines', index];
    return {
      path,
      name: config.get([...path, 'name'], shape.name),
      mac: config.get([...path, 'mac'], shape.mac),
      domain: config.get([...path, 'domain'], shape.domain),
      role: config.get([...path, 'role'], shape.role),
      pool: config.get([...path, 'pool'], shape.pool),
      hasPool: config.has([...path, 'pool']),
    };
  });
}

/** Boot servers match machines by MAC and certificates name them by domain: each must be unique. */
function duplicates(
  machines: readonly MachineFields[],
  field: 'name' | 'mac' | 'domain',
  what: string,
  hint: string,
): Finding[] {
  const first = new Map<string, MachineFields>();
  return machines.flatMap((machine): Finding[] => {
    const value = machine[field];
    if (value === undefined) {
      return [];
    }
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, machine);
      return [];
    }
    return [
      {
        path: [...machine.path, field],
        message: `repeats the ${what} of ${formatFieldPath(earlier.path)}${earlier.name === undefined ? '' : ` (${earlier.name})`}`,
        hint,
        value,
      },
    ];
  });
}

function roleFindings(machines: readonly MachineFields[]): Finding[] {
  return machines.flatMap((machine): Finding[] => {
    if (machine.role === 'worker' && !machine.hasPool) {
      return [
        {
          path: [...machine.path, 'pool'],
          message: 'is required for workers',
          hint: 'name the worker pool the machine belongs to, e.g. pool: worker',
          anchor: [...machine.path, 'role'],
        },
      ];
    }
    if (machine.role === 'controller' && machine.hasPool) {
      return [
        {
          path: [...machine.path, 'pool'],
          message: 'is only for workers: controllers are not in a worker pool',
          hint: 'remove it, or set role: worker',
          atKey: true,
        },
      ];
    }
    return [];
  });
}

function controllerCountFindings(config: ConfigReader, machines: readonly MachineFields[]): Finding[] {
  const count = config.get(['controllers', 'count'], controllersSchema.shape.count);
  if (count === undefined || machines.some((machine) => machine.role === undefined)) {
    return [];
  }
  const controllers = machines.filter((machine) => machine.role === 'controller').length;
  if (controllers === count) {
    return [];
  }
  const valid = (CONTROLLER_COUNTS as readonly number[]).includes(controllers);
  return [
    {
      path: ['controllers', 'count'],
      message: `is ${count}${config.has(['controllers', 'count']) ? '' : ' (the default)'}, but bareMetal.machines has ${plural(controllers, 'controller')}`,
      hint: valid
        ? `set controllers.count to ${controllers}, or change the roles of the machines`
        : 'give 1, 3 or 5 machines role: controller',
      value: count,
      anchor: ['bareMetal', 'machines'],
    },
  ];
}

function existingPools(names: readonly string[]): string {
  if (names.length === 0) {
    return '';
  }
  return names.length === 1
    ? `, or use pool "${names[0] ?? ''}"`
    : `, or use one of ${names.map((name) => `"${name}"`).join(', ')}`;
}

/** With explicit worker pools, machines must name one of them and the counts must agree. */
function poolFindings(config: ConfigReader, machines: readonly MachineFields[]): Finding[] {
  if (!config.has(['workerPools'])) {
    return [];
  }
  const pools = Array.from({ length: config.length(['workerPools']) }, (_, index) => ({
    index,
    name: config.get(['workerPools', index, 'name'], workerPoolSchema.shape.name),
    count: config.get(['workerPools', index, 'count'], workerPoolSchema.shape.count),
  }));
  if (pools.some((pool) => pool.name === undefined)) {
    return [];
  }
  const names = pools.flatMap((pool) => (pool.name === undefined ? [] : [pool.name]));
  const findings: Finding[] = [];
  for (const machine of machines) {
    if (machine.role === 'worker' && machine.pool !== undefined && !names.includes(machine.pool)) {
      const match = closestMatch(machine.pool, names);
      findings.push({
        path: [...machine.path, 'pool'],
        message: `names pool "${machine.pool}", which workerPools does not define`,
        hint:
          match === undefined
            ? `add a pool named "${machine.pool}" to workerPools${existingPools(names)}`
            : `did you mean "${match}"?`,
        value: machine.pool,
      });
    }
  }
  if (
    machines.some(
      (machine) =>
        machine.role === undefined || (machine.role === 'worker' && machine.hasPool && machine.pool === undefined),
    )
  ) {
    return findings;
  }
  for (const pool of pools) {
    if (pool.name === undefined || pool.count === undefined) {
      continue;
    }
    const members = workersInPool(
      machines.map((machine) => ({ role: machine.role ?? '', pool: machine.pool })),
      pool.name,
    );
    if (members !== pool.count) {
      findings.push({
        path: ['workerPools', pool.index, 'count'],
        message: `is ${pool.count}, but bareMetal.machines has ${plural(members, 'worker')} in pool "${pool.name}"`,
        hint: `set it to ${members}, or leave it out: on bare metal it defaults to the number of machines in the pool`,
        value: pool.count,
      });
    }
  }
  return findings;
}

export const bareMetalRule: Rule = (config) => {
  if (readPlatform(config) !== 'bare-metal') {
    return [];
  }
  const machines = readMachines(config);
  return [
    ...duplicates(machines, 'name', 'name', 'give every machine its own name'),
    ...duplicates(machines, 'mac', 'MAC address', 'each machine boots from its own NIC; check for a copy-paste slip'),
    ...duplicates(machines, 'domain', 'domain', 'give every machine its own domain name'),
    ...roleFindings(machines),
    ...controllerCountFindings(config, machines),
    ...poolFindings(config, machines),
  ];
};
