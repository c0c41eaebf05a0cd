// The API key the user entered (or passed once as ?key=…): kept in localStorage, never left in the URL.
const STORAGE_KEY = 'renderwatch.apiKey';

export interface KeyStore {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

/** Takes `key` out of the URL (if present) into the store; returns the key to use and the cleaned URL. */
export function takeKeyFromUrl(search: string, store: KeyStore): { key: string | undefined; search: string } {
  const params = new URLSearchParams(search);
  const fromUrl = params.get('key');
  if (fromUrl !== null) {
    params.delete('key');
    if (fromUrl === '') store.removeItem(STORAGE_KEY);
    else store.setItem(STORAGE_KEY, fromUrl);
  }
  const s = params.toString();
  const stored = store.getItem(STORAGE_KEY);
  return { key: stored === null || stored === '' ? undefined : stored, search: s === '' ? '' : `?${s}` };
}

/** The key takeKeyFromUrl will return for this URL, without touching the store or the URL. */
export function readKey(search: string, store: Pick<KeyStore, 'getItem'>): string | undefined {
  const fromUrl = new URLSearchParams(search).get('key');
  const k = fromUrl ?? store.getItem(STORAGE_KEY);
  return k === null || k === '' ? undefined : k;
}

export function saveKey(store: KeyStore, key: string): void {
  if (key === '') store.removeItem(STORAGE_KEY);
  else store.setItem(STORAGE_KEY, key);
}
