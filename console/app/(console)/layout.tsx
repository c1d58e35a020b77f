// The signed-in console: the app shell (a top bar with who is signed in, a sidebar of pages), and the tab's one watch
// stream for every page below.
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { LogoutButton } from '../../src/client/logout-button.tsx';
import { Sidebar, SidebarNav, type SidebarItem } from '../../src/client/ui/sidebar.tsx';
import { WatchProvider } from '../../src/client/watch-provider.tsx';
import { currentSession, signInPath } from '../../src/server/request-session.ts';

const PAGES: readonly SidebarItem[] = [
  { href: '/overview', label: 'Overview' },
  { href: '/nodes', label: 'Nodes' },
  { href: '/workloads', label: 'Workloads' },
  { href: '/resources', label: 'Custom resources' },
  { href: '/updates', label: 'OS updates', except: ['/updates/server'] },
  { href: '/updates/server', label: 'Update server' },
  { href: '/etcd', label: 'etcd' },
];

export default async function ConsoleLayout({ children }: { readonly children: ReactNode }) {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  return (
    <>
      <header className="flex h-12 items-center gap-4 bg-slate-900 px-4 text-white">
        <strong className="text-base tracking-wide">Strata</strong>
        <span className="user ml-auto text-sm">Signed in as {session.user}</span>
        <LogoutButton />
      </header>
      <div className="flex flex-col md:flex-row">
        <Sidebar>
          <SidebarNav aria-label="Console" items={PAGES} />
        </Sidebar>
        <WatchProvider>
          <main className="min-w-0 flex-1 p-4">{children}</main>
        </WatchProvider>
      </div>
    </>
  );
}
