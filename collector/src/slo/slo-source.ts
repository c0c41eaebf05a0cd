// The SLO file as the evaluator sees it: re-read on every evaluation so edits apply without a
// restart; a file that fails validation is refused (logged with its line numbers) and the last
// good set stays in force.
import type { SloFile } from '@renderwatch/schema';
import type { Logger } from 'pino';
import { readSloFile } from './slo-file.js';

export interface SloSource {
  /** the current good set (empty until a file has parsed once) */
  current(): Promise<SloFile>;
  /** problems of the last refused read; empty when the last read was good */
  lastErrors(): readonly string[];
}

const EMPTY: SloFile = { version: 'renderwatch/v1', slos: [], alerts: [] };

export function createSloSource(path: string, log: Logger): SloSource {
  let good: SloFile = EMPTY;
  let errors: string[] = [];
  let lastRefused = '';
  return {
    async current() {
      const r = await readSloFile(path);
      if (r.ok) {
        if (errors.length > 0 || good === EMPTY) log.info({ path, slos: r.file.slos.length, alerts: r.file.alerts.length }, 'slo file loaded');
        good = r.file;
        errors = [];
        lastRefused = '';
        return good;
      }
      errors = r.errors;
      const key = r.errors.join('\n');
      // once per distinct problem, not once per evaluation
      if (key !== lastRefused) log.error({ path, errors: r.errors, keptSlos: good.slos.length }, 'slo file refused, keeping the last good set');
      lastRefused = key;
      return good;
    },
    lastErrors: () => errors,
  };
}
