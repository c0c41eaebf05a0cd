import { describe, expect, it } from 'vitest';
import { graph, SECRETS } from '../../test/support/comfyui-shapes.js';
import { jobKey, workflowFingerprint, workflowShape } from './fingerprint.js';

type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
const copy = (): Graph => structuredClone(graph()) as Graph;

describe('workflowFingerprint', () => {
  it('reads node types and links, never values', () => {
    const shape = workflowShape(graph()) ?? '';
    expect(shape).toBe(
      '3=KSampler(latent_image<-5:0,model<-4:0,negative<-7:0,positive<-6:0);4=CheckpointLoaderSimple();5=EmptyLatentImage();' +
        '6=CLIPTextEncode(clip<-4:1);7=CLIPTextEncode(clip<-4:1);8=VAEDecode(samples<-3:0,vae<-4:2);9=SaveImage(images<-8:0)',
    );
    for (const s of SECRETS) expect(shape).not.toContain(s);
    expect(workflowFingerprint(graph())).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is the same for another seed, prompt text and size, and differs for another node type or link', () => {
    const fp = workflowFingerprint(graph());
    const values = copy();
    (values['3'] as { inputs: Record<string, unknown> }).inputs['seed'] = 42;
    (values['6'] as { inputs: Record<string, unknown> }).inputs['text'] = 'another prompt';
    (values['5'] as { inputs: Record<string, unknown> }).inputs['width'] = 1024;
    expect(workflowFingerprint(values)).toBe(fp);

    const node = copy();
    (node['8'] as { class_type: string }).class_type = 'VAEDecodeTiled';
    expect(workflowFingerprint(node)).not.toBe(fp);

    const link = copy();
    (link['3'] as { inputs: Record<string, unknown> }).inputs['positive'] = ['7', 0]; // both conditionings from node 7
    expect(workflowFingerprint(link)).not.toBe(fp);
  });

  it('gives nothing for what is not a graph', () => {
    expect(workflowFingerprint(undefined)).toBeUndefined();
    expect(workflowFingerprint([])).toBeUndefined();
    expect(workflowFingerprint({})).toBeUndefined();
    expect(workflowFingerprint('text')).toBeUndefined();
  });
});

describe('jobKey', () => {
  it('is the same for the same graph in any key order, and differs for any value or another salt', () => {
    const a = jobKey(graph(), 'salt-1');
    const reordered = Object.fromEntries(Object.entries(graph()).reverse());
    expect(jobKey(reordered, 'salt-1')).toBe(a);
    const seed = copy();
    (seed['3'] as { inputs: Record<string, unknown> }).inputs['seed'] = 156680208700287;
    expect(jobKey(seed, 'salt-1')).not.toBe(a);
    expect(jobKey(graph(), 'salt-2')).not.toBe(a);
    expect(jobKey({}, 'salt-1')).toBeUndefined();
  });
});
