import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

/** Term and value side by side (an object's summary): a <dl> in two grid columns, the terms muted. */
export function DescriptionList({ className, ...props }: ComponentProps<'dl'>) {
  return (
    <dl
      data-slot="description-list"
      className={cn(
        'grid grid-cols-[max-content_auto] gap-x-6 gap-y-1 text-sm [&>dd]:m-0 [&>dt]:font-medium [&>dt]:text-slate-700',
        className,
      )}
      {...props}
    />
  );
}
