import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StrataError } from '@strata/api';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { AssetOutput, type AssetDefinition, type RenderedFile } from './asset.ts';
import { readRenderState, STATE_PATH, type RenderState } from './state.ts';

export class AssetGraphError extends StrataError {}

/** Files that were changed on disk since Strata wrote them, and that a render would overwrite or delete. */
export class HandEditedFilesError extends StrataError {}

export interface RenderPlan {
  readonly dir: string;
  readonly writes: readonly RenderedFile[];
  readonly deletes: readonly string[];
  readonly unchanged: readonly string[];
  /** Hand-edited files that this render leaves as they are. */
  readonly keptEdits: readonly string[];
  /** Hand-edited or unknown files this render would overwrite or delete: refused without `force`. */
  readonly conflicts: readonly string[];
  readonly regenerated: readonly string[];
  readonly state: RenderState;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function outputHash(output: AssetOutput): string {
  const hash = createHash('sha256');
  for (const file of [...output.files].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(file.path).update('\0').update(String(file.mode)).update('\0').update(file.contents).update('\0');
  }
  return hash.digest('hex');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function topologicalOrder<Input>(assets: readonly AssetDefinition<Input>[]): AssetDefinition<Input>[] {
  const byId = new Map<string, AssetDefinition<Input>>();
  for (const asset of assets) {
    if (byId.has(asset.id)) throw new AssetGraphError(`duplicate asset id ${asset.id}`, { asset: asset.id });
    byId.set(asset.id, asset);
  }
  const order: AssetDefinition<Input>[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (asset: AssetDefinition<Input>, path: string[]): void => {
    const seen = state.get(asset.id);
    if (seen === 'done') return;
    if (seen === 'visiting')
      throw new AssetGraphError(`dependency cycle: ${[...path, asset.id].join(' → ')}`, { cycle: path });
    state.set(asset.id, 'visiting');
    for (const id of asset.dependsOn) {
      const dependency = byId.get(id);
      if (dependency === undefined)
        throw new AssetGraphError(`asset ${asset.id} depends on unknown asset ${id}`, {
          asset: asset.id,
          dependency: id,
        });
      visit(dependency, [...path, asset.id]);
    }
    state.set(asset.id, 'done');
    order.push(asset);
  };
  for (const asset of assets) visit(asset, []);
  return order;
}

/**
 * Works out, without writing anything, what a render of `assets` into `dir`
 * would do: which assets are still up to date (kept as they are, with their
 * keys), which must be regenerated, and which files on disk were edited by
 * hand since Strata wrote them.
 */
export async function planRender<Input>(options: {
  readonly dir: string;
  readonly assets: readonly AssetDefinition<Input>[];
  readonly input: Input;
  readonly now?: Date;
}): Promise<RenderPlan> {
  const dir = resolve(options.dir);
  const now = options.now ?? new Date();
  const previousState = await readRenderState(dir);
  const nextState: RenderState = { version: 1, assets: {} };
  const outputs = new Map<string, AssetOutput>();
  const writes: RenderedFile[] = [];
  const unchanged: string[] = [];
  const keptEdits: string[] = [];
  const conflicts: string[] = [];
  const regenerated: string[] = [];
  const owned = new Set<string>();

  for (const asset of topologicalOrder(options.assets)) {
    const fingerprint = sha256(
      JSON.stringify({
        revision: asset.revision,
        inputs: asset.inputs(options.input),
        dependencies: asset.dependsOn.map((id) => [id, outputHash(outputs.get(id) as AssetOutput)]),
      }),
    );
    const previous = previousState.assets[asset.id];
    const onDisk: RenderedFile[] = [];
    const edited: string[] = [];
    // Read once here; the conflict check below reuses what was read.
    const readBefore = new Map<string, string>();
    let complete = previous !== undefined;
    for (const [path, recorded] of Object.entries(previous?.files ?? {})) {
      const contents = await readIfExists(join(dir, path));
      if (contents === undefined) {
        complete = false;
        continue;
      }
      if (sha256(contents) !== recorded.sha256) edited.push(path);
      readBefore.set(path, contents);
      onDisk.push({ path, contents, mode: recorded.mode });
    }

    const stale = asset.isStale?.(new AssetOutput(asset.id, onDisk), now) === true;
    if (previous !== undefined && previous.fingerprint === fingerprint && complete && !stale) {
      // Up to date: dependents see the files as they are on disk, hand edits included.
      outputs.set(asset.id, new AssetOutput(asset.id, onDisk));
      nextState.assets[asset.id] = previous;
      for (const file of onDisk) owned.add(file.path);
      unchanged.push(...onDisk.map((file) => file.path));
      keptEdits.push(...edited);
      continue;
    }

    const files = await asset.generate({
      input: options.input,
      now,
      dependency: (id) => {
        const output = outputs.get(id);
        if (output === undefined || !asset.dependsOn.includes(id)) {
          throw new AssetGraphError(`asset ${asset.id} used ${id} without declaring it in dependsOn`, {
            asset: asset.id,
            dependency: id,
          });
        }
        return output;
      },
      previous: onDisk.length > 0 ? new AssetOutput(asset.id, onDisk) : undefined,
    });
    regenerated.push(asset.id);
    outputs.set(asset.id, new AssetOutput(asset.id, files));
    const record: Record<string, { sha256: string; mode: number }> = {};
    for (const file of files) {
      if (owned.has(file.path))
        throw new AssetGraphError(`two assets write ${file.path}`, { asset: asset.id, path: file.path });
      owned.add(file.path);
      record[file.path] = { sha256: sha256(file.contents), mode: file.mode };
      const existing = readBefore.has(file.path) ? readBefore.get(file.path) : await readIfExists(join(dir, file.path));
      if (existing === file.contents) {
        unchanged.push(file.path);
        continue;
      }
      // A file we never wrote, or one changed since we wrote it, is the user's.
      if (existing !== undefined && previous?.files[file.path]?.sha256 !== sha256(existing)) conflicts.push(file.path);
      writes.push(file);
    }
    nextState.assets[asset.id] = { fingerprint, files: record };
  }

  // Files of assets that no longer exist (a removed worker) or that an asset no longer writes.
  const deletes: string[] = [];
  for (const previous of Object.values(previousState.assets)) {
    for (const [path, recorded] of Object.entries(previous.files)) {
      if (owned.has(path)) continue;
      const existing = await readIfExists(join(dir, path));
      if (existing === undefined) continue;
      if (sha256(existing) !== recorded.sha256) conflicts.push(path);
      deletes.push(path);
    }
  }

  return { dir, writes, deletes, unchanged, keptEdits, conflicts, regenerated, state: nextState };
}

/** Carries out a plan. Refuses, before touching anything, if it would overwrite hand edits without `force`. */
export async function applyRenderPlan(plan: RenderPlan, options: { readonly force?: boolean } = {}): Promise<void> {
  if (plan.conflicts.length > 0 && !options.force) {
    throw new HandEditedFilesError(
      `these files were changed since Strata wrote them (or were not written by Strata), and this render would replace them:\n` +
        plan.conflicts.map((path) => `  ${path}`).join('\n') +
        `\nNothing was written. Move your changes into cluster.yaml, or run again with --force to overwrite them.`,
      { dir: plan.dir, files: plan.conflicts },
    );
  }
  for (const file of plan.writes) await writeFileAtomic(join(plan.dir, file.path), file.contents, file.mode);
  for (const path of plan.deletes) await rm(join(plan.dir, path), { force: true });
  await writeFileAtomic(join(plan.dir, STATE_PATH), JSON.stringify(plan.state, null, 2) + '\n', SECRET_FILE_MODE);
}
