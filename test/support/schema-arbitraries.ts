import fc, { Arbitrary } from 'fast-check';

/** The part of JSON Schema (as OpenAPI 3.0 writes it) that the service's document uses. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  nullable?: boolean;
  readOnly?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  allOf?: Schema[];
}

/** Longest string generated: long enough to cross the small limits, short enough to keep a run quick. */
const LONGEST = 120;

/** Values that break a rule of `schema`: the wrong type, a bound crossed, a pattern or format missed, null where none is allowed. */
function breaking(schema: Schema): Arbitrary<unknown>[] {
  const out: Arbitrary<unknown>[] = [fc.constantFrom(true, 12.5, [], {}, 'text')];
  if (!schema.nullable) out.push(fc.constant(null));
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined && schema.maxLength < LONGEST)
      out.push(fc.string({ minLength: schema.maxLength + 1, maxLength: schema.maxLength + 5 }));
    if ((schema.minLength ?? 0) > 0) out.push(fc.constant(''));
    if (schema.pattern !== undefined) out.push(fc.constantFrom('UPPER', '-lead', 'trail-', 'a b', '..', 'a/b', '한글'));
    if (schema.format !== undefined)
      out.push(fc.constantFrom('not a uri or date', 'ftp://example.com/x', 'javascript:alert(1)', '2026-13-45'));
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    out.push(fc.constantFrom((schema.minimum ?? 0) - 1, (schema.maximum ?? 1e9) + 1, 1.5, -0.5));
  }
  if (schema.type === 'array' && schema.maxItems !== undefined)
    out.push(fc.constant(Array.from({ length: schema.maxItems + 1 }, (_, i) => `item-${i}`)));
  if (schema.type === 'array' && (schema.minItems ?? 0) > 0) out.push(fc.constant([]));
  return out;
}

/**
 * fast-check arbitraries for values of the schemas of one OpenAPI document: `valid` ones follow every rule
 * the schema states, `any` ones are valid most of the time and break one rule (or the whole shape) otherwise.
 * Generated from the document itself, so a rule the service enforces but the document does not state shows
 * up as an undocumented answer, and vice versa.
 */
export class SchemaArbitraries {
  /**
   * `hints`: arbitraries for properties whose valid values a schema cannot state (ids of entities that
   * exist), by property name. A valid object takes its value from the hint; one that may break a rule takes
   * it from the hint most of the time and otherwise from what the schema alone allows.
   */
  constructor(
    private readonly components: Record<string, Schema>,
    private readonly hints: Record<string, Arbitrary<unknown>> = {},
  ) {}

  resolve(schema: Schema): Schema {
    return schema.$ref === undefined ? schema : this.resolve(this.components[schema.$ref.split('/').pop()!]);
  }

  valid(input: Schema, depth = 0): Arbitrary<unknown> {
    const schema = this.resolve(input);
    const plain = this.validPlain(schema, depth);
    return schema.nullable ? fc.option(plain, { nil: null, freq: 5 }) : plain;
  }

  any(input: Schema, depth = 0): Arbitrary<unknown> {
    const schema = this.resolve(input);
    return fc.oneof(
      { arbitrary: this.validPlain(schema, depth, true), weight: 4 },
      { arbitrary: fc.oneof(...breaking(schema)), weight: 1 },
    );
  }

  private validPlain(schema: Schema, depth: number, mutate = false): Arbitrary<unknown> {
    const child = (s: Schema) => (mutate ? this.any(s, depth + 1) : this.valid(s, depth + 1));
    if (schema.oneOf) return fc.oneof(...schema.oneOf.map(child));
    if (schema.enum) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'string':
        return this.string(schema);
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const options = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) };
        const items = child(schema.items ?? {});
        return schema.uniqueItems
          ? fc.uniqueArray(items, { ...options, selector: (v) => JSON.stringify(v) })
          : fc.array(items, options);
      }
      case 'object':
        return this.object(schema, depth, mutate);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private string(schema: Schema): Arbitrary<string> {
    if (schema.pattern !== undefined) {
      const max = schema.maxLength ?? LONGEST;
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((s) => s.length <= max && s.length >= (schema.minLength ?? 0));
    }
    if (schema.format === 'uri') return fc.webUrl({ validSchemes: ['http', 'https'] });
    if (schema.format === 'date-time')
      return fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString());
    return fc.string({
      unit: 'grapheme',
      minLength: schema.minLength ?? 0,
      maxLength: Math.min(schema.maxLength ?? LONGEST, LONGEST),
    });
  }

  private object(schema: Schema, depth: number, mutate: boolean): Arbitrary<Record<string, unknown>> {
    const properties = Object.entries(schema.properties ?? {}).filter(([, p]) => !p.readOnly);
    const required = new Set(schema.required ?? []);
    const generated = (p: Schema) => (mutate ? this.any(p, depth + 1) : this.valid(p, depth + 1));
    const hinted = (name: string, p: Schema) =>
      mutate ? fc.oneof({ arbitrary: this.hints[name], weight: 4 }, generated(p)) : this.hints[name];
    const field = (name: string, p: Schema) => (name in this.hints ? hinted(name, p) : generated(p));
    const fields = Object.fromEntries(properties.map(([name, p]) => [name, field(name, p)]));
    const record = fc.record(fields, {
      requiredKeys: properties.map(([name]) => name).filter((name) => required.has(name)),
    });
    if (!mutate) return record;
    // Whole-object mutations: a required field dropped, an unknown one added.
    return fc.oneof(
      { arbitrary: record, weight: 6 },
      {
        arbitrary: fc
          .tuple(record, fc.constantFrom(...[...required, '__none__']))
          .map(([value, drop]) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== drop))),
        weight: 1,
      },
      {
        arbitrary: fc
          .tuple(record, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }))
          .map(([value, key, extra]) => ({ ...value, [`x${key}`]: extra })),
        weight: 1,
      },
    );
  }
}
