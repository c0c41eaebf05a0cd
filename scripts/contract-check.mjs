// Runs ../shared/checks/contract-check when the shared folder is beside the project; otherwise says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ensure-deps.mjs';

const check = join(ROOT, '..', 'shared', 'checks', 'contract-check');
if (!existsSync(check)) {
  process.stdout.write('contract-check: ../shared/checks/contract-check not found beside the project; nothing to check\n');
  process.exit(0);
}
const r = spawnSync('python3', [check], { stdio: 'inherit', cwd: ROOT });
process.exit(r.status ?? 1);
