'use client';
import { useState, type FormEvent } from 'react';
import { mutate } from './mutate.ts';
import { Alert } from './ui/alert.tsx';
import { Button } from './ui/button.tsx';
import { Input } from './ui/input.tsx';
import { Label } from './ui/label.tsx';

export function LoginForm() {
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const token = new FormData(event.currentTarget).get('token');
    setBusy(true);
    const result = await mutate('POST', '/api/session', { token: typeof token === 'string' ? token : '' });
    setBusy(false);
    if (result.ok) window.location.assign('/nodes');
    else setError(result.error);
  };
  return (
    <form data-slot="form" className="grid gap-3" onSubmit={(event) => void submit(event)}>
      <Label htmlFor="token">Bearer token</Label>
      <Input id="token" name="token" type="password" autoComplete="off" required />
      <Button type="submit" disabled={busy} className="justify-self-start">
        Sign in
      </Button>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
    </form>
  );
}
