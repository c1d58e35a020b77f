'use client';
import { useState } from 'react';
import { z } from 'zod';
import { mutate } from './mutate.ts';
import { Button } from './ui/button.tsx';

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
      <Button variant="secondary" size="sm" onClick={() => void logout()}>
        Sign out
      </Button>
      {/* On the dark top bar: a light red that keeps its contrast there. */}
      {error === undefined ? null : (
        <span role="alert" className="text-sm text-red-200">
          {error}
        </span>
      )}
    </>
  );
}
