import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

/**
 * The browser's own <select>, styled like the inputs. Not Radix's Select: a native one is keyboard- and
 * screen-reader-complete on every platform, submits with its form, and is what Playwright's `selectOption` drives.
 */
export function NativeSelect({ className, ...props }: ComponentProps<'select'>) {
  return (
    <select
      data-slot="native-select"
      className={cn(
        'h-9 w-fit min-w-0 rounded-md border border-slate-400 bg-white px-2 text-sm text-slate-900 outline-none focus-visible:border-sky-700 focus-visible:ring-2 focus-visible:ring-sky-600/40 disabled:opacity-60',
        className,
      )}
      {...props}
    />
  );
}
