'use client';
import { useState } from 'react';
import { mutate } from './mutate.ts';

export function LogoutButton() {
  const [error, setError] = useState<string | undefined>(undefined);
  const logout = async () => {
    const result = await mutate('DELETE', '/api/session');
    if (result.ok) window.location.assign('/login');
    else setError(result.error);
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
