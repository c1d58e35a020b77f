'use client';
import { useState, type FormEvent } from 'react';
import { mutate } from './mutate.ts';

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
    <form onSubmit={(event) => void submit(event)}>
      <label htmlFor="token">Bearer token</label>
      <input id="token" name="token" type="password" autoComplete="off" required />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      {error === undefined ? null : <p role="alert">{error}</p>}
    </form>
  );
}
