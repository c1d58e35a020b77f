// The Workloads pages' navigation between kinds.
import Link from 'next/link';
import { WORKLOAD_INFO, WORKLOAD_KINDS, type WorkloadKind } from '../../shared/workloads.ts';

export function WorkloadTabs({ current }: { readonly current: WorkloadKind }) {
  return (
    <nav aria-label="Workloads">
      {WORKLOAD_KINDS.map((kind) => (
        <span key={kind}>
          <Link href={`/workloads/${kind}`} aria-current={kind === current ? 'page' : undefined}>
            {WORKLOAD_INFO[kind].title}
          </Link>{' '}
        </span>
      ))}
    </nav>
  );
}
