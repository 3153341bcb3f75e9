import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './client.ts';

/**
 * Every read goes through TanStack Query: a reply is stored under the key it was asked for, so an
 * older reply (a previous search term, a previous filter) can never be shown for a newer request,
 * and a request whose key is no longer watched is cancelled through its AbortSignal.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Other members change the same records: a page shows what the server holds when it is opened.
      staleTime: 0,
      refetchOnWindowFocus: false,
      // A refusal (4xx) is an answer, not a hiccup: retrying it only delays the message.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
    },
  },
});
