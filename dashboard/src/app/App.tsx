import { useCallback, useState } from 'react';
import { ApiProvider } from '../api/ApiProvider.js';
import { RefreshProvider } from '../api/RefreshProvider.js';
import type { DashboardConfig } from '../config.js';
import { saveKey, takeKeyFromUrl } from '../lib/api-key.js';
import { parseRefresh } from '../lib/refresh-interval.js';
import { Layout } from './Layout.js';
import { renderRoute } from './routes.js';
import { RouterProvider, useRouter } from './router.js';

export interface AppProps {
  config: DashboardConfig;
  /** Injected in tests; the browser's fetch otherwise. */
  fetch?: typeof fetch;
}

function Shell({ config, fetch, apiKey, onApiKey }: AppProps & { apiKey: string | undefined; onApiKey: (k: string) => void }) {
  const { location } = useRouter();
  const intervalMs = parseRefresh(new URLSearchParams(location.search).get('refresh'), config.refreshMs);
  return (
    <ApiProvider baseUrl={config.apiBase} apiKey={apiKey} fetch={fetch}>
      <RefreshProvider intervalMs={intervalMs}>
        <Layout apiKey={apiKey} onApiKey={onApiKey}>
          {renderRoute(location.path)}
        </Layout>
      </RefreshProvider>
    </ApiProvider>
  );
}

export function App(props: AppProps) {
  // Runs before the router reads the URL, so a ?key=… never lands in router state or history.
  const [apiKey, setApiKey] = useState<string | undefined>(() => {
    const { key, search } = takeKeyFromUrl(window.location.search, window.localStorage);
    if (search !== window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${search}`);
    return key;
  });
  const onApiKey = useCallback((k: string) => {
    saveKey(window.localStorage, k);
    setApiKey(k === '' ? undefined : k);
  }, []);
  return (
    <RouterProvider>
      <Shell {...props} apiKey={apiKey} onApiKey={onApiKey} />
    </RouterProvider>
  );
}
