'use client';
// Creates an EtcdCluster. The form's values are checked with the CRD's own zod schema before anything is sent; what
// it lets through, the API server may still refuse (a name taken, RBAC), and then its message is shown.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { createEtcdClusterSchema, issueLines } from '../../shared/etcd-forms.ts';
import { mutate } from '../mutate.ts';
import { Button } from '../ui/button.tsx';
import { Input } from '../ui/input.tsx';
import { Label } from '../ui/label.tsx';

const DEFAULT_VERSION = '3.6.16';

export function CreateEtcdClusterForm() {
  const router = useRouter();
  const [problems, setProblems] = useState<readonly string[]>([]);
  const [busy, setBusy] = useState(false);
  const [storage, setStorage] = useState<'emptyDir' | 'pvc'>('pvc');

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (field: string): string => {
      const value = form.get(field);
      return typeof value === 'string' ? value.trim() : '';
    };
    const size = text('size');
    const parsed = createEtcdClusterSchema.safeParse({
      namespace: text('namespace'),
      name: text('name'),
      spec: {
        // An empty field is no number: zod says so rather than taking it as 0.
        size: size === '' ? undefined : Number(size),
        version: text('version'),
        storage: storage === 'pvc' ? { pvc: { size: text('volumeSize') } } : { emptyDir: {} },
      },
    });
    if (!parsed.success) {
      setProblems(issueLines(parsed.error));
      return;
    }
    setProblems([]);
    setBusy(true);
    const result = await mutate('POST', '/api/etcd/clusters', parsed.data);
    setBusy(false);
    if (!result.ok) {
      setProblems([result.error]);
      return;
    }
    router.push(`/etcd/${parsed.data.namespace}/${parsed.data.name}`);
  };

  return (
    <details className="my-4 rounded-lg border border-slate-300 bg-white px-4 py-2">
      <summary>Create an etcd cluster</summary>
      <form onSubmit={(event) => void submit(event)} aria-label="Create an etcd cluster" noValidate>
        <Label>
          Namespace <Input name="namespace" required autoComplete="off" />
        </Label>
        <Label>
          Name <Input name="name" required autoComplete="off" />
        </Label>
        <Label>
          Size (members) <Input name="size" type="number" defaultValue={3} required />
        </Label>
        <Label>
          etcd version <Input name="version" defaultValue={DEFAULT_VERSION} required autoComplete="off" />
        </Label>
        <fieldset>
          <legend>Storage</legend>
          <Label>
            <input
              className="size-4 accent-slate-900"
              type="radio"
              name="storage"
              value="pvc"
              checked={storage === 'pvc'}
              onChange={() => setStorage('pvc')}
            />{' '}
            A volume claim per member
          </Label>
          <Label>
            <input
              className="size-4 accent-slate-900"
              type="radio"
              name="storage"
              value="emptyDir"
              checked={storage === 'emptyDir'}
              onChange={() => setStorage('emptyDir')}
            />{' '}
            emptyDir (data dies with the pod)
          </Label>
          {storage === 'pvc' ? (
            <Label>
              Volume size <Input name="volumeSize" defaultValue="8Gi" autoComplete="off" />
            </Label>
          ) : null}
        </fieldset>
        {problems.length === 0 ? null : (
          <ul role="alert" data-testid="create-errors">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        )}
        <Button type="submit" disabled={busy}>
          Create
        </Button>
      </form>
    </details>
  );
}
