'use client';
import { useState } from 'react';
import { z } from 'zod';
import { mutate } from './mutate.ts';

/** An OpenID session's sign-out names the provider's end-session URL, where its own session ends too. */
const signedOutSchema = z.object({ endSession: z.url({ protocol: /^https$/ }) });

export function LogoutButton() {
  const [error, setError] = useState<string | undefined>(undefined);
  const logout = async () => {
    const result = await mutate('DELETE', '/api/session');
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const provider = signedOutSchema.safeParse(result.body);
    window.location.assign(provider.success ? provider.data.endSession : '/login');
  };
  return (
    <>
      <button type="button" onClick={() => void logout()}>
        Sign out
      </button>
      {error === undefined ? null : <span role="alert">{error}</span>}
    </>
  );
}
