import autocannon from 'autocannon';

/**
 * The load generator, run in a process of its own (bench/http.ts forks it), so that autocannon's
 * own work does not take the server's event loop or its share of the two cores' time slices in
 * the server's process: one request in, one summary out over IPC.
 */
export interface LoadRequest {
  url: string;
  connections: number;
  headers: Record<string, string>;
  duration?: number;
  amount?: number;
  overallRate?: number;
}

export interface LoadSummary {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

process.once('message', async (request: LoadRequest) => {
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    headers: request.headers,
    ...(request.amount ? { amount: request.amount } : { duration: request.duration ?? 5 }),
    ...(request.overallRate ? { overallRate: request.overallRate } : {}),
  });
  const summary: LoadSummary = {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  process.send!(summary, () => process.exit(0));
});
