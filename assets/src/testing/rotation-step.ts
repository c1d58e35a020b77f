// What a key rotation may change in a cloud platform program's resources, for
// each cloud's mock test: the controllers' config objects, and on any other
// resource only what its ignoreChanges keeps the engine from acting on.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ClusterConfig } from '../config/schema.ts';
import { decodeDataUrl } from '../ignition/data-url.ts';
import { withholdSecrets } from '../ignition/withhold-secrets.ts';
import { clusterTopology } from '../topology/topology.ts';
import { ASSET_PATHS, NODE_PATHS } from '../render/layout.ts';
import type { PlatformProgramInput } from '../render/platform-input.ts';
import type { PlatformRenderDirectory } from './platform-render.ts';

/** A resource as a mock run recorded it: the inputs with secrets unwrapped, and its ignoreChanges. */
export interface RecordedProgramResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly ignoreChanges: readonly string[];
}

/** `a.b["c-d"]` → ['a', 'b', 'c-d'] (Pulumi's property paths, as far as the programs use them). */
function segments(path: string): string[] {
  return [...path.matchAll(/([^.[\]"]+)|\["([^"]+)"\]/g)].map((match) => match[2] ?? match[1] ?? '');
}

function without(value: unknown, path: readonly string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (rest.length === 0) return Object.fromEntries(Object.entries(record).filter(([key]) => key !== head));
  return { ...record, [head]: without(record[head], rest) };
}

/**
 * Every resource of `after` that a rotation step's update would touch other than `configType`: one added or
 * removed, or one whose inputs differ outside its ignoreChanges. Empty when only config objects change.
 */
export function changedBeyondConfigObjects(
  before: readonly RecordedProgramResource[],
  after: readonly RecordedProgramResource[],
  configType: string,
): string[] {
  const key = (resource: RecordedProgramResource) => `${resource.type}::${resource.name}`;
  const earlier = new Map(before.map((resource) => [key(resource), resource]));
  const later = new Set(after.map(key));
  const problems = before.filter((resource) => !later.has(key(resource))).map((resource) => `removed ${key(resource)}`);
  for (const resource of after) {
    const old = earlier.get(key(resource));
    if (old === undefined) {
      problems.push(`added ${key(resource)}`);
      continue;
    }
    if (resource.type === configType) continue;
    const strip = (inputs: unknown) =>
      resource.ignoreChanges.reduce((value, path) => without(value, segments(path)), inputs);
    if (!isDeepStrictEqual(strip(old.inputs), strip(resource.inputs))) {
      const keys = Object.keys({ ...old.inputs, ...resource.inputs }).filter(
        (name) => !isDeepStrictEqual(old.inputs[name], resource.inputs[name]),
      );
      problems.push(
        `changed ${key(resource)} (${keys.join(', ')}; ignoreChanges: ${resource.ignoreChanges.join(', ') || 'none'})`,
      );
    }
  }
  return problems;
}

/** The encryption configuration a controller's full Ignition carries, as text; undefined when it carries none. */
export function encryptionConfigOf(ignition: string): string | undefined {
  const file = withholdSecrets(ignition, 'controller').withheld.find((f) => f.path === NODE_PATHS.encryptionConfig);
  if (file === undefined) return undefined;
  const decoded = decodeDataUrl(file.source);
  if (!decoded.ok) throw new Error(`${NODE_PATHS.encryptionConfig}: ${decoded.reason}`);
  return Buffer.from(decoded.value.data).toString();
}

export interface RotationThroughProgram<R extends RecordedProgramResource> {
  readonly dir: PlatformRenderDirectory;
  readonly config: ClusterConfig;
  /** The program's resources as the install left them (a run on the render before the rotation). */
  readonly installed: readonly R[];
  /** The type of each controller's config object, and of each controller's machine. */
  readonly configType: string;
  readonly machineType: string;
  /** The machine input that holds the pointer to the object: it must be under ignoreChanges. */
  readonly pointer: string;
  readonly run: (input: PlatformProgramInput) => Promise<readonly R[]>;
  /** A config object's content, as the cloud would store it. */
  readonly content: (object: R) => string | Promise<string>;
  /** Whether the object's content goes to the engine as a secret (encrypted in the state). */
  readonly isSecret: (object: R) => boolean;
}

/**
 * Renders add, promote and retire in turn into `dir` and runs the program on each. After each step, every controller's
 * config object must hold the step's encryption configuration, as a secret. Every machine must keep its pointer
 * under ignoreChanges. Nothing beyond the config objects may change.
 */
export async function checkRotationThroughProgram<R extends RecordedProgramResource>(
  spec: RotationThroughProgram<R>,
): Promise<void> {
  const controllers = clusterTopology(spec.config).controllers.length;
  let previous = spec.installed;
  for (const step of ['add', 'promote', 'retire'] as const) {
    const resources = await spec.run(await spec.dir.renderRotationStep(spec.config, step));
    assert.deepEqual(changedBeyondConfigObjects(previous, resources, spec.configType), [], step);
    const expected = await readFile(join(spec.dir.dir, ASSET_PATHS.encryptionConfig), 'utf8');
    const objects = resources.filter((resource) => resource.type === spec.configType);
    assert.equal(objects.length, controllers, `${step}: config objects`);
    for (const object of objects) {
      assert.equal(encryptionConfigOf(await spec.content(object)), expected, `${step}: ${object.name}`);
      assert.ok(spec.isSecret(object), `${step}: ${object.name} is not a secret`);
    }
    const machines = resources.filter((resource) => resource.type === spec.machineType);
    assert.equal(machines.length, controllers, `${step}: machines`);
    for (const machine of machines) assert.ok(machine.ignoreChanges.includes(spec.pointer), machine.name);
    previous = resources;
  }
}
