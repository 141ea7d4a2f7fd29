import { describe, expect, it } from 'vitest';
import { appSchemePrivileges, contentSecurityPolicy, createAppRequestHandler, resolveAppFile } from '../../../electron/app-protocol.js';

const root = '/opt/cabine/dist/renderer';
const files: Record<string, string> = {
  [`${root}/index.html`]: '<!doctype html>',
  [`${root}/assets/app.js`]: 'console.log(1)',
};
const handler = createAppRequestHandler({
  root,
  readFile: async (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
  },
});

describe('app scheme', () => {
  it('is standard and secure, so it has an origin and counts as a secure context', () => {
    expect(appSchemePrivileges.privileges.standard).toBe(true);
    expect(appSchemePrivileges.privileges.secure).toBe(true);
  });

  it('serves index.html for the root with the CSP header', async () => {
    const response = await handler(new Request('cabine://app/'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<!doctype html>');
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves assets with their type', async () => {
    const response = await handler(new Request('cabine://app/assets/app.js'));
    expect(response.headers.get('content-type')).toContain('text/javascript');
  });

  it('has a CSP without inline or eval script, plugins or framing', () => {
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).not.toContain('unsafe-inline');
    expect(contentSecurityPolicy).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy).toContain("object-src 'none'");
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'");
  });

  it.each([
    'cabine://app/../../etc/passwd',
    'cabine://app/%2e%2e/%2e%2e/etc/passwd',
    'cabine://app/..%2f..%2fetc/passwd',
    'cabine://app/assets%5c..%5c..%5csecret',
    'cabine://other/index.html',
    'https://app/index.html',
  ])('never serves anything outside the renderer folder for %s', async (url) => {
    const file = resolveAppFile(root, url);
    // Either refused outright, or (after URL dot-segment normalisation) a path that stays inside root.
    if (file !== null) expect(file.startsWith(`${root}/`)).toBe(true);
    const response = await handler(new Request(url));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
  });

  it('answers 404 for missing files and 405 for writes', async () => {
    expect((await handler(new Request('cabine://app/nope.js'))).status).toBe(404);
    expect((await handler(new Request('cabine://app/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});
