import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

/**
 * The browser's own checkbox, styled: Radix's Checkbox is a button with role="checkbox", which Playwright's
 * `check()` handles, but a native input keeps forms' FormData and the labels the tests find fields by.
 */
export function Checkbox({ className, ...props }: Omit<ComponentProps<'input'>, 'type'>) {
  return (
    <input
      data-slot="checkbox"
      type="checkbox"
      className={cn('size-4 shrink-0 accent-slate-900 disabled:opacity-60', className)}
      {...props}
    />
  );
}
