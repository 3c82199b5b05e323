import { sql as drizzleSql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyStepError, describeStepError } from '../../activities/classify-error';
import { loadConfig } from '../../config/env';
import { withDatabase } from '../../db/admin';

// Real errors from a real Postgres, raised through postgres.js and drizzle as the steps see them.
// Only temporary tables and raised errors: nothing is left behind in the maintenance database.
let sql: postgres.Sql;
beforeAll(() => {
  sql = postgres(withDatabase(loadConfig().DATABASE_URL, 'postgres'), { max: 1, onnotice: () => {} });
});
afterAll(() => sql?.end({ timeout: 5 }));

const failureOf = async (run: () => Promise<unknown>): Promise<unknown> => {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
};
const viaDrizzle = (statement: string) => failureOf(() => drizzle(sql).execute(drizzleSql.raw(statement)));
const raised = (sqlState: string) => `DO $$ BEGIN RAISE EXCEPTION 'simulated %', '${sqlState}' USING ERRCODE = '${sqlState}'; END $$`;

describe('classifyStepError', () => {
  it('an int4 overflow (the issue: 2,206,600,000 cents) is InvalidData, through drizzle wrapping postgres.js', async () => {
    const error = await viaDrizzle('SELECT 2206600000::int4');
    expect(error).toHaveProperty('cause.name', 'PostgresError');
    expect(classifyStepError(error)).toEqual({
      retryable: false,
      type: 'InvalidData',
      sqlState: '22003',
      message: 'integer out of range (SQLSTATE 22003)',
    });
  });

  it('data exceptions (class 22) are InvalidData: bad text for a number, NUL in text, division by zero', async () => {
    for (const [statement, sqlState] of [
      ["SELECT 'ten'::int", '22P02'],
      ["SELECT convert_from('\\x00'::bytea, 'UTF8')", '22021'],
      ['SELECT 1 / 0', '22012'],
    ] as const) {
      const verdict = classifyStepError(await viaDrizzle(statement));
      expect(verdict, statement).toMatchObject({ retryable: false, type: 'InvalidData', sqlState });
    }
  });

  it('constraint violations (class 23) are ConstraintViolation, naming the constraint and the table', async () => {
    await sql`CREATE TEMP TABLE classify_probe (id int PRIMARY KEY, amount int NOT NULL CONSTRAINT amount_positive CHECK (amount > 0))`;
    await sql`INSERT INTO classify_probe VALUES (1, 1)`;
    const check = classifyStepError(await viaDrizzle('INSERT INTO classify_probe VALUES (2, -5)'));
    expect(check).toMatchObject({ retryable: false, type: 'ConstraintViolation', sqlState: '23514' });
    expect(!check.retryable && check.message).toMatch(/constraint amount_positive, table classify_probe/);
    expect(classifyStepError(await viaDrizzle('INSERT INTO classify_probe VALUES (1, 1)'))).toMatchObject({
      type: 'ConstraintViolation',
      sqlState: '23505',
    });
    const notNull = classifyStepError(await viaDrizzle('INSERT INTO classify_probe VALUES (3, NULL)'));
    expect(notNull).toMatchObject({ type: 'ConstraintViolation', sqlState: '23502' });
    expect(!notNull.retryable && notNull.message).toContain('column amount');
  });

  it('an index row too large for a btree (class 54) is ProgramLimitExceeded', async () => {
    await sql`CREATE TEMP TABLE classify_big (key text PRIMARY KEY)`;
    // Random hex barely compresses: ~5 KB stays above a btree entry's limit (about 2.7 KB).
    const error = await viaDrizzle("INSERT INTO classify_big SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 300)");
    expect(classifyStepError(error)).toMatchObject({ retryable: false, type: 'ProgramLimitExceeded', sqlState: '54000' });
  });

  it('postgres.js refusing a query it cannot send (an undefined value) is InvalidData', async () => {
    const error = await failureOf(() => sql`SELECT ${undefined as unknown as string}::text`);
    expect(classifyStepError(error)).toMatchObject({ retryable: false, type: 'InvalidData', sqlState: null });
  });

  it('transient failures keep retrying: serialization, deadlock, admin shutdown, resources, lost connections', async () => {
    for (const sqlState of ['40001', '40P01', '57P01', '53300', '53200', '08006']) {
      const error = await viaDrizzle(raised(sqlState));
      expect(classifyStepError(error), sqlState).toEqual({ retryable: true });
      expect(describeStepError(error)).toContain(`SQLSTATE ${sqlState}`);
    }
    const refused = await failureOf(async () => {
      const nowhere = postgres('postgres://root@127.0.0.1:1/none', { max: 1, connect_timeout: 2 });
      try {
        await nowhere`SELECT 1`;
      } finally {
        await nowhere.end({ timeout: 1 });
      }
    });
    expect(classifyStepError(refused)).toEqual({ retryable: true });
    expect(classifyStepError(new Error('payment provider unavailable'))).toEqual({ retryable: true });
  });

  it('describeStepError gives the database reason, not the drizzle wrapper with the query text', async () => {
    const error = await viaDrizzle('SELECT 2206600000::int4');
    expect((error as Error).message).toMatch(/^Failed query/);
    expect(describeStepError(error)).toBe('integer out of range (SQLSTATE 22003)');
  });
});
