/** How legal bases read to the people the data is about. */
export const BASIS_LABEL: Record<string, string> = {
  consent: 'your consent',
  contract: 'a contract with you',
  legitimate_interest: 'our legitimate interest',
  legal_obligation: 'a legal obligation',
};
