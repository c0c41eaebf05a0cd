import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createApiClient, type ApiClient } from './client.js';

const ApiContext = createContext<ApiClient | undefined>(undefined);

export interface ApiProviderProps {
  baseUrl: string;
  apiKey: string | undefined;
  fetch?: typeof fetch;
  children: ReactNode;
}

/** Provides the API client; a new key builds a new client so every page refetches with it. */
export function ApiProvider({ baseUrl, apiKey, fetch, children }: ApiProviderProps) {
  const client = useMemo(() => createApiClient({ baseUrl, getKey: () => apiKey, ...(fetch === undefined ? {} : { fetch }) }), [baseUrl, apiKey, fetch]);
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApiClient(): ApiClient {
  const c = useContext(ApiContext);
  if (c === undefined) throw new Error('useApiClient outside <ApiProvider>');
  return c;
}
