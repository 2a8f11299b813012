/**
 * Waits until `holds` answers true, asking every 20 ms for at most 2 s: for a spec that waits on
 * something another connection or a background loop does (a database notification, a relay's flush).
 */
export async function eventually(holds: () => Promise<boolean> | boolean): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (await holds()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the condition did not hold within 2 s');
}
