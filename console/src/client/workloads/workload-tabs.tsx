// The Workloads pages' navigation between kinds: links styled as shadcn's tabs. Links rather than Radix Tabs,
// because each kind is its own page (its own URL, its own watch subscription), not a panel of this one.
import Link from 'next/link';
import { WORKLOAD_INFO, WORKLOAD_KINDS, type WorkloadKind } from '../../shared/workloads.ts';

export function WorkloadTabs({ current }: { readonly current: WorkloadKind }) {
  return (
    <nav
      aria-label="Workloads"
      data-slot="tabs-list"
      className="mb-3 inline-flex flex-wrap gap-1 rounded-lg bg-slate-200 p-1"
    >
      {WORKLOAD_KINDS.map((kind) => (
        <Link
          key={kind}
          href={`/workloads/${kind}`}
          data-slot="tabs-trigger"
          aria-current={kind === current ? 'page' : undefined}
          className="rounded-md px-3 py-1 text-sm font-medium text-slate-800 hover:bg-white/60 aria-[current=page]:bg-white aria-[current=page]:text-slate-900 aria-[current=page]:shadow-sm"
        >
          {WORKLOAD_INFO[kind].title}
        </Link>
      ))}
    </nav>
  );
}
