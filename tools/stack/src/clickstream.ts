import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';

const EVENT_TYPES = ['page_view', 'click', 'scroll', 'add_to_cart'] as const;

/**
 * One synthetic clickstream event of about 250 bytes, shaped like the reference page's example
 * (`user_id`, `event_type`, `page_url`). `user_id` is unique per (run, i), so a table can be checked
 * for exactly-once delivery.
 */
export function clickEvent(run: string, i: number): string {
  return JSON.stringify({
    user_id: `${run}-${String(i).padStart(8, '0')}`,
    event_type: EVENT_TYPES[i % EVENT_TYPES.length],
    page_url: `https://shop.example.com/catalog/category-${i % 97}/product-${i % 9973}?ref=campaign-${i % 13}`,
    session_id: randomUUID(),
    device: i % 3 === 0 ? 'mobile' : 'desktop',
    referrer: 'https://www.example.org/',
  });
}

/** Produce events `from` ≤ i < `to` to a topic, in batches, keyed by user so partitions share the load. */
export async function produceClicks(producer: Producer, topic: string, run: string, from: number, to: number, batch = 2_000): Promise<void> {
  for (let start = from; start < to; start += batch) {
    const end = Math.min(to, start + batch);
    const messages = [];
    for (let i = start; i < end; i++) messages.push({ key: `${run}-${i}`, value: clickEvent(run, i) });
    await producer.send({ topic, messages });
  }
}
