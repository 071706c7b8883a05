import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import type { RouteObject } from 'react-router';
import { Layout } from './Layout.tsx';
import { RouteError } from './RouteError.tsx';

// One chunk per screen: the first load only carries the shell and the screen it opens on.
const loadServersPage = () => import('../pages/servers/ServersPage.tsx');
const ServersPage = lazy(loadServersPage);
const ServerPage = lazy(() => import('../pages/server/ServerPage.tsx'));
const InstallDialog = lazy(() => import('../pages/server/InstallDialog.tsx'));
const ConfigurePage = lazy(() => import('../pages/configure/ConfigurePage.tsx'));
const ProgressPage = lazy(() => import('../pages/progress/ProgressPage.tsx'));
const NotFoundPage = lazy(() => import('../pages/not-found/NotFoundPage.tsx'));
const SignInPage = lazy(() => import('../pages/sign-in/SignInPage.tsx'));
const AuditPage = lazy(() => import('../pages/audit/AuditPage.tsx'));
const ImagesPage = lazy(() => import('../pages/images/ImagesPage.tsx'));
const NewImagePage = lazy(() => import('../pages/images/NewImagePage.tsx'));
const ImagePage = lazy(() => import('../pages/images/ImagePage.tsx'));
const RolloutsPage = lazy(() => import('../pages/rollouts/RolloutsPage.tsx'));
const NewRolloutPage = lazy(() => import('../pages/new-rollout/NewRolloutPage.tsx'));
const RolloutPage = lazy(() => import('../pages/rollout/RolloutPage.tsx'));
const WebhooksPage = lazy(() => import('../pages/webhooks/WebhooksPage.tsx'));

export const routes: RouteObject[] = [
  {
    path: 'sign-in',
    errorElement: <RouteError />,
    element: (
      <Suspense fallback={null}>
        <SignInPage />
      </Suspense>
    ),
  },
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="/servers" replace /> },
      { path: 'servers', element: <ServersPage /> },
      {
        path: 'servers/:sn',
        element: <ServerPage />,
        children: [
          { path: 'install', element: <Navigate to="source" replace /> },
          { path: 'install/source', element: <InstallDialog step="source" /> },
          { path: 'install/template', element: <InstallDialog step="template" /> },
        ],
      },
      { path: 'servers/:sn/install/configure', element: <ConfigurePage /> },
      { path: 'servers/:sn/install/progress', element: <ProgressPage /> },
      { path: 'audit', element: <AuditPage /> },
      { path: 'images', element: <ImagesPage /> },
      { path: 'images/new', element: <NewImagePage /> },
      { path: 'images/:id', element: <ImagePage /> },
      { path: 'rollouts', element: <RolloutsPage /> },
      { path: 'rollouts/new', element: <NewRolloutPage /> },
      { path: 'rollouts/:id', element: <RolloutPage /> },
      { path: 'webhooks', element: <WebhooksPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

/**
 * Starts downloading the screen the browser opened on while the session is still being checked,
 * rather than after it: the fleet list is the first screen of nearly every visit, and its chunk
 * would otherwise wait for `/api/session` (measured by the bench's Largest Contentful Paint).
 */
export function preloadInitialScreen(pathname: string): void {
  if (pathname === '/' || pathname === '/servers') void loadServersPage();
}

export function createAppRouter() {
  return createBrowserRouter(routes);
}
