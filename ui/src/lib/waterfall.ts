/** One bar of a phase waterfall: where it starts and how long it lasts, in ms from the attempt's start. */
export interface WaterfallBar {
  name: string
  start: number
  duration: number
}

/**
 * Phases are durations in the order they happened (dns, connect, tls, ttfb...): each starts where the previous
 * ended. Whatever the total has beyond them is shown as `rest` (reading the body, closing).
 */
export function waterfall(phases: Record<string, number>, totalMs: number): WaterfallBar[] {
  const bars: WaterfallBar[] = []
  let at = 0
  for (const [name, d] of Object.entries(phases)) {
    if (d == null || !Number.isFinite(d)) continue
    bars.push({ name, start: at, duration: d })
    at += d
  }
  if (bars.length && totalMs - at > 0.001) bars.push({ name: 'rest', start: at, duration: totalMs - at })
  return bars
}
