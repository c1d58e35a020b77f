'use client';
// Keeps an update server page live (issue 16, ADR 0073): it follows the update server's change feed on the tab's one
// stream, and when something the page shows changed (its group, its machine, any group or channel on the overview)
// the page is read again in place (router.refresh: the server components re-render with the user's token, the
// browser keeps the page, its scroll and its forms). A resync re-reads at once. Re-reads are spaced by at least
// REFRESH_GAP_MS: a rollout's burst of changes is one re-read, and one more for what came during it.
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { EventOf } from '../../shared/watch-protocol.ts';
import { useWatchHub } from '../watch-provider.tsx';

const REFRESH_GAP_MS = 1000;

/**
 * What the page shows: every group and channel, one group and its machines, or one machine. `stale`: the page could
 * not be read (the update server unreachable, restarting, the machine not yet known), so it is read again as soon as
 * the feed opens, as well as on the changes.
 */
export type LiveScope = (
  | { readonly page: 'overview' }
  | { readonly page: 'group'; readonly group: string }
  | { readonly page: 'machine'; readonly machine: string }
) & { readonly stale?: boolean };

function concerns(scope: LiveScope, event: EventOf<'updateserver'>): boolean {
  if (event.type === 'resync') return true;
  if (event.type === 'ready') return scope.stale === true;
  if (event.type !== 'change') return false;
  if (scope.page === 'overview') return event.groups.length > 0 || event.channels.length > 0;
  if (scope.page === 'group') return event.groups.includes(scope.group) || event.machines === null;
  return event.machines === null || event.machines.includes(scope.machine);
}

export function UpdateServerLive({ scope }: { readonly scope: LiveScope }) {
  const hub = useWatchHub();
  const router = useRouter();
  // Connecting until the feed says it is open: until then a change would not show.
  const [state, setState] = useState<{ readonly live: boolean; readonly error?: string }>({ live: false });
  // The scope's parts, so that the effect depends on values and not on an object made anew at each render.
  const { page, stale = false } = scope;
  const name = scope.page === 'group' ? scope.group : scope.page === 'machine' ? scope.machine : '';
  useEffect(() => {
    const shown: LiveScope =
      page === 'group'
        ? { page, group: name, stale }
        : page === 'machine'
          ? { page, machine: name, stale }
          : { page: 'overview', stale };
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      timer = undefined;
      last = Date.now();
      router.refresh();
    };
    const unsubscribe = hub.subscribe('updateserver', (event) => {
      if (event.type === 'error') {
        setState({ live: false, error: event.message });
        return;
      }
      setState({ live: true });
      if (!concerns(shown, event) || timer !== undefined) return;
      timer = setTimeout(refresh, Math.max(0, last + REFRESH_GAP_MS - Date.now()));
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [hub, router, page, name, stale]);
  if (state.error !== undefined)
    return (
      <p role="alert" className="live-state" data-testid="update-server-live" data-state="error">
        Not live: {state.error}. The page may be out of date; it is read again when the feed is back.
      </p>
    );
  return (
    <p className="live-state" data-testid="update-server-live" data-state={state.live ? 'live' : 'connecting'}>
      {state.live
        ? 'Live: changes show as the update server reports them.'
        : 'Connecting to the update server’s change feed…'}
    </p>
  );
}
