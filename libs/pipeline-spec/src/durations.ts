const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `10s`, `5m`, `1h`, `1d`, or combinations in decreasing order such as `1m30s`. */
export const DURATION_PATTERN = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/** Milliseconds of a duration string, or `undefined` when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (text.length > 40 || !DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  let lastUnit = Infinity;
  for (const match of text.matchAll(PART)) {
    const unit = UNITS[match[2] as string] as number;
    if (unit >= lastUnit) return undefined; // units must decrease: 1m30s, not 30s1m or 1s1s
    lastUnit = unit;
    total += Number(match[1]) * unit;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest exact way to write `ms` as a duration: 60000 → `60s`, 90000 → `90s`, 3600000 → `1h`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
