import { Slot } from 'radix-ui';
import { cva, type VariantProps } from 'class-variance-authority';
import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

// The colours keep WCAG AA contrast on white (axe's colour-contrast rule runs in every browser test).
export const buttonVariants = cva(
  'inline-flex shrink-0 items-center justify-center gap-1.5 whitespace-nowrap rounded-md text-sm font-medium transition-colors outline-none focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-offset-1 disabled:pointer-events-none disabled:opacity-60 [&_svg]:size-4 [&_svg]:shrink-0',
  {
    variants: {
      variant: {
        default: 'bg-slate-900 text-white hover:bg-slate-700',
        destructive: 'bg-red-700 text-white hover:bg-red-800',
        outline: 'border border-slate-400 bg-white text-slate-900 hover:bg-slate-100',
        secondary: 'bg-slate-200 text-slate-900 hover:bg-slate-300',
        ghost: 'text-slate-900 hover:bg-slate-100',
        link: 'text-sky-800 underline-offset-4 hover:underline',
      },
      size: {
        default: 'h-9 px-4 py-2',
        sm: 'h-8 px-3',
        xs: 'h-7 px-2 text-xs',
        icon: 'size-9',
      },
    },
    defaultVariants: { variant: 'default', size: 'default' },
  },
);

export function Button({
  className,
  variant,
  size,
  asChild = false,
  type = 'button',
  ...props
}: ComponentProps<'button'> & VariantProps<typeof buttonVariants> & { readonly asChild?: boolean }) {
  const Component = asChild ? Slot.Root : 'button';
  return (
    <Component
      data-slot="button"
      type={asChild ? undefined : type}
      // cva's own classes do not conflict, so only a caller's class needs tailwind-merge: the Nodes table renders two or
      // three buttons in each row in view on every watch event.
      className={
        className === undefined ? buttonVariants({ variant, size }) : cn(buttonVariants({ variant, size }), className)
      }
      {...props}
    />
  );
}
