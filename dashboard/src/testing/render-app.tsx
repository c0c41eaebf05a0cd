// Renders the whole app (router, layout, page) at a URL with a stubbed collector.
import { render, type RenderResult } from '@testing-library/react';
import { App } from '../app/App.js';
import { createStubFetch, type StubFetch, type StubRoute } from './stub-fetch.js';

export interface RenderedApp extends RenderResult {
  stub: StubFetch;
}

export function renderApp(path: string, routes: Record<string, StubRoute>, opts: { refreshMs?: number } = {}): RenderedApp {
  window.history.replaceState(null, '', path);
  const stub = createStubFetch(routes);
  const r = render(<App config={{ apiBase: '', refreshMs: opts.refreshMs ?? 3_600_000 }} fetch={stub.fetch} />);
  return Object.assign(r, { stub });
}

/** The current URL's query as an object (for asserting URL state). */
export function currentQuery(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(window.location.search));
}
