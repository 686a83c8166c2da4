/** Llama Guard 4's hazard categories, by code, as listed in its model card (S14 is text-only). */
export const llamaGuardCategories = {
  S1: 'Violent Crimes',
  S2: 'Non-Violent Crimes',
  S3: 'Sex-Related Crimes',
  S4: 'Child Sexual Exploitation',
  S5: 'Defamation',
  S6: 'Specialized Advice',
  S7: 'Privacy',
  S8: 'Intellectual Property',
  S9: 'Indiscriminate Weapons',
  S10: 'Hate',
  S11: 'Suicide & Self-Harm',
  S12: 'Sexual Content',
  S13: 'Elections',
  S14: 'Code Interpreter Abuse',
} as const;

/** A Llama Guard category code, `S1`..`S14`. */
export type LlamaGuardCategoryCode = keyof typeof llamaGuardCategories;

/** True for `S1`..`S14`. */
export function isLlamaGuardCategoryCode(value: string): value is LlamaGuardCategoryCode {
  return Object.hasOwn(llamaGuardCategories, value);
}
