import { cva, type VariantProps } from 'class-variance-authority';
import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

const alertVariants = cva('relative w-full rounded-md border px-3 py-2 text-sm', {
  variants: {
    variant: {
      default: 'border-slate-300 bg-white text-slate-900',
      destructive: 'border-red-300 bg-red-50 text-red-900',
      success: 'border-green-300 bg-green-50 text-green-900',
    },
  },
  defaultVariants: { variant: 'default' },
});

/**
 * A notice or an error box. Its role is the caller's: `role="alert"` for a refusal the user must hear (the tests
 * find errors by it), `role="status"` or none for a notice.
 */
export function Alert({ className, variant, ...props }: ComponentProps<'div'> & VariantProps<typeof alertVariants>) {
  return <div data-slot="alert" className={cn(alertVariants({ variant }), className)} {...props} />;
}

export function AlertTitle({ className, ...props }: ComponentProps<'div'>) {
  return <div data-slot="alert-title" className={cn('font-medium', className)} {...props} />;
}

export function AlertDescription({ className, ...props }: ComponentProps<'div'>) {
  return <div data-slot="alert-description" className={cn('text-sm', className)} {...props} />;
}
