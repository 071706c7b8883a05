/** axe-core on every wizard step and the progress screen: no serious or critical violation. */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import {
  confirmInstall,
  expectInstallDone,
  fillForm,
  openInstallDialog,
  openServerPage,
  routeDefaults,
} from './wizard.ts';

interface Finding {
  step: string;
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** Runs axe on the page as it is and returns its serious and critical violations. */
async function seriousViolations(page: Page, step: string, scope?: string): Promise<Finding[]> {
  const builder = new AxeBuilder({ page });
  const results = await (scope ? builder.include(scope) : builder).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      step,
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
}

test('every wizard step and the progress screen pass axe', async ({
  operatorPage: page,
  serverName,
  imageServer,
  kit,
  route,
}) => {
  const findings: Finding[] = [];
  const expectNoSeriousViolations = async (p: Page, step: string, scope?: string) => {
    findings.push(...(await seriousViolations(p, step, scope)));
  };
  await openServerPage(page, serverName);
  // Steps 1 and 2 are the dialog: it is what the person interacts with (the page behind is inert).
  await openInstallDialog(page);
  await expectNoSeriousViolations(page, 'step 1: source', '[role="dialog"]');

  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByRole('button', { name: 'Custom' }).click();
  await dialog.getByRole('radio', { name: 'Bring Your Own Image - byoi' }).check();
  await expectNoSeriousViolations(page, 'step 2: template', '[role="dialog"]');

  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('textbox', { name: 'Image URL' })).toBeVisible();
  await expectNoSeriousViolations(page, 'step 3: configuration');

  await fillForm(page, {
    imageURL: `${imageServer.url}/images/${kit.images['raw-gpt'].file}`,
    imageType: 'raw',
    imageCheckSum: kit.images['raw-gpt'].sha256,
    httpHeaders: [{ name: 'X-Download-Token', value: 'e2e-token' }],
    ...routeDefaults(route),
  });
  await page.getByRole('button', { name: 'Check image' }).click();
  await expect(page.getByRole('list', { name: 'Image checks' })).toBeVisible();
  await expectNoSeriousViolations(page, 'step 3: configuration, filled and checked');

  await confirmInstall(page, serverName);
  await expectInstallDone(page);
  await expectNoSeriousViolations(page, 'progress screen (done)');
  // Every step is checked before failing, so one run lists all of them.
  expect(findings).toEqual([]);
  await expect(page.getByText('Installation complete').first()).toBeVisible();
});
