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
import { Button } from '../ui/button.tsx';
import { Input } from '../ui/input.tsx';
import { Label } from '../ui/label.tsx';
import { NativeSelect } from '../ui/native-select.tsx';

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
      // One line in its table cell, not the page forms' one-field-a-line grid.
      className="flex max-w-none flex-wrap items-center gap-2"
      onSubmit={(event) => void submit(event)}
      aria-label={`Promote a release on ${channel}`}
      noValidate
    >
      <Label>
        By
        <NativeSelect name="by" defaultValue="version">
          <option value="version">version</option>
          <option value="release">UpdateRelease name</option>
        </NativeSelect>
      </Label>
      <Label>
        Release
        <Input name="value" autoComplete="off" placeholder="4230.2.4" className="w-40" />
      </Label>
      <Button type="submit" size="sm" disabled={busy}>
        Promote
      </Button>
      {problems.length === 0 ? null : (
        <ul role="alert" data-testid={`promote-errors-${channel}`} className="basis-full text-sm whitespace-normal">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      {done === undefined ? null : (
        <span
          role="status"
          data-testid={`promoted-${channel}`}
          className="basis-full text-sm whitespace-normal text-green-900"
        >
          {done}
        </span>
      )}
    </form>
  );
}
