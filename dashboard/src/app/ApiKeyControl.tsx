import { WhoAmIResponseSchema } from '@renderwatch/schema';
import { useState } from 'react';
import { usePolledQuery } from '../api/usePolledQuery.js';

/** Lets the user enter the API key the collector asks for (stored in this browser only). */
export function ApiKeyControl({ apiKey, onApiKey }: { apiKey: string | undefined; onApiKey: (k: string) => void }) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(apiKey ?? '');
  const who = usePolledQuery(`whoami:${apiKey ?? ''}`, (c) => c.get('/api/v1/whoami', WhoAmIResponseSchema), { live: false });
  if (!open) {
    const me = who.data;
    const label =
      me === undefined
        ? apiKey === undefined
          ? 'API key: none'
          : 'API key: set'
        : me.auth === 'dev_mode'
          ? 'open API (no keys)'
          : `${me.role} · ${me.tenant}`;
    const refused = who.error !== undefined && (who.error.status === 401 || who.error.status === 403);
    return (
      <button
        type="button"
        onClick={() => setOpen(true)}
        data-testid="api-key-button"
        className={refused ? 'needs-key' : undefined}
        title={refused ? `${who.error?.code ?? ''}: enter an API key` : 'API key used for requests (Authorization: Bearer); click to change'}
      >
        {refused ? 'API key needed' : label}
      </button>
    );
  }
  return (
    <form
      className="control"
      onSubmit={(e) => {
        e.preventDefault();
        onApiKey(draft.trim());
        setOpen(false);
      }}
    >
      <label>
        <span className="sr-only">API key</span>
        <input
          type="password"
          autoComplete="off"
          value={draft}
          placeholder="paste API key"
          onChange={(e) => setDraft(e.target.value)}
          data-testid="api-key-input"
        />
      </label>
      <button type="submit">Save</button>
    </form>
  );
}
