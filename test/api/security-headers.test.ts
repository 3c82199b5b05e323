import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useApiStack } from '../support/api-server';
import { openHeadlessBrowser } from '../support/headless-browser';

const ctx = useApiStack({ worker: false, relay: false });

const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
      .map(([name, ...values]) => [name, values]),
  );

describe('security headers', () => {
  it.each([
    ['a JSON answer', '/healthz', 200],
    ['an error', '/no/such/route', 404],
    ['a refused admin call', '/admin/outbox', 401],
    ['Swagger UI', '/docs', 200],
    ['its init script', '/docs/init.js', 200],
    ['the events page', '/asyncapi', 200],
    ['the events document', '/asyncapi.json', 200],
  ])('on %s', async (_what, path, status) => {
    const response = await fetch(`${ctx.api.baseUrl}${path}`);
    expect(response.status).toBe(status);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    await response.arrayBuffer();
  });

  it('/docs has no inline script, and renders in a browser under the policy without a violation', async () => {
    const html = await (await fetch(`${ctx.api.baseUrl}/docs`)).text();
    // Every <script> has a src: an inline one would be blocked by script-src 'self'.
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull();

    const browser = await openHeadlessBrowser(ctx.api.baseUrl);
    try {
      const { page } = browser;
      const violations = await collectCspViolations(page);
      await page.goto(`${ctx.api.baseUrl}/docs`);
      await page.locator('.opblock-summary-path', { hasText: '/orders/{id}/cancel' }).first().waitFor();
      // Expand one operation: Swagger UI renders its parameters and schemas, styled, without another violation.
      await page.locator('.opblock-summary', { hasText: '/orders/{id}/cancel' }).first().click();
      await page.locator('.opblock-body').first().waitFor();
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('/asyncapi, the events page, renders in a browser under the policy without a violation, styled', async () => {
    const browser = await openHeadlessBrowser(ctx.api.baseUrl);
    try {
      const { page } = browser;
      const violations = await collectCspViolations(page);
      await page.goto(`${ctx.api.baseUrl}/asyncapi`);
      await page.locator('h2', { hasText: 'order.needs-attention' }).waitFor();
      // The stylesheet from this server applied: tables collapse their borders.
      expect(await page.evaluate<string>("getComputedStyle(document.querySelector('table')).borderCollapse")).toBe('collapse');
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

/** The page's Content-Security-Policy violations, as the browser reports them (each blocked load or inline use). */
async function collectCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI));",
  });
  return violations;
}
