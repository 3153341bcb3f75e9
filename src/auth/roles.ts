export const ROLES = ['administrator', 'company_manager', 'marketing_manager', 'sales_manager', 'salesperson', 'jr_salesperson'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  company_manager: 'Company Manager',
  marketing_manager: 'Marketing Manager',
  sales_manager: 'Sales Manager',
  salesperson: 'Salesperson',
  jr_salesperson: 'Jr. Salesperson',
};
