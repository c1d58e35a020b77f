'use client';
// Promotes a release on a channel: the form is checked with the update server's own schema before anything is sent,
// then the console forwards it as the user; the update server's refusal (403, 422 for a release that does not
// exist) is shown in its words. On success the server's answer is shown and the page is read again (the channel's
// row follows once the update server's cache has seen its own patch).
import { apiPromotionAnswerSchema } from '@strata/update-server/answers';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { issueLines } from '../../shared/etcd-forms.ts';
import { promoteFormSchema } from '../../shared/update-server-forms.ts';
import { mutate } from '../mutate.ts';

export function PromoteForm({ channel }: { readonly channel: string }) {
  const router = useRouter();
  const [problems, setProblems] = useState<readonly string[]>([]);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = promoteFormSchema.safeParse({ by: form.get('by'), value: form.get('value') });
    setDone(undefined);
    if (!parsed.success) {
      setProblems(issueLines(parsed.error));
      return;
    }
    setProblems([]);
    setBusy(true);
    const result = await mutate(
      'POST',
      `/api/update-server/channels/${encodeURIComponent(channel)}/promote`,
      parsed.data,
    );
    setBusy(false);
    if (!result.ok) {
      setProblems([result.error]);
      return;
    }
    const promoted = apiPromotionAnswerSchema.safeParse(result.body);
    setDone(
      promoted.success
        ? `Promoted ${promoted.data.version} (UpdateRelease ${promoted.data.release}) on ${promoted.data.channel}`
        : 'Promoted',
    );
    router.refresh();
  };

  return (
    <form
      className="inline-form"
      onSubmit={(event) => void submit(event)}
      aria-label={`Promote a release on ${channel}`}
      noValidate
    >
      <label>
        By{' '}
        <select name="by" defaultValue="version">
          <option value="version">version</option>
          <option value="release">UpdateRelease name</option>
        </select>
      </label>{' '}
      <label>
        Release <input name="value" autoComplete="off" placeholder="4230.2.4" size={16} />
      </label>{' '}
      <button type="submit" disabled={busy}>
        Promote
      </button>
      {problems.length === 0 ? null : (
        <ul role="alert" data-testid={`promote-errors-${channel}`}>
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      {done === undefined ? null : (
        <span role="status" data-testid={`promoted-${channel}`}>
          {done}
        </span>
      )}
    </form>
  );
}
