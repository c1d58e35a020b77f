'use client';
// Pause or resume a group's grants (the update server sets spec.policy.enabled and records who in an Event), offered
// when a SelfSubjectAccessReview allows `patch updategroups` on it; the update server decides, and its refusal is
// shown. The button follows the server's answer at once (the page, read again, follows once the update server's
// cache has seen its own patch).
import { useRouter } from 'next/navigation';
import { apiPauseAnswerSchema } from '@strata/update-server/answers';
import { useState } from 'react';
import { mutate } from '../mutate.ts';
import { Button } from '../ui/button.tsx';

export function GroupPauseButton({ group, paused: shown }: { readonly group: string; readonly paused: boolean }) {
  const router = useRouter();
  // The server's answer stands until the page, read again, shows something else: the pages are live (ADR 0073), and
  // a resume made elsewhere after this pause must show.
  const [answered, setAnswered] = useState<{ readonly paused: boolean; readonly over: boolean } | undefined>(undefined);
  const paused = answered !== undefined && answered.over === shown ? answered.paused : shown;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const verb = paused ? 'Resume' : 'Pause';
  const act = async () => {
    setBusy(true);
    setError(undefined);
    const result = await mutate(
      'POST',
      `/api/update-server/groups/${encodeURIComponent(group)}/${paused ? 'resume' : 'pause'}`,
      {},
    );
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const answer = apiPauseAnswerSchema.safeParse(result.body);
    if (answer.success) setAnswered({ paused: answer.data.paused, over: shown });
    router.refresh();
  };
  return (
    <p className="flex flex-wrap items-center gap-2">
      <Button
        variant="outline"
        size="sm"
        disabled={busy}
        aria-label={`${verb} group ${group}`}
        onClick={() => void act()}
      >
        {verb}
      </Button>
      {error === undefined ? null : (
        <span role="alert" className="text-sm text-red-800">
          {error}
        </span>
      )}
    </p>
  );
}
