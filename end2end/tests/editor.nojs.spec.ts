import { test, expect } from '@playwright/test';

// JavaScript is off: the rule editor is a plain form. Its fields render with their values on
// the server, post as typed, and a refused save comes back with what was typed and why.
test('a rule is created, refused, fixed and chained with JavaScript disabled', async ({ page }) => {
  const name = `No-JS starter upsell ${Date.now()}`;
  await page.goto('/login');
  await page.getByLabel('Email').fill('merchant@demo.test');
  await page.getByLabel('Password').fill('demo-merchant-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/rules$/);

  await page.getByTestId('new-rule').click();
  const editor = page.getByTestId('rule-editor');
  await expect(editor).toBeVisible();
  await page.locator('#rule-name').fill(name);
  await page.locator('#rule-trigger').selectOption('pdt_StarterKitEu09');
  await page.locator('#rule-offer').selectOption('pdt_GrowthPlaybook10');
  await page.locator('#rule-headline').fill('Grow with the playbook');
  await page.locator('#rule-value-prop').fill('Worksheets for your first thousand customers.');
  // Too deep a discount, and conditions: orders of €100 or more billed in Germany or France.
  await page.locator('#rule-discount').fill('95');
  await page.getByTestId('targeting').locator('summary').click();
  await page.locator('#tg-min-EUR').fill('100');
  await page.locator('#tg-countries').fill('de, fr');
  await page.getByTestId('save-rule').click();

  // Refused by the server: the editor again, each field as typed, the message by the field.
  await expect(page).toHaveURL(/__err=/);
  await expect(page.locator('#rule-discount-error')).toContainText('between 0 and 90 percent');
  await expect(page.locator('#rule-name')).toHaveValue(name);
  await expect(page.locator('#rule-headline')).toHaveValue('Grow with the playbook');
  await expect(page.locator('#rule-value-prop')).toHaveValue('Worksheets for your first thousand customers.');
  await expect(page.locator('#rule-discount')).toHaveValue('95');
  await expect(page.locator('#tg-min-EUR')).toHaveValue('100.00');
  await expect(page.locator('#tg-countries')).toHaveValue('DE, FR');
  await expect(page.locator('#rule-offer')).toHaveValue('pdt_GrowthPlaybook10');

  await page.locator('#rule-discount').fill('20');
  await page.getByTestId('save-rule').click();
  await expect(page.getByRole('status').first()).toContainText('Rule saved');
  const row = page.getByTestId('rules-table').locator('tr', { hasText: name });
  await expect(row.getByTestId('rule-conditions')).toContainText('order ≥ €100.00 · DE, FR');
  await expect(row.getByTestId('rule-discount')).toHaveText('−20%');
  // Found by id from here on: its downsell's row names it too.
  const mine = page.locator(`tr[data-rule-id="${await row.getAttribute('data-rule-id')}"]`);

  // A downsell without JavaScript: the kind first; the server asks which rule it follows,
  // and the editor comes back with that choice.
  const downsell = `No-JS playbook downsell ${Date.now()}`;
  await page.getByTestId('new-rule').click();
  await page.locator('#rule-name').fill(downsell);
  await page.locator('#rule-kind').selectOption('downsell');
  await page.locator('#rule-offer').selectOption('pdt_BasisMonat11');
  await page.locator('#rule-headline').fill('A smaller step');
  await page.locator('#rule-value-prop').fill('Keep it simple.');
  await page.getByTestId('save-rule').click();
  await expect(page.locator('#rule-parent-error')).toContainText('choose which rule it follows');
  await expect(page.locator('#rule-kind')).toHaveValue('downsell');
  await page.locator('#rule-parent').selectOption({ label: name });
  await page.locator('#rule-offer').selectOption('pdt_StickerPackJp13');
  await page.getByTestId('save-rule').click();
  // A downsell must be cheaper and in the same currency: refused again, the choice kept.
  await expect(page.locator('#rule-offer-error')).not.toBeEmpty();
  await expect(page.locator('#rule-parent')).toHaveValue(/.+/);
  await page.locator('#rule-offer').selectOption('pdt_BasisMonat11');
  await page.getByTestId('save-rule').click();
  await expect(page.getByRole('status').first()).toContainText('Rule saved');
  await expect(page.getByTestId('rules-table').locator('tr', { hasText: downsell })).toBeVisible();

  // Editing renders every field's stored value on the server.
  await mine.getByRole('link', { name: 'Edit' }).click();
  await expect(page.locator('#rule-name')).toHaveValue(name);
  await expect(page.locator('#rule-discount')).toHaveValue('20');
  await expect(page.locator('#rule-enabled')).toBeChecked();
  await expect(page.locator('#tg-countries')).toHaveValue('DE, FR');

  // "Replay with this change" without JavaScript: the server replays the form as typed and
  // the editor comes back with it; nothing is saved.
  await page.locator('#rule-headline').fill('A headline only replayed');
  await page.getByTestId('replay-draft').click();
  const replayed = page.getByTestId('kept-replay');
  await expect(replayed.getByTestId('replay-result')).toBeVisible();
  await expect(replayed).toContainText('Nothing was saved');
  await expect(replayed.getByRole('rowheader', { name, exact: true })).toBeVisible();
  await expect(page.locator('#rule-headline')).toHaveValue('A headline only replayed');
  await page.getByTestId('rule-editor').getByRole('link', { name: 'Cancel' }).click();
  await mine.getByRole('link', { name: 'Edit' }).click();
  await expect(page.locator('#rule-headline')).toHaveValue('Grow with the playbook');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
});
