import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

export function Textarea({ className, ...props }: ComponentProps<'textarea'>) {
  return (
    <textarea
      data-slot="textarea"
      className={cn(
        'min-h-16 w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900 outline-none focus-visible:border-sky-700 focus-visible:ring-2 focus-visible:ring-sky-600/40 disabled:opacity-60',
        className,
      )}
      {...props}
    />
  );
}
