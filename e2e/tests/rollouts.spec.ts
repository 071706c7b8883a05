/**
 * Fleet rollouts: an operator selects servers on the list, plans a rollout (image fields, waves),
 * reads the preflight matrix, types the confirmation and follows the live view to "done", each
 * server installed once; and a rollout aborted with its running installs cancelled, which a viewer
 * then reads without any control. Axe and the 420 px width on every new screen.
 */
import type { Page } from '@playwright/test';
import type { RolloutDetailDto } from '@byoi/shared';
import type { Finding } from './axe.ts';
import { seriousViolations } from './axe.ts';
import { expect, test } from './fixtures.ts';
import {
  countsShown,
  fillRolloutForm,
  planRollout,
  profilesShown,
  reinstallSelected,
  rolloutImageURL,
  ROLLOUT_IMAGE,
  searchServers,
  selectionBar,
  startRollout,
  tickServers,
  tiles,
  timeline,
} from './rollout.ts';
import { expectNoSidewaysScroll } from './wizard.ts';

/** Axe on the screen as it is, and no sideways scroll at 420 px; back to the default window. */
async function checkScreen(page: Page, screen: string, findings: Finding[]): Promise<void> {
  findings.push(...(await seriousViolations(page, screen)));
  await page.setViewportSize({ width: 420, height: 900 });
  await expectNoSidewaysScroll(page, `${screen} at 420 px`);
  await page.setViewportSize({ width: 1280, height: 720 });
}

const ZERO = {
  Pending: 0,
  Installing: 0,
  Done: 0,
  Failed: 0,
  Skipped: 0,
  Blocked: 0,
  Cancelled: 0,
};

