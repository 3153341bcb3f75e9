/** How legal bases read to the people the data is about. */
export const BASIS_LABEL: Record<string, string> = {
  consent: 'your consent',
  contract: 'a contract with you',
  legitimate_interest: 'our legitimate interest',
  legal_obligation: 'a legal obligation',
};

export const SAFEGUARD_LABEL: Record<string, string> = {
  eea: 'in the EEA (no transfer)',
  adequacy: 'adequacy decision (Art. 45)',
  sccs: 'standard contractual clauses (Art. 46)',
  bcr: 'binding corporate rules (Art. 47)',
};
