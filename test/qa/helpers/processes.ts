/**
 * Real separate processes for the store tests: the built CLI (dist/cli.cjs) as a user
 * runs it, and another SQLite client (better-sqlite3 in a child process, or the
 * sqlite3 shell) that holds a transaction while stereotax writes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
export const CLI = join(ROOT, 'dist', 'cli.cjs');

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null; out: string; err: string }

/** Starts `node dist/cli.cjs ...args`; `done` resolves when it exits. */
export function startCli(args: string[], env: Record<string, string> = {}, cli = CLI): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (err += b));
  const done = new Promise<Exit>((res) => child.on('close', (code, signal) => res({ code, signal, out, err })));
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}, cli = CLI): Promise<Exit> {
  return startCli(args, env, cli).done;
}

/**
 * Another SQLite client in its own process (better-sqlite3): runs `begin` (for example
 * BEGIN EXCLUSIVE and an INSERT), prints "ready", then on a line "commit" commits and
 * exits, or on "rollback" rolls back. Killing it (kill -9) leaves the transaction open.
 */
export function otherClient(dbPath: string, statements: string[], dir: string): {
  child: ChildProcess; ready: Promise<void>; commit(): Promise<number | null>; rollback(): Promise<number | null>; exited: Promise<number | null>;
} {
  const script = join(dir, `client-${Date.now()}-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(script, `
const Database = require(${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3'))});
const db = new Database(process.argv[2], { timeout: 30000 });
for (const s of JSON.parse(process.argv[3])) db.exec(s);
process.stdout.write('ready\\n');
let buf = '';
process.stdin.on('data', (b) => {
  buf += b;
  if (buf.includes('commit')) { db.exec('COMMIT'); db.close(); process.exit(0); }
  if (buf.includes('rollback')) { db.exec('ROLLBACK'); db.close(); process.exit(0); }
});
`);
  const child = spawn(process.execPath, [script, dbPath, JSON.stringify(statements)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  const ready = new Promise<void>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (b) => {
      out += b;
      if (out.includes('ready')) res();
    });
    child.on('close', (code) => rej(new Error(`the other client exited (${code}) before it was ready`)));
  });
  const say = (word: string) => {
    child.stdin!.write(word + '\n');
    return exited;
  };
  return { child, ready, commit: () => say('commit'), rollback: () => say('rollback'), exited };
}

/** The sqlite3 shell, when this machine has it. */
export function sqliteShell(): string | undefined {
  const r = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  return r.status === 0 ? 'sqlite3' : undefined;
}

/** Runs SQL through a fresh better-sqlite3 connection in this process (read-only checks). */
export async function inspect<T>(dbPath: string, fn: (db: import('better-sqlite3').Database) => T): Promise<T> {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
