import { useQuery } from '@tanstack/react-query';
import { client, unwrap, type QueryOf, type Schemas } from '../../api/client.ts';

export type SalesDashboard = Schemas['SalesDashboard'];
export type DashboardQuery = QueryOf<'/api/v1/dashboard/sales'>;

export function useSalesDashboard(query: DashboardQuery) {
  const answer = useQuery({
    queryKey: ['dashboard', 'sales', query],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/dashboard/sales', { params: { query }, signal })),
  });
  return { dashboard: answer.data, error: answer.error, isPending: answer.isPending };
}
