import { describe, expect, it } from 'vitest';
import { AlertRuleSpecSchema, SloAlertSpecSchema } from './api/slos.js';
import { AlertSeveritySchema, normalizeVolumeRole, VolumeRoleInputSchema } from './vocabulary.js';

describe('shared vocabulary', () => {
  it('reads the legacy page/ticket severities as critical/warning and refuses unknown ones', () => {
    expect(AlertSeveritySchema.parse('page')).toBe('critical');
    expect(AlertSeveritySchema.parse('ticket')).toBe('warning');
    expect(AlertSeveritySchema.parse('info')).toBe('info');
    expect(AlertSeveritySchema.safeParse('sev1').success).toBe(false);
    expect(SloAlertSpecSchema.parse({ severity: 'page' }).severity).toBe('critical');
    expect(AlertRuleSpecSchema.parse({ name: 'x', kind: 'disk_fill' }).severity).toBe('critical');
  });

  it('maps the plural directory names to the volume role the agent sends', () => {
    expect(VolumeRoleInputSchema.parse('models')).toBe('model');
    expect(VolumeRoleInputSchema.parse('outputs')).toBe('output');
    expect(VolumeRoleInputSchema.parse('cache')).toBe('cache');
    expect(VolumeRoleInputSchema.safeParse('scratch').success).toBe(false);
    expect(AlertRuleSpecSchema.parse({ name: 'd', kind: 'disk_fill', volume_roles: ['models', 'outputs'] }).volume_roles).toEqual(['model', 'output']);
    expect(['model', 'outputs', 'scratch', ''].map(normalizeVolumeRole)).toEqual(['model', 'output', 'other', 'other']);
  });
});
