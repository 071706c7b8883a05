/**
 * One install at a time per server: while one runs, the server page's Install is disabled with the
 * reason, and a second submit forced from a tab opened earlier is refused with a clear message.
 */
import { expect, test } from './fixtures.ts';
import {
  confirmInstall,
  expectProgressScreen,
  fillForm,
  openConfiguration,
  openServerPage,
  routeDefaults,
  systemMenuButton,
} from './wizard.ts';
import type { FormValues } from './wizard.ts';

test('a second install while one runs is refused, in the menu and from a second tab', async ({
  operatorPage: firstTab,
  serverName,
  imageServer,
  kit,
  sim,
  route,
}) => {
  // 2 GiB through the image server's 1 MiB/s route: the install stays in its download step.
  const values: FormValues = {
    imageURL: `${imageServer.url}/slow/images/${kit.images['raw-2g-sparse'].file}`,
    imageType: 'raw',
    ...routeDefaults(route),
  };

  // The second tab opens the form before anything runs, as an operator would in parallel.
  const secondTab = await firstTab.context().newPage();
  await openConfiguration(secondTab, serverName);
  await fillForm(secondTab, values);

  await openConfiguration(firstTab, serverName);
  await fillForm(firstTab, values);
  await confirmInstall(firstTab, serverName);
  await expectProgressScreen(firstTab);
  await expect(firstTab.getByText('Installing: this page refreshes by itself.')).toBeVisible();

  // The forced second submit.
  await confirmInstall(secondTab, serverName);
  await expect(secondTab.getByText('The installation did not start.')).toBeVisible();
  await expect(
    secondTab.getByText(`An installation is already running on ${serverName}`, { exact: false }),
  ).toBeVisible();
  await expect(
    secondTab.getByRole('link', { name: 'Follow the running installation' }),
  ).toBeVisible();
  expect(await sim.installsFor(serverName)).toHaveLength(1);

  // The server page's menu: Install is disabled and says why.
  await openServerPage(firstTab, serverName);
  await expect(
    firstTab.getByText('Install is unavailable: An installation is already running.'),
  ).toBeVisible();
  await systemMenuButton(firstTab).click();
  const install = firstTab.getByRole('menuitem', { name: 'Install' });
  await expect(install).toBeDisabled();
  await expect(install).toHaveAccessibleDescription(/An installation is already running/);
  await expect(firstTab.getByRole('note')).toHaveText('An installation is already running');
  await secondTab.close();
});
