import { describe, expect, it } from 'vitest';
import { mintToken } from '../../api/auth/mint-token';
import { useApiStack } from '../support/api-server';
import { openHeadlessBrowser } from '../support/headless-browser';

const ctx = useApiStack({ worker: false, relay: false });

describe('Swagger UI at /docs', () => {
  it('Authorize takes a minted customer token, and Try it out on GET /orders answers 200 with it', async () => {
    const token = await mintToken(ctx.api.deps.config, { sub: 'docs-customer' });
    const browser = await openHeadlessBrowser(ctx.api.baseUrl);
    try {
      const { page } = browser;
      const sent: (string | undefined)[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === '/orders') sent.push(request.headers().authorization);
      });
      await page.goto(`${ctx.api.baseUrl}/docs`);

      await page.locator('button.authorize').first().click();
      const scheme = page.locator('.modal-ux .auth-container', { hasText: 'customerToken' });
      await scheme.locator('input').fill(token);
      await scheme.locator('button.authorize').click();
      await page.locator('.modal-ux button.btn-done').first().click();

      const list = page.locator('.opblock.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/orders"]') });
      await list.locator('.opblock-summary').click();
      await list.locator('button.try-out__btn').click();
      await list.locator('button.execute').click();
      const status = list.locator('.live-responses-table tbody .response-col_status').first();
      await status.waitFor();
      expect((await status.textContent())?.trim()).toBe('200');
      expect(sent).toEqual([`Bearer ${token}`]);
    } finally {
      await browser.close();
    }
  });
});
