import { describe, expect, it } from 'vitest';
import { hrefKeeping, matchPath } from './router.js';

describe('router', () => {
  it.each([
    ['/hosts/:host', '/hosts/render-01', { host: 'render-01' }],
    ['/hosts/:host', '/hosts/gpu%20node', { host: 'gpu node' }],
    ['/hosts/:host', '/hosts/bad%E0%A4', { host: 'bad%E0%A4' }],
    ['/slos/:name', '/slos', undefined],
    ['/', '/', {}],
    ['/alerts', '/ooms', undefined],
  ])('matchPath(%s, %s)', (pattern, path, params) => expect(matchPath(pattern, path)).toEqual(params));

  it('keeps the time range and refresh across links, not page filters', () => {
    expect(hrefKeeping('?range=6h&refresh=off&gpu_model=L40S', '/ooms')).toBe('/ooms?range=6h&refresh=off');
    expect(hrefKeeping('?range=6h', '/hosts/a?gpu=1')).toBe('/hosts/a?gpu=1&range=6h');
    expect(hrefKeeping('?range=6h', '/hosts/a?range=1h')).toBe('/hosts/a?range=1h');
  });
});
