/**
 * Retry what a broker that is still starting answers with a retriable error (no group coordinator
 * yet, leaders being elected …), for up to a minute.
 */
export async function whileStarting<T>(work: () => Promise<T>, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4_000)) {
    try {
      return await work();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true || (error as { cause?: { retriable?: boolean } }).cause?.retriable === true;
      if (!retriable || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
