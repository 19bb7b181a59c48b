import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { CliError } from './output';

/** A file's text, or standard input for `-`. */
export async function readInput(file: string, stdin: NodeJS.ReadableStream): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A YAML (or JSON) configuration file as an object; syntax errors as `file:line:col: message`, all of them. */
export function parseConfigText(text: string, name: string): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const lines = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return `${name}${at ? `:${at.line}:${at.col}` : ''}: ${message}`;
    });
    throw new CliError(`${name} is not valid YAML`, lines);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${name}: expected a mapping with apiVersion: apim/v1, kind: Config, apis and plans`);
  }
  return value as Record<string, unknown>;
}
