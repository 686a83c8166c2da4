import { describe, expect, it } from 'vitest';
import { splitTokenWindows } from '../../src/prompt-guard/split-token-windows.js';

describe('splitTokenWindows', () => {
  const ids = Array.from({ length: 10 }, (_, index) => index);

  it('keeps a short text in one window', () => {
    expect(splitTokenWindows({ ids, windowSize: 16, overlap: 4 })).toEqual([{ start: 0, ids }]);
  });

  it('covers every id, each window repeating the overlap from the one before', () => {
    const windows = splitTokenWindows({ ids, windowSize: 4, overlap: 1 });
    expect(windows.map((window) => window.ids)).toEqual([
      [0, 1, 2, 3],
      [3, 4, 5, 6],
      [6, 7, 8, 9],
    ]);
  });

  it('gives an empty text one empty window', () => {
    expect(splitTokenWindows({ ids: [], windowSize: 4, overlap: 1 })).toEqual([{ start: 0, ids: [] }]);
  });

  it('lets no sequence of overlap + 1 ids straddle two windows unseen', () => {
    const long = Array.from({ length: 1000 }, (_, index) => index);
    const windows = splitTokenWindows({ ids: long, windowSize: 50, overlap: 8 });
    for (let start = 0; start + 9 <= long.length; start++) {
      const phrase = long.slice(start, start + 9);
      expect(
        windows.some(
          (window) => window.ids.includes(phrase[0] as number) && window.ids.includes(phrase[8] as number),
        ),
      ).toBe(true);
    }
  });
});
