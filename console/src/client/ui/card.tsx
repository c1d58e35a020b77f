import { Slot } from 'radix-ui';
import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

/**
 * A card is a <section> by default: the console's cards are the page's parts, each with its heading. `asChild` lends
 * its look to the one child element instead, for a card that is another element (an update group is an <article>).
 */
export function Card({
  className,
  asChild = false,
  ...props
}: ComponentProps<'section'> & { readonly asChild?: boolean }) {
  const Component = asChild ? Slot.Root : 'section';
  return (
    <Component
      data-slot="card"
      className={cn(
        'my-4 flex min-w-0 flex-col gap-3 rounded-lg border border-slate-300 bg-white p-4 shadow-xs [&>h2]:m-0',
        className,
      )}
      {...props}
    />
  );
}

export function CardHeader({ className, ...props }: ComponentProps<'div'>) {
  return <div data-slot="card-header" className={cn('flex flex-wrap items-center gap-2', className)} {...props} />;
}

export function CardTitle({ className, ...props }: ComponentProps<'h2'>) {
  return <h2 data-slot="card-title" className={cn('text-lg font-semibold leading-tight', className)} {...props} />;
}

export function CardDescription({ className, ...props }: ComponentProps<'p'>) {
  return <p data-slot="card-description" className={cn('text-sm text-slate-600', className)} {...props} />;
}

export function CardContent({ className, ...props }: ComponentProps<'div'>) {
  return <div data-slot="card-content" className={cn('flex flex-col gap-2', className)} {...props} />;
}
