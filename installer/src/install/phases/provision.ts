// Provision: the platform's Pulumi program, through the Automation API.
// Before the update, whatever a killed run left is resolved: its engine
// processes, the backend's lock, and pending operations in the state.
import type { OutputMap, Stack } from '@pulumi/pulumi/automation/index.js';
import type { DriverContext } from '../platform-driver.ts';
import { InstallError, InstallUsageError } from '../errors.ts';
import type { ResourceChange } from '../events.ts';
import { changeOf, isChange, resourceProgress } from '../pulumi/engine-events.ts';
import {
  exportedState,
  openInstallStack,
  reapEngineProcesses,
  removeStaleStackLocks,
  removeTornSidecars,
} from '../pulumi/install-stack.ts';
import { driverContextOf, type PhaseContext, type PhaseOutcome } from './phase.ts';

/** The stack of this directory, with what a killed run left behind cleared; reports what it cleared. */
export async function recoveredStack(
  context: Pick<PhaseContext, 'directory' | 'identity' | 'progress'>,
  program: Parameters<typeof openInstallStack>[2],
): Promise<Stack> {
  const reaped = await reapEngineProcesses(context.directory);
  if (reaped.length > 0) context.progress(`stopped ${reaped.length} engine process(es) an interrupted run left`);
  const locks = await removeStaleStackLocks(context.directory, context.identity);
  if (locks.length > 0) context.progress(`removed the stack lock an interrupted run left`);
  const torn = await removeTornSidecars(context.directory, context.identity);
  if (torn.length > 0)
    context.progress(
      `removed ${torn.length} state metadata file(s) an interrupted run left half written: ${torn.join(', ')}`,
    );
  const stack = await openInstallStack(context.directory, context.identity, program);
  const { pending } = await exportedState(stack);
  if (pending.length > 0) {
    context.progress(
      `resolving ${pending.length} operation(s) an interrupted run left pending: ${pending.map((operation) => `${operation.type} ${operation.resource.urn}`).join(', ')}`,
    );
    // A pending create may or may not exist: the refresh drops it from the state, and the update's
    // create then adopts what is really there (the daemon that runs the directory) or makes it.
    await stack.refresh({ clearPendingCreates: true });
    const after = await exportedState(stack);
    if (after.pending.length > 0) {
      throw new InstallError(
        `the stack still has ${after.pending.length} pending operation(s) after a refresh: ${after.pending.map((operation) => operation.resource.urn).join(', ')}`,
        { pending: after.pending },
      );
    }
  }
  return stack;
}

/** What an update would change, resource by resource, from the engine's preview. */
export async function previewChanges(stack: Stack, signal: AbortSignal): Promise<ResourceChange[]> {
  const changes: ResourceChange[] = [];
  await stack.preview({
    refresh: true,
    signal,
    onEvent: (event) => {
      const metadata = event.resourcePreEvent?.metadata;
      if (metadata === undefined) return;
      const change = changeOf(metadata);
      if (isChange(change)) changes.push(change);
    },
  });
  return changes;
}

export async function provision(context: PhaseContext): Promise<PhaseOutcome> {
  const driverContext: DriverContext = driverContextOf(context);
  const outcome = await update(context, driverContext);
  // Every run, changed or not: a rerun after a kill must finish what the platform does with what Pulumi made.
  await context.driver.afterProvision?.(driverContext);
  return outcome;
}

async function update(context: PhaseContext, driverContext: DriverContext): Promise<PhaseOutcome> {
  const { driver } = context;
  const stack = await recoveredStack(context, driver.program(driverContext));
  await driver.beforeUpdate?.(stack, driverContext);
  const existing = (await exportedState(stack)).resources.length > 0;
  context.progress('previewing the changes');
  const changes = await previewChanges(stack, context.signal);
  context.events.emit({ type: 'preview', changes });
  if (changes.length === 0) {
    context.progress('nothing to change');
    return { changed: false };
  }
  if (existing && context.configChanged && !(await context.confirm(changes))) {
    throw new InstallUsageError('the changes were not applied: the cluster keeps running as it was', {
      changes: changes.length,
    });
  }
  const reporter = resourceProgress(context.events, context.phase, changes.length);
  let outputs: OutputMap;
  try {
    ({ outputs } = await stack.up({ refresh: true, signal: context.signal, onEvent: reporter.onEvent }));
  } catch (error) {
    const failures = reporter.failures();
    throw new InstallError(
      failures.length > 0 ? `the update failed:\n${failures.join('\n')}` : `the update failed: ${firstLine(error)}`,
      { failures },
      { cause: error },
    );
  }
  if (driver.afterUpdate !== undefined) context.progress(driver.afterUpdate(outputs, driverContext));
  return { changed: true };
}

/** The lines of an engine failure that say what failed (the Automation API's message is the whole CLI output). */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const meaningful = text.split('\n').filter((line) => /error/i.test(line));
  return (meaningful.length > 0 ? meaningful.slice(-3) : text.split('\n').slice(0, 3)).join('\n').trim();
}
