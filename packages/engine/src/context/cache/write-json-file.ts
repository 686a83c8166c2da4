import { closeSync, openSync, writeSync } from 'node:fs';

// Parts are written once they reach this many characters.
const partCharacters = 1024 * 1024;
// Shorter arrays are stringified whole.
const longArray = 64;

/**
 * Writes `value` as JSON to `path` a part at a time: the text `JSON.stringify` gives, without one string of the
 * whole (and its bytes beside it). At a hundred thousand files the pack cache's index and a kept result's stats are
 * tens of megabytes of JSON, and one string of them, made at the end of a pack while everything else is still held,
 * was the pack's peak of memory. Long arrays, and plain objects holding one, are written a member at a time; every
 * other value through `JSON.stringify`. A `Map` is written as an object of its entries, so that a map of a hundred
 * thousand entries need not be copied into an object first. Made for Herd's own records: a `toJSON` method is
 * called with an empty key, and an array's own `toJSON` is not called.
 */
export function writeJsonFile(path: string, value: unknown): void {
  const fd = openSync(path, 'w');
  try {
    let part = '';
    writeValue(value, (text) => {
      part += text;
      if (part.length >= partCharacters) {
        writeString(fd, part);
        part = '';
      }
    });
    writeString(fd, part);
  } finally {
    closeSync(fd);
  }
}

function writeValue(value: unknown, emit: (text: string) => void): void {
  if (!streams(value)) {
    emit(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    emit('[');
    // By index, as JSON.stringify goes: a hole, like a member with nothing to write, is null.
    for (let index = 0; index < value.length; index++) {
      if (index > 0) emit(',');
      const member: unknown = value[index];
      if (omitted(member)) emit('null');
      else writeValue(member, emit);
    }
    emit(']');
    return;
  }
  emit('{');
  let first = true;
  const entries = value instanceof Map ? value.entries() : Object.entries(value as object);
  for (const [key, member] of entries) {
    if (omitted(member)) continue;
    emit(`${first ? '' : ','}${JSON.stringify(String(key))}:`);
    first = false;
    writeValue(member, emit);
  }
  emit('}');
}

/**
 * Whether a value is written a member at a time: a Map, a long array, or a plain object or array holding one of
 * them (so that a Map is written as its entries wherever it is).
 */
function streams(value: unknown): boolean {
  if (value instanceof Map) return true;
  if (Array.isArray(value)) return value.length >= longArray || value.some(streams);
  if (!isPlainObject(value)) return false;
  for (const member of Object.values(value)) if (streams(member)) return true;
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !('toJSON' in value);
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** Writes all of a string at the file's current position. */
function writeString(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}
