import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDoc, errorsDoc, tuningDoc } from './generated-docs.js';

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs');
writeFileSync(join(DOCS, 'config.md'), configDoc());
writeFileSync(join(DOCS, 'errors.md'), errorsDoc());
writeFileSync(join(DOCS, 'tuning.md'), tuningDoc());
console.log('wrote docs/config.md, docs/tuning.md and docs/errors.md');
