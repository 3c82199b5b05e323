import { readFile } from 'node:fs/promises';
import { Document, Spectral, type RulesetDefinition } from '@stoplight/spectral-core';
import Parsers from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TAGS } from '../../api/operation';
import { fakeApi } from '../support/fake-api';
import { orderBody } from '../support/order-body';

// The served document as a client sees it: linted by Spectral's own OpenAPI ruleset, its
// operations named and grouped, and its free-text pattern read by a JSON Schema validator.

interface OpenApiDocument {
  tags: { name: string }[];
  paths: Record<string, Record<string, { operationId?: string; tags?: string[]; responses: Record<string, { $ref?: string }> }>>;
  components: { schemas: { SubmitOrder: { properties: { shippingAddress: { properties: { name: object } } } } } };
}

// Raw: /openapi.json is no operation of the document itself.
const servedDocument = async () => (await fakeApi().rawRequest('/openapi.json')).text();

describe('/openapi.json', () => {
  it('passes spectral:oas with no errors and no warnings (.spectral.yaml lists any rule turned off, with why)', async () => {
    const ruleset = parse(await readFile('.spectral.yaml', 'utf8')) as { extends: string[]; rules: Record<string, 'off'> };
    expect(ruleset.extends).toEqual(['spectral:oas']);
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [[oas, 'recommended']], rules: ruleset.rules } as RulesetDefinition);
    const results = await spectral.run(new Document(await servedDocument(), Parsers.Json));
    expect(results.map((result) => `${result.code} at ${result.path.join('.')}: ${result.message}`)).toEqual([]);
  });

  it('names every operation once, tags it with a declared tag, and answers its errors with the shared Problem response', async () => {
    const document = JSON.parse(await servedDocument()) as OpenApiDocument;
    expect(document.tags.map((tag) => tag.name)).toEqual(TAGS.map((tag) => tag.name));
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const operation of operations) {
      expect(operation.tags, operation.operationId).toHaveLength(1);
      expect(TAGS.map((tag) => tag.name)).toContain(operation.tags?.[0]);
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.map(([status]) => status)).toContain('401');
      // /readyz answers its 503 with the readiness body too, so that one response is written out.
      for (const [status, response] of errors) {
        if (!(operation.operationId === 'getReadiness' && status === '503')) {
          expect(response.$ref, `${operation.operationId} ${status}`).toBe('#/components/responses/Problem');
        }
      }
    }
  });
});

describe('free text: the server and a JSON Schema validator accept and refuse the same strings', () => {
  const NAME_MAX = 200;
  const cases: [what: string, name: string, accepted: boolean][] = [
    ['plain text', 'Ada Lovelace', true],
    ['accents and an emoji (a surrogate pair)', 'Zoë Łódź 😀', true],
    ['the longest, counted in code points', '😀'.repeat(NAME_MAX), true],
    ['one code point too long', '😀'.repeat(NAME_MAX + 1), false],
    ['surrounding spaces (the server trims them)', '  Ada  ', true],
    ['a line separator beside text', '\u2028Ada', true],
    ['empty', '', false],
    ['only spaces', '   ', false],
    ['NUL', 'Ada\u0000', false],
    ['a tab', 'Ada\tLovelace', false],
    ['a leading tab, which trimming would hide', '\tAda', false],
    ['DEL', 'Ada\u007F', false],
    ['a C1 control', 'Ada\u0085', false],
    ['a lone lead surrogate', 'Ada\uD83D', false],
    ['a lone trail surrogate', '\uDE00Ada', false],
    ['a pair in the wrong order', '\uDE00\uD83D', false],
  ];

  const validators = async () => {
    const document = JSON.parse(await servedDocument()) as OpenApiDocument;
    const schema = document.components.schemas.SubmitOrder.properties.shippingAddress.properties.name;
    // With the u flag (Ajv's default) and without it; not strict, as OpenAPI adds keywords such as `example`.
    return {
      withU: new Ajv2020({ strict: false, unicodeRegExp: true }).compile(schema),
      withoutU: new Ajv2020({ strict: false, unicodeRegExp: false }).compile(schema),
    };
  };

  it.each(cases)('%s', async (_what, name, accepted) => {
    const { withU, withoutU } = await validators();
    expect([withU(name), withoutU(name)]).toEqual([accepted, accepted]);
    const body = orderBody({ shippingAddress: { ...orderBody().shippingAddress, name } });
    const { response } = await fakeApi()
      .client()
      .POST('/orders', { body, params: { header: {} } });
    expect(response.status).toBe(accepted ? 202 : 400);
  });
});
