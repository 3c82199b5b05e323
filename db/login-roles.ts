import postgres from 'postgres';
import { postgresErrorIn } from './postgres-errors';

/**
 * The group roles migration 0010 makes, one per app process, with that process's grants. A
 * deployment's login users are members of these; the roles themselves cannot log in.
 */
export const PROCESS_DB_ROLES = {
  'saga-worker': 'saga_worker',
  'outbox-relay': 'saga_relay',
  consumers: 'saga_consumers',
  api: 'saga_api',
} as const;

export type DbProcess = keyof typeof PROCESS_DB_ROLES;

export interface LoginRole {
  /** The user a process logs in as. */
  name: string;
  process: DbProcess;
  /** Omitted where the server trusts local connections (the project's machine: 127.0.0.1 trust). */
  password?: string;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Creates each login user when missing (roles are cluster-wide: every database shares them),
 * sets its password and makes it a member of its process's group role, and nothing else:
 * INHERIT gives it the group's grants in every database migrated with 0010. Idempotent.
 * `adminUrl` is a role with CREATEROLE (the schema owner).
 */
export async function ensureLoginRoles(adminUrl: string, roles: readonly LoginRole[]): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (const role of roles) {
      await sql.unsafe(`CREATE ROLE ${quote(role.name)} LOGIN INHERIT`).catch((error: unknown) => {
        // 42710: it exists already (made by an earlier run, or by another process just now).
        if (postgresErrorIn(error)?.code !== '42710' && postgresErrorIn(error)?.code !== '23505') throw error;
      });
      // Passwords cannot be bind parameters in DDL: a literal, quoted by the server's own rules.
      const password = role.password === undefined ? 'NULL' : (await sql`SELECT quote_literal(${role.password}) AS q`)[0]!.q;
      await sql.unsafe(`ALTER ROLE ${quote(role.name)} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`);
      await sql.unsafe(`GRANT ${quote(PROCESS_DB_ROLES[role.process])} TO ${quote(role.name)}`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Drops login users (a test's own); their sessions must have ended. */
export async function dropLoginRoles(adminUrl: string, names: readonly string[]): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (const name of names) await sql.unsafe(`DROP ROLE IF EXISTS ${quote(name)}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The same server and database, another user (and password, or none). */
export function asUser(url: string, user: string, password?: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = password === undefined ? '' : encodeURIComponent(password);
  return parsed.toString();
}

/** The login roles whose names start with `prefix` (a harness's: to sweep those of killed runs). */
export async function listLoginRoles(adminUrl: string, prefix: string): Promise<string[]> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ rolname: string }[]>`SELECT rolname FROM pg_roles WHERE rolcanlogin AND starts_with(rolname, ${prefix})`;
    return rows.map((row) => row.rolname);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
