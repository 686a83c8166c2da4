const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A byte count as people read it: `512 bytes`, `16 MiB`, `1.5 GiB`. */
export function formatByteSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = unit === 0 || value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${units[unit]}`;
}
