import { notFound } from 'next/navigation';
import { WorkloadTabs } from '../../../../src/client/workloads/workload-tabs.tsx';
import { WorkloadsTable } from '../../../../src/client/workloads/workloads-table.tsx';
import { WORKLOAD_INFO, workloadKindSchema } from '../../../../src/shared/workloads.ts';

export const dynamic = 'force-dynamic';

/** One Workloads kind, live; each row leads to the object's page (its actions and YAML). */
export default async function WorkloadKindPage({ params }: { readonly params: Promise<{ kind: string }> }) {
  const kind = workloadKindSchema.safeParse((await params).kind);
  if (!kind.success) notFound();
  return (
    <>
      <h1 id="workloads-heading">{WORKLOAD_INFO[kind.data].title}</h1>
      <WorkloadTabs current={kind.data} />
      <WorkloadsTable kind={kind.data} />
    </>
  );
}
