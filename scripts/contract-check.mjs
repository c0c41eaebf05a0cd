// Runs ../shared/checks/contract-check: the shape of the agent's inspection commands
// (parse-nvidia-smi, parse-log) over the shared fixtures, as the design's "Contracts" promise them.
// The check lives beside the project, not in it; when it is missing this step FAILS (it never passes
// without checking). `node scripts/test.mjs --skip-contract` skips it on purpose, and the summary
// counts it as skipped (CONTRIBUTING.md, "Checks").
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ensure-deps.mjs';

const check = join(ROOT, '..', 'shared', 'checks', 'contract-check');
if (!existsSync(check)) {
  process.stdout.write(
    `contract-check: FAILED: ${check} not found. It checks the agent's parse-nvidia-smi and parse-log output against the shared fixtures; ` +
      'put the shared folder beside the project, or skip the step on purpose with `node scripts/test.mjs --skip-contract`.\n',
  );
  process.exit(1);
}
const r = spawnSync('python3', [check], { stdio: 'inherit', cwd: ROOT });
process.exit(r.status ?? 1);
