/**
 * Compares two AsyncAPI documents of the events (the committed one and the one the schemas
 * generate now) and lists the changes that would break a consumer, per the rules in
 * docs/events.md. Pure; test/unit/contract-diff.test.ts proves each rule.
 *
 * Breaking: a message (event) or channel removed; a field removed or renamed; a field's type
 * changed; an optional field made required, or a new field required; a required field made
 * optional; an enum value removed; a header removed, retyped or newly required.
 * Not breaking: a new message, a new optional field, a new enum value, descriptions.
 * A breaking change to a message is allowed only with a higher `x-schema-version`.
 */

type Schema = { [key: string]: unknown };

export type BreakingKind =
  | 'message-removed'
  | 'channel-removed'
  | 'field-removed'
  | 'type-changed'
  | 'made-required'
  | 'made-optional'
  | 'enum-value-removed'
  | 'const-changed';

export interface BreakingChange {
  kind: BreakingKind;
  /** The message (event) and the place in it: `orderSubmitted payload.content.lines[].sku`. */
  where: string;
  detail: string;
}

export interface ContractDiff {
  /** Breaking changes to messages whose schema version did not go up: these fail the check. */
  breaking: BreakingChange[];
  /** Breaking changes allowed because the message's schema version went up. */
  versioned: BreakingChange[];
}

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
const record = (value: unknown): Schema => (isSchema(value) ? value : {});
const typesOf = (schema: Schema): string[] => {
  const { type } = schema;
  return (Array.isArray(type) ? type.map(String) : type === undefined ? [] : [String(type)]).sort();
};
const requiredOf = (schema: Schema): Set<string> => new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);

interface SchemaChange {
  kind: BreakingKind;
  /** Where in the schema: `payload.content.lines[].sku`. */
  path: string;
  detail: string;
}

/** The breaking changes from `before` to `after` of one schema, the root named `path`. */
export function schemaChanges(before: Schema, after: Schema, path: string): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const at = (kind: BreakingKind, where: string, detail: string) => changes.push({ kind, detail, path: where });

  const walk = (old: Schema, now: Schema, where: string) => {
    const oldTypes = typesOf(old);
    const newTypes = typesOf(now);
    if (oldTypes.join('|') !== newTypes.join('|')) {
      at('type-changed', where, `type ${oldTypes.join('|') || 'any'} became ${newTypes.join('|') || 'any'}`);
      return;
    }
    if ('const' in old && JSON.stringify(old.const) !== JSON.stringify(now.const)) {
      at('const-changed', where, `const ${JSON.stringify(old.const)} became ${JSON.stringify(now.const)}`);
    }
    if (Array.isArray(old.enum)) {
      const kept = new Set((Array.isArray(now.enum) ? now.enum : []).map((value) => JSON.stringify(value)));
      if (Array.isArray(now.enum)) {
        for (const value of old.enum) {
          if (!kept.has(JSON.stringify(value))) at('enum-value-removed', where, `enum value ${JSON.stringify(value)} removed`);
        }
      }
    }
    const oldProps = record(old.properties);
    const newProps = record(now.properties);
    const oldRequired = requiredOf(old);
    const newRequired = requiredOf(now);
    for (const [key, oldProp] of Object.entries(oldProps)) {
      const field = `${where}.${key}`;
      if (!(key in newProps)) {
        at('field-removed', field, `field ${key} removed (or renamed)`);
        continue;
      }
      if (!oldRequired.has(key) && newRequired.has(key)) at('made-required', field, `optional field ${key} made required`);
      if (oldRequired.has(key) && !newRequired.has(key)) at('made-optional', field, `required field ${key} made optional`);
      walk(record(oldProp), record(newProps[key]), field);
    }
    for (const key of Object.keys(newProps)) {
      if (!(key in oldProps) && newRequired.has(key)) at('made-required', `${where}.${key}`, `new field ${key} is required`);
    }
    if (isSchema(old.items) && isSchema(now.items)) walk(old.items, now.items, `${where}[]`);
  };
  walk(before, after, path);
  return changes;
}

const versionOf = (message: Schema): number => (typeof message['x-schema-version'] === 'number' ? message['x-schema-version'] : 1);

/** The breaking changes from the `before` document to the `after` one. */
export function diffContracts(before: Schema, after: Schema): ContractDiff {
  const diff: ContractDiff = { breaking: [], versioned: [] };
  const oldMessages = record(record(before.components).messages);
  const newMessages = record(record(after.components).messages);
  for (const [id, oldMessage] of Object.entries(oldMessages)) {
    const newMessage = newMessages[id];
    if (!isSchema(newMessage)) {
      diff.breaking.push({ kind: 'message-removed', where: id, detail: `message ${id} removed` });
      continue;
    }
    const old = record(oldMessage);
    const changes = [
      ...schemaChanges(record(old.payload), record(newMessage.payload), 'payload'),
      ...schemaChanges(record(old.headers), record(newMessage.headers), 'headers'),
    ].map((change) => ({ kind: change.kind, detail: change.detail, where: `${id} ${change.path}` }));
    // The version itself is a const that a bump changes: not a change of its own.
    const bumped = versionOf(newMessage) > versionOf(old);
    for (const change of changes) {
      if (change.kind === 'const-changed' && /schemaVersion$/.test(change.where)) {
        if (!bumped) diff.breaking.push(change);
        continue;
      }
      (bumped ? diff.versioned : diff.breaking).push(change);
    }
  }
  const oldChannels = record(before.channels);
  const newChannels = record(after.channels);
  for (const [id, channel] of Object.entries(oldChannels)) {
    const address = record(channel).address;
    const kept = Object.values(newChannels).some((candidate) => record(candidate).address === address);
    if (!kept) diff.breaking.push({ kind: 'channel-removed', where: id, detail: `channel ${String(address)} removed` });
  }
  return diff;
}
