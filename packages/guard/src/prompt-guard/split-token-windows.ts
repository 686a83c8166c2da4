/** Options for {@link splitTokenWindows}. */
export interface SplitTokenWindowsOptions {
  /** Token ids of the whole text, without special tokens. */
  ids: readonly number[];
  /** Most content tokens one window may hold (the model's limit minus its special tokens). */
  windowSize: number;
  /** Tokens each window repeats from the end of the previous one, so nothing hides across a boundary. */
  overlap: number;
}

/** One window of a text: its content ids and where they start in the text's ids. */
export interface TokenWindow {
  /** Offset of the first id in the text's ids. */
  start: number;
  /** The content ids (no special tokens). */
  ids: readonly number[];
}

/**
 * Cuts a text's ids into windows of at most `windowSize` ids, each starting `windowSize - overlap` ids after the
 * previous one, until the last id is covered. An empty text gives one empty window.
 */
export function splitTokenWindows(options: SplitTokenWindowsOptions): TokenWindow[] {
  const { ids, windowSize, overlap } = options;
  const stride = Math.max(1, windowSize - Math.min(overlap, windowSize - 1));
  const windows: TokenWindow[] = [];
  for (let start = 0; ; start += stride) {
    windows.push({ start, ids: ids.slice(start, start + windowSize) });
    if (start + windowSize >= ids.length) return windows;
  }
}
