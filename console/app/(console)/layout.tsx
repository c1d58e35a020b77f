// The signed-in console: navigation, who is signed in, and the tab's one watch stream for every page below.
import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { LogoutButton } from '../../src/client/logout-button.tsx';
import { WatchProvider } from '../../src/client/watch-provider.tsx';
import { currentSession, signInPath } from '../../src/server/request-session.ts';

export default async function ConsoleLayout({ children }: { readonly children: ReactNode }) {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  return (
    <>
      <header>
        <strong>Strata</strong>
        <nav aria-label="Console">
          <Link href="/overview">Overview</Link> <Link href="/nodes">Nodes</Link>{' '}
          <Link href="/workloads">Workloads</Link> <Link href="/resources">Custom resources</Link>{' '}
          <Link href="/updates">OS updates</Link> <Link href="/updates/server">Update server</Link>{' '}
          <Link href="/etcd">etcd</Link>
        </nav>
        <span className="user">Signed in as {session.user}</span>
        <LogoutButton />
      </header>
      <WatchProvider>
        <main>{children}</main>
      </WatchProvider>
    </>
  );
}
