/** Dates on the wire: ISO-8601 UTC (the schemas are `@apim/contracts/management`). */
export function iso(d: Date): string;
export function iso(d: Date | null): string | null;
export function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}
