import { useState } from 'react';

/** Lets the user enter the API key the collector asks for (stored in this browser only). */
export function ApiKeyControl({ apiKey, onApiKey }: { apiKey: string | undefined; onApiKey: (k: string) => void }) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(apiKey ?? '');
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} data-testid="api-key-button" title="API key used for requests (Authorization: Bearer)">
        {apiKey === undefined ? 'API key: none' : 'API key: set'}
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
        <input type="password" autoComplete="off" value={draft} placeholder="paste API key" onChange={(e) => setDraft(e.target.value)} data-testid="api-key-input" />
      </label>
      <button type="submit">Save</button>
    </form>
  );
}
