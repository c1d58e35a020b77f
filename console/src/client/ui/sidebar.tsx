'use client';
// The app shell's navigation: a sidebar of links, the current page marked with aria-current (and styled by it), as
// shadcn's sidebar does for a small app.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ComponentProps } from 'react';
import { cn } from './cn.ts';
import { isCurrent, type SidebarItem } from './nav.ts';

export type { SidebarItem } from './nav.ts';

export function Sidebar({ className, ...props }: ComponentProps<'aside'>) {
  return (
    <aside
      data-slot="sidebar"
      className={cn(
        'w-full shrink-0 border-slate-300 bg-white md:min-h-[calc(100vh-3rem)] md:w-52 md:border-r',
        className,
      )}
      {...props}
    />
  );
}

export function SidebarNav({
  items,
  className,
  ...props
}: ComponentProps<'nav'> & { readonly items: readonly SidebarItem[] }) {
  const pathname = usePathname();
  return (
    <nav data-slot="sidebar-nav" className={cn('p-2', className)} {...props}>
      <ul className="flex flex-wrap gap-1 md:flex-col">
        {items.map((item) => {
          const current = isCurrent(pathname, item);
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                data-slot="sidebar-link"
                aria-current={current ? 'page' : undefined}
                className="block rounded-md px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white"
              >
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
