/**
 * A copy of a string that does not keep the string it was cut from alive. V8 represents a slice (or a regular
 * expression's match) of 13 characters or more as a view of the whole original: keeping such a piece of a file
 * (an import, a symbol line, a counted piece) would keep the whole file's text in memory. Joining it to another
 * character and cutting that off again makes a string of its own.
 */
export function ownCopy(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
