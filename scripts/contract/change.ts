export type Level = 'breaking' | 'dangerous' | 'safe';

/** One difference between the base contract and the current one, judged from a client's side. */
export interface Change {
  level: Level;
  message: string;
}

export const LEVELS: readonly Level[] = ['breaking', 'dangerous', 'safe'];
