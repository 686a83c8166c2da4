/** Phases of a pack, in order. */
export type PackPhase = 'list' | 'read' | 'count' | 'map' | 'render';

/** One progress report from `packRepository`. */
export interface PackProgress {
  /** The phase the pack is in. */
  phase: PackPhase;
  /** Units done in this phase (files, or tokens while counting). */
  done: number;
  /** Units in this phase, when known. */
  total: number;
}
