import type { Sql } from 'postgres';
import { uniqueSuffix } from '../../tools/environment/run-identity';

export interface FailingTrigger {
  /** Drops the trigger: the statement succeeds again. */
  remove(): Promise<void>;
}

/**
 * Makes Postgres itself refuse one order's (or one customer's) writes to a table with the given SQLSTATE, the way
 * a real fault would reach a step: a trigger raises it. `times` limits how often (counted with
 * a sequence, which rolls back with nothing), or it fails until removed.
 */
export async function failOrderWrites(
  sql: Sql,
  options: {
    table: 'orders' | 'payments' | 'shipments' | 'order_projection';
    on: 'INSERT' | 'UPDATE';
    sqlState: string;
    message: string;
    times?: number;
  } & ({ orderId: string } | { customerId: string }),
): Promise<FailingTrigger> {
  const name = `test_fail_${uniqueSuffix()}`;
  const idColumn = options.table === 'orders' ? 'id' : 'order_id';
  const counted = options.times !== undefined;
  if (counted) await sql.unsafe(`CREATE SEQUENCE ${name}_calls`);
  // By customer: the order id of an order submitted over the API is not known before the saga runs.
  const matches =
    'orderId' in options
      ? `NEW.${idColumn} = '${options.orderId}'`
      : options.table === 'orders'
        ? `NEW.customer_id = '${options.customerId}'`
        : `EXISTS (SELECT 1 FROM orders WHERE id = NEW.order_id AND customer_id = '${options.customerId}')`;
  const condition = counted ? `${matches} AND nextval('${name}_calls') <= ${options.times}` : matches;
  await sql.unsafe(`
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${condition} THEN RAISE EXCEPTION '${options.message.replaceAll("'", "''")}' USING ERRCODE = '${options.sqlState}'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ${name} BEFORE ${options.on} ON ${options.table} FOR EACH ROW EXECUTE FUNCTION ${name}();`);
  return {
    async remove() {
      await sql.unsafe(
        `DROP TRIGGER ${name} ON ${options.table}; DROP FUNCTION ${name}();${counted ? ` DROP SEQUENCE ${name}_calls;` : ''}`,
      );
    },
  };
}

/** Adds a check constraint that only this order's rows break (NOT VALID: existing rows are not checked). */
export async function forbidForOrder(
  sql: Sql,
  options: { table: 'payments' | 'shipments'; orderId: string; when: string },
): Promise<string> {
  const constraint = `test_forbid_${uniqueSuffix()}`;
  await sql.unsafe(
    `ALTER TABLE ${options.table} ADD CONSTRAINT ${constraint} CHECK (NOT (order_id = '${options.orderId}' AND ${options.when})) NOT VALID`,
  );
  return constraint;
}
