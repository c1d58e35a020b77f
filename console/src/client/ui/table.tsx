import type { ComponentProps } from 'react';
import { cn } from './cn.ts';

/** A table in its own scrolling frame; VirtualTable passes its scroller's ref and height instead (`Table` alone). */
export function TableContainer({ className, ...props }: ComponentProps<'div'>) {
  return (
    <div
      data-slot="table-container"
      className={cn('relative w-full overflow-auto rounded-md border border-slate-300', className)}
      {...props}
    />
  );
}

export function Table({ className, ...props }: ComponentProps<'table'>) {
  return (
    <table data-slot="table" className={cn('w-full caption-bottom border-collapse text-sm', className)} {...props} />
  );
}

export function TableHeader({ className, ...props }: ComponentProps<'thead'>) {
  return <thead data-slot="table-header" className={cn('[&_tr]:border-b', className)} {...props} />;
}

export function TableBody({ className, ...props }: ComponentProps<'tbody'>) {
  return <tbody data-slot="table-body" className={cn('[&_tr:last-child]:border-0', className)} {...props} />;
}

export function TableRow({ className, ...props }: ComponentProps<'tr'>) {
  return (
    <tr data-slot="table-row" className={cn('border-b border-slate-200 hover:bg-slate-50', className)} {...props} />
  );
}

/** Header cells stick to the top of the scrolling frame, so a long list keeps its column names in view. */
export function TableHead({ className, scope = 'col', ...props }: ComponentProps<'th'>) {
  return (
    <th
      data-slot="table-head"
      scope={scope}
      className={cn(
        'sticky top-0 z-10 h-9 bg-slate-100 px-3 text-left align-middle font-semibold whitespace-nowrap text-slate-900',
        className,
      )}
      {...props}
    />
  );
}

/** A row's own header cell (`scope="row"`): in the body, so neither sticky nor shaded like the column headers. */
export function TableRowHead({ className, ...props }: ComponentProps<'th'>) {
  return (
    <th
      data-slot="table-row-head"
      scope="row"
      className={cn('px-3 py-1.5 text-left align-middle font-medium whitespace-nowrap', className)}
      {...props}
    />
  );
}

export function TableCell({ className, ...props }: ComponentProps<'td'>) {
  return (
    <td data-slot="table-cell" className={cn('px-3 py-1.5 align-middle whitespace-nowrap', className)} {...props} />
  );
}

export function TableCaption({ className, ...props }: ComponentProps<'caption'>) {
  return (
    <caption data-slot="table-caption" className={cn('mt-2 text-left text-sm text-slate-600', className)} {...props} />
  );
}
