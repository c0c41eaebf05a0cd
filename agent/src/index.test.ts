import { describe, expect, it } from 'vitest';
import * as harness from './harness.js';
import * as api from './index.js';

// One composition root (issue 19): the package's main entry gives the pipeline factory, the config
// it takes and types; the harness entry gives tools that are not an agent. Neither lets a caller
// wire the loop, store, spool or sender by hand.
describe('@renderwatch/agent entries', () => {
  it('the main entry exports the pipeline factory and its config resolver only (types carry no runtime value)', () => {
    expect(Object.keys(api).sort()).toEqual(['createAgentPipeline', 'resolveAgentConfig']);
  });

  it('the harness entry has no piece of the pipeline itself', () => {
    const names = Object.keys(harness);
    for (const internal of ['createAgent', 'createAgentPipeline', 'createMemoryStore', 'createRetryingSender', 'openSpool', 'gpuToWire', 'eventToWire']) {
      expect(names).not.toContain(internal);
    }
    expect(names.sort()).toEqual([
      'AGENT_ERRORS',
      'AgentConfigSchema',
      'StartTracker',
      'buildLogSources',
      'classifyWindow',
      'clientCredentialsFromFiles',
      'createAgentMetrics',
      'createBatcher',
      'createComfyuiApiSource',
      'createExportClient',
      'createNvmlSampler',
      'parseLogText',
      'startMetricsServer',
    ]);
  });
});
