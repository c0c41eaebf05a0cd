// Entry: kept tiny. It starts the opened page's chunk and API requests (app/start.ts), then loads
// React and the app (app/boot.tsx) — the collector works on the answers while the browser parses code.
import { startRoute } from './app/start.js';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
startRoute();
import('./app/boot.js')
  .then((m) => m.boot(root))
  .catch((err: unknown) => {
    // never a blank page: say what failed and how to retry
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.dataset['testid'] = 'error-state';
    p.textContent = `The dashboard's code did not load (${err instanceof Error ? err.message : String(err)}). Reload the page to try again.`;
    root.replaceChildren(p);
  });
