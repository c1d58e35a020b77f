// Which sidebar item is the current page: plain logic, apart from the component so that it is tested on its own.

export interface SidebarItem {
  readonly href: string;
  readonly label: string;
  /** Longer paths under `href` that belong to another item (the update server under OS updates). */
  readonly except?: readonly string[];
}

/** Whether `pathname` is `href` or a page below it, and not one of another item's. */
export function isCurrent(pathname: string, item: SidebarItem): boolean {
  const under = pathname === item.href || pathname.startsWith(`${item.href}/`);
  return under && !(item.except ?? []).some((other) => pathname === other || pathname.startsWith(`${other}/`));
}
