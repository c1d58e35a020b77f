import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

/** Text, number and password inputs; checkboxes are the browser's own (see checkbox.tsx). */
export function Input({ className, type = 'text', ...props }: ComponentProps<'input'>) {
  return (
    <input
      data-slot="input"
      type={type}
      className={cn(
        'h-9 w-full min-w-0 rounded-md border border-slate-400 bg-white px-3 py-1 text-sm text-slate-900 outline-none placeholder:text-slate-500 focus-visible:border-sky-700 focus-visible:ring-2 focus-visible:ring-sky-600/40 disabled:cursor-not-allowed disabled:opacity-60 aria-invalid:border-red-700',
        className,
      )}
      {...props}
    />
  );
}
