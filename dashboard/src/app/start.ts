// The entry's first work (main.tsx), before React, zod and the app are even downloaded: start the
// opened page's main API requests and its chunk, so neither waits for the other nor for the first
// render. Only when the build says the API is on this page's origin (vite.config.ts writes
// <meta name="renderwatch-api" content="same-origin"> when VITE_API_BASE is empty); otherwise the
// page asks for itself.
import { prefetch } from '../api/prefetch.js';
import { readKey } from '../lib/api-key.js';
import { preloadPath } from './page-chunks.js';
import { routeRequests } from './route-data.js';

export function startRoute(): void {
  const { pathname, search } = window.location;
  const sameOrigin = document.querySelector('meta[name="renderwatch-api"]')?.getAttribute('content') === 'same-origin';
  if (sameOrigin) {
    let key: string | undefined;
    try {
      key = readKey(search, window.localStorage);
    } catch {
      key = undefined; // no storage (privacy mode): then no key is stored either
    }
    for (const url of routeRequests('', pathname, search, Date.now())) prefetch(url, key);
  }
  preloadPath(pathname);
}
