// React and the app, loaded by main.tsx after it has started the page's chunk and data.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadDashboardConfig } from '../config.js';
import { App } from './App.js';

export function boot(root: HTMLElement): void {
  createRoot(root).render(
    <StrictMode>
      <App config={loadDashboardConfig()} />
    </StrictMode>,
  );
}
