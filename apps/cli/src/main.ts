import { writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '@apim/config';
import { ManagementClient } from './client';
import { type CliConfig, loadCliConfig } from './config/config.schema';
import { loadCredentials, saveCredentials } from './credentials';
import { parseConfigText, readInput } from './document';
import { type Change, CliError, formatError, formatPlan, type Style, style, summary } from './output';
import { readPassword } from './password';

/** Exit codes (contract): 0 done or no changes, 1 error, 2 `diff` found changes. */
export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

type Format = 'human' | 'json';

interface ApplyResult {
  dryRun: boolean;
  changes: Change[];
}

const outputOption = () =>
  new Option('--output <format>', 'human or json (for scripts)').choices(['human', 'json']).default('human');

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function count(doc: Record<string, unknown>): string {
  const n = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as unknown[]).length : 0);
  return `${plural(n('apis'), 'API')}, ${plural(n('plans'), 'plan')}`;
}

class Cli {
  private readonly out: Style;
  private readonly err: Style;

  constructor(
    private readonly io: Io,
    private readonly config: CliConfig,
  ) {
    this.out = style(config.colorAllowed && io.stdout.isTTY === true);
    this.err = style(config.colorAllowed && io.stderr.isTTY === true);
  }

  print(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  note(line: string, format: Format): void {
    if (format === 'human') this.io.stderr.write(`${this.err.dim(line)}\n`);
  }

  client(): ManagementClient {
    const c = loadCredentials(this.config.configDir, this.config.env);
    return new ManagementClient(c.url, c.token);
  }

  /** A ticking "… 3 s" on a terminal while one long request runs. */
  async withProgress<T>(label: string, format: Format, work: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    const tty = format === 'human' && this.io.stderr.isTTY === true;
    if (format === 'human') this.io.stderr.write(this.err.dim(`${label}…`) + (tty ? '' : '\n'));
    const timer = tty
      ? setInterval(
          () => this.io.stderr.write(`\r${this.err.dim(`${label}… ${Math.round((Date.now() - t0) / 1000)} s`)}`),
          1000,
        )
      : undefined;
    try {
      return await work();
    } finally {
      if (timer) clearInterval(timer);
      if (tty) this.io.stderr.write(`\r${this.err.dim(`${label}… ${((Date.now() - t0) / 1000).toFixed(1)} s`)}\n`);
    }
  }

  async login(o: { url: string; email: string; passwordStdin?: boolean; output: Format }): Promise<number> {
    let password: string;
    if (o.passwordStdin) password = (await readInput('-', this.io.stdin)).replace(/\r?\n$/, '');
    else if (this.io.stdin.isTTY)
      password = await readPassword(this.io.stdin, this.io.stderr, `Password for ${o.email}: `);
    else throw new CliError('no terminal to ask for the password: pipe it with --password-stdin');
    const client = new ManagementClient(o.url);
    const r = await client.request('POST', '/v1/auth/login', { body: { email: o.email, password } });
    const body = r.json as { token: string; expiresAt: string; user: { role: string } };
    const path = saveCredentials(this.config.configDir, {
      url: o.url,
      token: body.token,
      email: o.email,
      expiresAt: body.expiresAt,
    });
    if (o.output === 'json')
      this.print(
        JSON.stringify({
          url: o.url,
          email: o.email,
          role: body.user?.role,
          expiresAt: body.expiresAt,
          credentials: path,
        }),
      );
    else
      this.print(
        `Logged in to ${o.url} as ${o.email} (${body.user?.role}); token saved in ${path}, ` +
          `valid until ${body.expiresAt}.`,
      );
    return EXIT.ok;
  }

  async export(o: { outFile?: string; output: Format }): Promise<number> {
    const json = o.output === 'json';
    const r = await this.client().request('GET', '/v1/admin/config', {
      accept: json ? 'application/json' : 'application/yaml',
    });
    if (!o.outFile) {
      this.io.stdout.write(r.text);
      return EXIT.ok;
    }
    writeFileSync(o.outFile, r.text);
    const doc = json ? (r.json as Record<string, unknown>) : parseConfigText(r.text, o.outFile);
    this.note(`Wrote ${o.outFile} (${count(doc)}).`, 'human');
    return EXIT.ok;
  }

  private async send(
    file: string,
    o: { dryRun: boolean; prune?: boolean; output: Format },
    label: string,
  ): Promise<ApplyResult> {
    this.note(`Reading ${file}…`, o.output);
    const doc = parseConfigText(await readInput(file, this.io.stdin), file === '-' ? '(stdin)' : file);
    const client = this.client();
    const query = `?dryRun=${o.dryRun}&prune=${o.prune === true}`;
    return this.withProgress(`${label} ${count(doc)} against ${client.baseUrl}`, o.output, async () => {
      const r = await client.request('POST', `/v1/admin/config/apply${query}`, { body: doc });
      return r.json as ApplyResult;
    });
  }

  async diff(o: { file: string; prune?: boolean; output: Format }): Promise<number> {
    const r = await this.send(o.file, { ...o, dryRun: true }, 'Comparing');
    if (o.output === 'json') this.print(JSON.stringify({ changes: r.changes }));
    else if (!r.changes.length) this.print('No changes: the platform matches the file.');
    else {
      for (const line of formatPlan(r.changes, this.out)) this.print(line);
      this.print(this.out.bold(`Plan: ${summary(r.changes)}.`));
    }
    return r.changes.length ? EXIT.changes : EXIT.ok;
  }

  async apply(o: { file: string; dryRun?: boolean; prune?: boolean; output: Format }): Promise<number> {
    const dryRun = o.dryRun === true;
    const r = await this.send(o.file, { ...o, dryRun }, dryRun ? 'Planning' : 'Applying');
    if (o.output === 'json') {
      this.print(JSON.stringify(r));
      return EXIT.ok;
    }
    for (const line of formatPlan(r.changes, this.out)) this.print(line);
    if (!r.changes.length) this.print('No changes: the platform matches the file.');
    else if (dryRun) this.print(this.out.bold(`Dry run: ${summary(r.changes)}; nothing was changed.`));
    else this.print(this.out.bold(`Applied: ${summary(r.changes, 'done')}.`));
    return EXIT.ok;
  }

  async importOpenApi(
    file: string,
    o: { route: string; upstream?: string; name?: string; slug?: string; output: Format },
  ): Promise<number> {
    const document = await readInput(file, this.io.stdin);
    if (!document.trim()) throw new CliError(`${file === '-' ? 'standard input' : file} is empty`);
    const client = this.client();
    const body = { document, routePath: o.route, upstreamUrl: o.upstream, name: o.name, slug: o.slug };
    const r = await this.withProgress(`Importing ${file === '-' ? '(stdin)' : file}`, o.output, () =>
      client.request('POST', '/v1/admin/apis/import', { body }),
    );
    const api = r.json as { slug: string; name: string; routePath: string; upstreamUrl: string };
    if (o.output === 'json') this.print(JSON.stringify(api));
    else if (r.status === 201)
      this.print(this.out.green(`+ api ${api.slug}: "${api.name}" at ${api.routePath} → ${api.upstreamUrl}`));
    else
      this.print(
        this.out.yellow(`~ api ${api.slug}: "${api.name}" at ${api.routePath} → ${api.upstreamUrl} (updated)`),
      );
    return EXIT.ok;
  }
}

function program(cli: () => Cli, done: (code: number) => void): Command {
  const p = new Command('apim')
    .description(
      'Configuration as code for the API management platform: export, diff and apply APIs and plans as YAML.',
    )
    .version('0.1.0')
    .showSuggestionAfterError()
    .exitOverride();
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) =>
      done(await fn(...args));

