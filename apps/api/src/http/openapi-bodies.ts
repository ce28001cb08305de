import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';

/** The part of a JSON Schema object these rules read and write. */
interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
  not?: Schema;
  anyOf?: Schema[];
  title?: string;
  description?: string;
}

/** One class-validator rule on one property (class-validator's ValidationMetadata). */
interface Rule {
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/**
 * The rules the ValidationPipe enforces (class-validator decorators on the request classes),
 * written into the request schemas where JSON Schema can say them: lengths, ranges, enums,
 * array sizes, patterns. Only what a schema does not already say is added.
 */
function applyValidationRules(schemas: Record<string, Schema>): void {
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<{ name: string }, Rule[]>;
  };
  for (const [target, rules] of storage.validationMetadatas) {
    const schema = schemas[target.name];
    if (!schema?.properties) continue;
    for (const rule of rules) {
      const property = schema.properties[rule.propertyName];
      if (!property || property.$ref || rule.each) continue;
      const [a, b] = rule.constraints ?? [];
      const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
      switch (rule.name) {
        case 'isLength':
          property.minLength ??= n(a);
          property.maxLength ??= n(b);
          break;
        case 'minLength':
          property.minLength ??= n(a);
          break;
        case 'maxLength':
          property.maxLength ??= n(a);
          break;
        case 'min':
          property.minimum ??= n(a);
          break;
        case 'max':
          property.maximum ??= n(a);
          break;
        case 'arrayMinSize':
          property.minItems ??= n(a);
          break;
        case 'arrayMaxSize':
          property.maxItems ??= n(a);
          break;
        case 'isIn':
          if (!property.enum && Array.isArray(a)) property.enum = [...(a as unknown[])];
          break;
        case 'matches':
          // JSON Schema patterns have no flags: only a flagless (or unicode) RegExp is exact.
          if (!property.pattern && a instanceof RegExp && /^u?$/.test(a.flags))
            property.pattern = a.source;
          break;
        case 'isUuid':
          property.format ??= 'uuid';
          break;
      }
    }
  }
}

/**
 * A measure's deadline by its mode (tasks.service resolveDeadline): 立行立改 and 限期整改 take
 * exactly one of dueDate (a local date) and dueAt (an instant); 长期坚持 takes neither.
 */
const DUE_DATE: Schema = { type: 'string', format: 'date' };
const DUE_AT: Schema = { type: 'string', format: 'date-time' };
const DEADLINE_BY_MODE: Schema[] = [
  {
    title: 'dueDate',
    description: 'immediate or deadline, due at the end of a local day',
    properties: { mode: { enum: ['immediate', 'deadline'] }, dueDate: DUE_DATE },
    required: ['dueDate'],
    not: { properties: { dueAt: DUE_AT }, required: ['dueAt'] },
  },
  {
    title: 'dueAt',
    description: 'immediate or deadline, due at an exact instant',
    properties: { mode: { enum: ['immediate', 'deadline'] }, dueAt: DUE_AT },
    required: ['dueAt'],
    not: { properties: { dueDate: DUE_DATE }, required: ['dueDate'] },
  },
  {
    title: 'standing',
    description: 'standing (长期坚持): no deadline',
    properties: { mode: { enum: ['standing'] } },
    not: {
      anyOf: [
        { properties: { dueDate: DUE_DATE }, required: ['dueDate'] },
        { properties: { dueAt: DUE_AT }, required: ['dueAt'] },
      ],
    },
  },
];

/**
 * Bodies whose fields are each optional but which the server still needs: a change of an org
 * names at least one field; findings are one finding or {findings: […]}; a quarterly feedback
 * reports at least one measure or commitment item.
 */
export const BODIES_NEEDED = [
  'UpdateOrgRequest',
  'RecordFindingsRequest',
  'QuarterlyFeedbackRequest',
];

/** The request schemas whose deadline depends on the mode. */
export const DEADLINE_SCHEMAS = ['CreateTaskRequest'];

/**
 * A success answer in a non-JSON type (a ledger as xlsx or csv, a 通报 as docx) is bytes or
 * text, not the JSON view an operation also answers with: say so for each such media type.
 */
function fileResponses(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, unknown>)[method] as
        | { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }
        | undefined;
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        if (!status.startsWith('2')) continue;
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (type.startsWith('application/json')) continue;
          const schema = media.schema;
          if (schema && !schema.$ref && schema.type === 'string') continue;
          media.schema = type.startsWith('text/')
            ? { type: 'string' }
            : { type: 'string', format: 'binary' };
        }
      }
    }
  }
}

/**
 * Makes the request side of the document tell the truth:
 * - the validation rules of each request class are in its schema (lengths, enums, ranges…);
 * - `oneOf` says which of dueDate/dueAt each mode takes;
 * - a JSON body all of whose fields are optional is not required: the server needs none
 *   (e.g. `accept`), and a generated client need not send `{}`.
 * Mutates and returns the document.
 */
export function completeRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  applyValidationRules(schemas);
  fileResponses(document);
  for (const name of DEADLINE_SCHEMAS) {
    if (schemas[name]) schemas[name].oneOf = DEADLINE_BY_MODE;
  }
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, unknown>)[method] as
        | { requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> } }
        | undefined;
      const body = operation?.requestBody;
      const schema = body?.content?.['application/json']?.schema;
      if (!body || !schema?.$ref) continue;
      const name = schema.$ref.replace('#/components/schemas/', '');
      const target = schemas[name];
      if (target && !target.required?.length && !BODIES_NEEDED.includes(name)) {
        body.required = false;
      }
    }
  }
  return document;
}
