import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { createQueryClient } from './queryClient.ts';
import { createAppRouter, preloadInitialScreen } from './router.tsx';
import { connectSignIn } from './signIn.ts';

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => {
    preloadInitialScreen(window.location.pathname);
    const created = createAppRouter();
    connectSignIn(created);
    return created;
  });
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
