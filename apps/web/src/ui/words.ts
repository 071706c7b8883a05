/**
 * Sentences that must read the same on every screen. A screen that needs one of these facts uses
 * this text, so the operator never meets two descriptions of the same consequence.
 */

/** What an install does to the server's data: said once, the same way, wherever it matters. */
export function dataLossSentence(server: string): string {
  return `Installing erases every disk of ${server}: all its data is lost and cannot be recovered.`;
}
