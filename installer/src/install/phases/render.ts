// Render: the cluster's assets into the directory, reusing every key an
// earlier render made (one CA for the cluster's whole life).
import { applyRenderPlan, planClusterRender } from '@strata/assets';
import type { PhaseContext, PhaseOutcome } from './phase.ts';

export async function render(context: PhaseContext): Promise<PhaseOutcome> {
  const plan = await planClusterRender({
    config: context.config,
    dir: context.directory.assetsDir,
    configPath: context.directory.configPath,
  });
  context.progress(
    `${plan.writes.length} file(s) to write, ${plan.unchanged.length} unchanged, ${plan.deletes.length} to remove`,
  );
  await applyRenderPlan(plan);
  return { changed: plan.writes.length > 0 || plan.deletes.length > 0 };
}