  p.command('login')
    .description('Log in and save the URL and token (0600) under your config directory')
    .requiredOption('--url <management-url>', 'management API base URL, e.g. https://apim.example.com')
    .requiredOption('--email <email>', 'an admin account')
    .option('--password-stdin', 'read the password from standard input (CI)')
    .addOption(outputOption())
    .action(act((o) => cli().login(o)));

  p.command('export')
    .description('Print (or write with -o) the APIs and plans as YAML')
    .option('-o, --out-file <file>', 'write to this file instead of standard output')
    .addOption(outputOption())
    .action(act((o) => cli().export(o)));

  p.command('diff')
    .description('Show what apply would change; exits 2 when something would')
    .requiredOption('-f, --file <file>', 'configuration file (YAML or JSON; - for standard input)')
    .option('--prune', 'also show what prune would delete')
    .addOption(outputOption())
    .action(act((o) => cli().diff(o)));

  p.command('apply')
    .description('Make the platform match the file, in one transaction')
    .requiredOption('-f, --file <file>', 'configuration file (YAML or JSON; - for standard input)')
    .option('--dry-run', 'report the changes without making them')
    .option('--prune', 'delete APIs and plans the file does not name')
    .addOption(outputOption())
    .action(act((o) => cli().apply(o)));

  p.command('import-openapi')
    .description('Create or update an API from an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON or YAML)')
    .argument('<file>', 'the document, or - for standard input')
    .requiredOption('--route <path>', 'gateway route prefix, e.g. /pets')
    .option('--upstream <url>', "upstream URL (default: the document's first server)")
    .option('--name <name>', 'API name (default: info.title)')
    .option('--slug <slug>', 'API slug (default: from the title); an API with this slug is updated')
    .addOption(outputOption())
    .action(act((file: string, o) => cli().importOpenApi(file, o)));
  return p;
}

/** Runs one command; resolves to the exit code. Never throws. */
export async function run(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
): Promise<number> {
  let config: CliConfig;
  try {
    config = loadCliConfig();
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
    for (const p of problems) io.stderr.write(`error: environment: ${p}\n`);
    return EXIT.error;
  }
  let cli: Cli | undefined;
  const getCli = () => (cli ??= new Cli(io, config));
  let code: number = EXIT.ok;
  const json = argv.includes('--output=json') || argv.some((a, i) => a === '--output' && argv[i + 1] === 'json');
  try {
    await program(getCli, (c) => (code = c))
      .configureOutput({
        writeOut: (s) => io.stdout.write(s),
        writeErr: (s) => io.stderr.write(s),
      })
      .parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    const e = err instanceof CliError ? err : new CliError(`unexpected: ${(err as Error)?.message ?? String(err)}`);
    if (json)
      io.stdout.write(`${JSON.stringify({ error: { message: e.message, errors: e.lines, problem: e.problem } })}\n`);
    const s = style(config.colorAllowed && io.stderr.isTTY === true);
    for (const line of formatError(e, s)) io.stderr.write(`${line}\n`);
    if (e.lines.length) io.stderr.write(`${s.dim(e.message)}\n`);
    return EXIT.error;
  }
}
