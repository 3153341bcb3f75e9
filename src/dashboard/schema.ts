import { z } from 'zod';
import { isoDate } from '../shared/fields.ts';
import { commonFilters, STAGES } from '../crm/schema.ts';

export const salesDashboardQuery = z.object({
  ownerId: commonFilters.ownerId,
  from: isoDate.optional().describe('First day of the period (UTC); default: the first day of the month eleven months ago'),
  to: isoDate.optional().describe('Last day of the period, included (UTC); default: today'),
});

const amount = z.string().describe('A decimal sum, in the currency named beside it');

export const salesDashboardView = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  pipeline: z
    .array(z.object({ stage: z.enum(STAGES), currency: z.string(), count: z.number().int(), amount }))
    .describe('Deals created in the period and open now, by stage and currency'),
  months: z
    .array(
      z.object({
        month: z.string().describe('YYYY-MM'),
        won: z.number().int(),
        lost: z.number().int(),
        wonAmounts: z.array(z.object({ currency: z.string(), amount })),
      }),
    )
    .describe('Deals closed in each month of the period, won and lost'),
  activities: z
    .array(
      z.object({
        memberId: z.string().uuid(),
        calls: z.number().int(),
        emails: z.number().int(),
        meetings: z.number().int(),
        notes: z.number().int(),
        tasksDone: z.number().int(),
      }),
    )
    .describe('What each member logged in the period, and the tasks they completed'),
  conversion: z
    .object({
      leads: z.number().int().describe('Leads created in the period'),
      converted: z.number().int().describe('Of those, converted into contacts'),
      won: z.number().int().describe('Of those, with a won deal'),
    })
    .describe('Leads → contacts → won deals'),
});
