import { test, expect } from '@playwright/test';
import { signIn, hydrated, markPage, expectSamePage } from './helpers';

test('merchant creates, validates, edits, persists and deletes a rule', async ({ page }) => {
  const name = `E2E icons to emails ${Date.now()}`;
  await signIn(page, 'merchant');
  await expect(page).toHaveURL(/\/rules$/);
  await expect(page.getByTestId('rules-table')).toBeVisible();

  // The editor is the screen's island: it opens on its own page state (`?new`), hydrates,
  // and from then on validates and previews in the browser, without a navigation.
  await page.getByTestId('new-rule').click();
  const editor = page.getByTestId('rule-editor');
  await expect(editor).toBeVisible();
  await hydrated(page);
  await markPage(page);
  await expect(page.locator('#rule-name')).toBeFocused();
  await page.locator('#rule-name').fill(name);

  // Product pickers: search narrows the list, then pick.
  await page.locator('#rule-trigger-search').fill('icon');
  await page.locator('#rule-trigger').selectOption('pdt_IconSet04');
  // A bad rule: the same product offered as bought.
  await page.locator('#rule-offer-search').fill('icon');
  await page.locator('#rule-offer').selectOption('pdt_IconSet04');
  await expect(page.locator('#rule-offer-error')).toContainText('different product');
  await expect(page.locator('#rule-offer')).toHaveAttribute('aria-invalid', 'true');

  await page.locator('#rule-offer-search').fill('email');
  await page.locator('#rule-offer').selectOption('pdt_EmailBundle03');
  await expect(page.locator('#rule-offer-error')).toBeEmpty();
  await page.locator('#rule-headline').fill('Add forty email templates');
  await page.locator('#rule-value-prop').fill('Launch emails that match your new icons.');
  await page.locator('#rule-badge').fill('New');

  // The live preview shows the copy and the price difference ($19 vs $9).
  const preview = page.getByTestId('offer-preview');
  await expect(preview).toContainText('Add forty email templates');
  await expect(page.getByTestId('price-diff')).toContainText('$10.00 more than');
  // With a discount the comparison uses what the customer would pay, as the offer page does: $15.20 − $9.00.
  await page.locator('#rule-discount').fill('20');
  await expect(page.getByTestId('price-diff')).toContainText('$6.20 more than');
  await page.locator('#rule-discount').fill('0');
  await expect(page.getByTestId('price-diff')).toContainText('$10.00 more than');
  await expectSamePage(page);

  // Saving goes through the server function, then loads the list, which says so.
  await page.getByTestId('save-rule').click();
  await expect(page.getByRole('status')).toContainText('Rule saved');
  const row = page.getByTestId('rules-table').locator('tr', { hasText: name });
  await expect(row).toBeVisible();

  // Edit it.
  await row.getByRole('link', { name: 'Edit' }).click();
  await hydrated(page);
  await page.locator('#rule-headline').fill('Forty launch emails, ready to send');
  await page.getByTestId('save-rule').click();
  await expect(page.getByRole('status')).toContainText('Rule saved');

  // Reload: it persisted, with the edit.
  await page.reload();
  await hydrated(page);
  const saved = page.getByTestId('rules-table').locator('tr', { hasText: name });
  await expect(saved).toBeVisible();
  await saved.getByRole('link', { name: 'Edit' }).click();
  await expect(page.locator('#rule-headline')).toHaveValue('Forty launch emails, ready to send');
  await page.getByTestId('rule-editor').getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByTestId('rule-editor')).toHaveCount(0);

  // Delete with confirmation.
  await saved.getByRole('link', { name: 'Delete' }).click();
  await expect(saved).toContainText('cannot be undone');
  await saved.getByTestId('confirm-delete').click();
  await expect(page.getByRole('status')).toContainText('Rule deleted');
  await expect(page.getByTestId('rules-table').locator('tr', { hasText: name })).toHaveCount(0);
  await expect(page.getByTestId('audit-log')).toContainText(`deleted “${name}”`);
});

test('a save refused as a conflict keeps what was typed', async ({ page }) => {
  await signIn(page, 'merchant');
  await expect(page.getByTestId('rules-table')).toBeVisible();
  const first = page.locator('tbody tr').first();
  const id = await first.getAttribute('data-rule-id');
  await first.getByRole('link', { name: 'Edit' }).click();
  await hydrated(page);
  await page.locator('#rule-headline').fill('Typed while someone else saved');
  // Someone else saves the same rule meanwhile (the switch bumps its version).
  const rules = await (await page.request.post('/api/rules/page', { form: {} })).json();
  const rule = rules.rules.find((r: any) => r.id === id);
  const other = await page.request.post('/api/rules/enable', {
    data: { id, version: rule.version, enabled: !rule.enabled },
  });
  expect(other.status()).toBe(200);

  await page.getByTestId('save-rule').click();
  await expect(page.getByTestId('save-error')).toContainText(/changed since you opened it/i);
  await expect(page.locator('#rule-headline')).toHaveValue('Typed while someone else saved');
  await expect(page.getByTestId('save-error').getByRole('link', { name: 'Load the latest version' })).toBeVisible();
  // Put the switch back as it was.
  await page.request.post('/api/rules/enable', { data: { id, version: rule.version + 1, enabled: rule.enabled } });
});

test('the on/off switch is a plain form: it flips, says so, and persists', async ({ page }) => {
  await signIn(page, 'merchant');
  await expect(page.getByTestId('rules-table')).toBeVisible();
  const first = page.locator('tbody tr').first();
  const toggle = first.getByRole('switch');
  const before = await toggle.isChecked();
  await toggle.click();
  await expect(first.getByRole('switch')).toBeChecked({ checked: !before });
  await expect(page.getByRole('status')).toContainText(before ? /disabled/i : /enabled/i);
  await page.reload();
  await expect(page.locator('tbody tr').first().getByRole('switch')).toBeChecked({ checked: !before });
  await page.locator('tbody tr').first().getByRole('switch').click();
  await expect(page.locator('tbody tr').first().getByRole('switch')).toBeChecked({ checked: before });
});

test('the language switch translates at once and persists', async ({ page }) => {
  await signIn(page, 'merchant');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Upsell map');
  await hydrated(page);
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('追加销售规则');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('追加销售规则');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await hydrated(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Upsell map');
});

test('an analyst is refused editing', async ({ page }) => {
  await signIn(page, 'analyst');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'Upsell map' })).toHaveCount(0);
  await page.goto('/rules');
  await expect(page.getByTestId('rules-denied')).toContainText('Only merchant accounts');
  await expect(page.getByTestId('rules-table')).toHaveCount(0);
  await expect(page.getByTestId('new-rule')).toHaveCount(0);
});

test('an analyst is told users and settings are for merchants, with no form to send', async ({ page }) => {
  await signIn(page, 'analyst');
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/users');
  await expect(page.getByTestId('merchant-only')).toContainText('Only merchant accounts can manage users');
  await expect(page.locator('main form')).toHaveCount(0);
  await page.goto('/settings');
  await expect(page.getByTestId('merchant-only')).toContainText('API tokens');
  await expect(page.getByLabel('Token name')).toHaveCount(0);
  await expect(page.locator('main form')).toHaveCount(0);
});