test('select servers, plan, the matrix, a typed confirmation, the live view to done', async ({
  operatorPage: page,
  operator,
  rolloutServers,
  imageServer,
  kit,
  sim,
}) => {
  const findings: Finding[] = [];
  const fleet = await rolloutServers('ns410008');
  const chosen = fleet
    .filter((server) => server.bootMode === 'uefi')
    .slice(0, 3)
    .map((server) => server.name);
  expect(chosen).toHaveLength(3);
  // Counted before: a retry finds the first attempt's installs.
  const before = await Promise.all(
    chosen.map(async (name) => (await sim.installsFor(name)).length),
  );
  const name = `Debian on ${chosen.length} fleet servers (${operator.username})`;

  await searchServers(page, 'ns410008', fleet.length);
  await tickServers(page, chosen);
  await expect(selectionBar(page).getByRole('status')).toHaveText('3 servers selected');
  await reinstallSelected(page);
  await expect(page.getByRole('radio', { name: 'By name' })).toBeChecked();
  await expect(page.getByRole('textbox', { name: 'Server names' })).toHaveValue(chosen.join('\n'));
  await fillRolloutForm(page, {
    name,
    imageURL: rolloutImageURL(imageServer, kit),
    imageCheckSum: kit.images[ROLLOUT_IMAGE].sha256,
    canary: 1,
    batchSize: 2,
    maxInFlight: 2,
    skipBlocked: true,
  });
  await checkScreen(page, 'new rollout page', findings);

  const id = await planRollout(page, name);
  const profiles = await profilesShown(page);
  expect(profiles.length).toBeGreaterThan(0);
  expect(profiles.every((profile) => profile.verdict === 'OK')).toBe(true);
  expect(profiles.reduce((sum, profile) => sum + profile.servers, 0)).toBe(3);
  await expect(page.getByRole('list', { name: 'Image checks' })).toBeVisible();
  // Planning and the check install nothing.
  for (const [index, server] of chosen.entries()) {
    expect(await sim.installsFor(server)).toHaveLength(before[index] ?? 0);
  }
  await checkScreen(page, 'rollout page, ready', findings);

  await startRollout(page, name, 3);
  await expect
    .poll(() => countsShown(page), { timeout: 45_000 })
    .toEqual({ ...ZERO, Done: 3, Total: 3 });
  await expect(page.getByRole('progressbar', { name: 'Rollout progress' })).toHaveAttribute(
    'aria-valuenow',
    '100',
  );
  await expect(page.getByText('3 of 3 servers settled')).toBeVisible();
  await expect(tiles(page, 'Done')).toHaveCount(3);
  for (const server of chosen) {
    await expect(tiles(page, 'Done').filter({ hasText: server })).toHaveAccessibleName(/, done$/);
  }
  const events = timeline(page);
  await expect(events).toContainText('The rollout is done.');
  await expect(events).toContainText('The canaries are installed.');
  await expect(
    events.getByRole('listitem').filter({ hasText: 'The rollout was started.' }),
  ).toContainText(operator.username);
  await expect(events).toContainText('Checked: 3 of 3 servers can take the image.');
  for (const server of chosen) await expect(events).toContainText(`${server} is installed.`);
  // Ended: no control is left.
  await expect(page.getByRole('button', { name: /Abort|Pause|Start/ })).toHaveCount(0);
  await checkScreen(page, 'rollout page, done', findings);

  // The waves as planned: the canary alone and first, then a batch of two.
  const detail = (await (await page.request.get(`/api/rollouts/${id}`)).json()) as RolloutDetailDto;
  const waves = detail.servers.map((server) => server.wave).sort();
  expect(waves).toEqual([0, 1, 1]);
  const canary = detail.servers.find((server) => server.wave === 0);
  for (const server of detail.servers.filter((s) => s.wave !== 0)) {
    expect(Date.parse(server.startedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(canary?.endedAt ?? ''),
    );
  }
  for (const [index, server] of chosen.entries()) {
    expect(await sim.installsFor(server), server).toHaveLength((before[index] ?? 0) + 1);
  }
  // The servers left unticked were not touched.
  for (const server of fleet.filter((s) => !chosen.includes(s.name))) {
    expect(await sim.installsFor(server.name), server.name).toHaveLength(0);
  }

  await page
    .getByRole('navigation', { name: 'Breadcrumb' })
    .getByRole('link', { name: 'Rollouts' })
    .click();
  const row = page
    .getByRole('table', { name: 'Rollouts' })
    .getByRole('row')
    .filter({ hasText: name });
  await expect(row).toContainText('Done');
  await expect(row).toContainText('3/3 done');
  await checkScreen(page, 'rollouts list', findings);
  expect(findings).toEqual([]);
});

test('an abort that cancels the running installs; a viewer reads it without controls', async ({
  operatorPage: page,
  viewerPage,
  operator,
  rolloutServers,
  imageServer,
  kit,
  sim,
}) => {
  const findings: Finding[] = [];
  const fleet = await rolloutServers('ns410009');
  const legacy = fleet.filter((server) => server.bootMode === 'legacy').map((s) => s.name);
  const uefi = fleet.filter((server) => server.bootMode === 'uefi').map((s) => s.name);
  expect(legacy.length).toBeGreaterThan(0);
  expect(uefi.length).toBe(3);
  const before = await Promise.all(fleet.map(async (s) => (await sim.installsFor(s.name)).length));
  const name = `Aborted rollout (${operator.username})`;

  await searchServers(page, 'ns410009', fleet.length);
  await page.getByRole('button', { name: `Select all ${fleet.length} matching` }).click();
  await expect(selectionBar(page).getByRole('status')).toHaveText(
    `All ${fleet.length} servers matching “ns410009” selected`,
  );
  await reinstallSelected(page);
  await expect(page.getByRole('radio', { name: 'By search and datacenter' })).toBeChecked();
  await expect(page.getByRole('searchbox', { name: 'Search servers' })).toHaveValue('ns410009');
  await expect(page.getByText(`${fleet.length} servers matching “ns410009”.`)).toBeVisible();
  // The slow image route keeps each install in its download step until it is cancelled.
  await fillRolloutForm(page, {
    name,
    imageURL: rolloutImageURL(imageServer, kit, { slow: true }),
    canary: 0,
    batchSize: 3,
    maxInFlight: 2,
    skipBlocked: true,
  });
  const id = await planRollout(page, name);
  const blocked = (await profilesShown(page)).filter((profile) => profile.verdict === 'Blocked');
  expect(blocked.reduce((sum, profile) => sum + profile.servers, 0)).toBe(legacy.length);
  const blockedList = page.getByRole('list', { name: 'Blocked servers' });
  for (const server of legacy) await expect(blockedList).toContainText(server);

  await startRollout(page, name, uefi.length);
  await expect
    .poll(() => countsShown(page), { timeout: 20_000 })
    .toEqual({ ...ZERO, Installing: 2, Pending: 1, Blocked: legacy.length, Total: fleet.length });
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await checkScreen(page, 'rollout page, running', findings);

  await page.getByRole('button', { name: 'Abort' }).click();
  const dialog = page.getByRole('dialog', { name: `Abort ${name}?` });
  await expect(dialog).toContainText('2 installs are running at OVH');
  await expect(dialog.getByRole('button', { name: 'Keep the rollout' })).toBeFocused();
  await dialog.getByRole('checkbox', { name: /Also cancel the installs running at OVH/ }).check();
  await dialog.getByRole('button', { name: 'Abort the rollout' }).click();
  await expect(dialog).toBeHidden();
  await expect
    .poll(() => countsShown(page), { timeout: 20_000 })
    .toEqual({ ...ZERO, Cancelled: 2, Skipped: 1, Blocked: legacy.length, Total: fleet.length });
  await expect(tiles(page, 'Cancelled')).toHaveCount(2);
  await expect(tiles(page, 'Skipped')).toHaveCount(1);
  await expect(timeline(page)).toContainText(
    'The rollout was aborted; the installs running at OVH are being cancelled.',
  );
  await expect(page.getByRole('button', { name: /Abort|Pause|Resume|Start/ })).toHaveCount(0);

  // Only the two that were running reached OVH; the skipped and the blocked never did.
  const detail = (await (await page.request.get(`/api/rollouts/${id}`)).json()) as RolloutDetailDto;
  expect(detail.state).toBe('aborted');
  for (const [index, server] of fleet.entries()) {
    const state = detail.servers.find((s) => s.name === server.name)?.state;
    const sent = state === 'cancelled' ? 1 : 0;
    expect(await sim.installsFor(server.name), server.name).toHaveLength(
      (before[index] ?? 0) + sent,
    );
  }

  await viewerPage.goto(`/rollouts/${encodeURIComponent(id)}`);
  await expect(viewerPage.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(viewerPage.getByLabel('Servers by state')).toBeVisible();
  await expect(tiles(viewerPage, 'Cancelled')).toHaveCount(2);
  await expect(viewerPage.getByRole('button', { name: /Abort|Pause|Resume|Start/ })).toHaveCount(0);
  await viewerPage.goto('/rollouts');
  await expect(
    viewerPage.getByRole('table', { name: 'Rollouts' }).getByRole('row').filter({ hasText: name }),
  ).toContainText('Aborted');
  await expect(viewerPage.getByRole('link', { name: 'New rollout' })).toHaveCount(0);
  expect(findings).toEqual([]);
});
