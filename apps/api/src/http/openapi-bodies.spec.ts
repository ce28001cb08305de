import type { OpenAPIObject } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { completeRequestBodies } from './openapi-bodies';

// Registered with class-validator by their decorators; the schemas below carry their names.
export class NoteRequest {
  @IsOptional()
  @IsString()
  @Length(1, 50)
  note?: string;
}

export class ScoreRequest {
  @IsIn(['a', 'b'])
  grade!: string;

  @Min(0)
  @Max(100)
  score!: number;
}

function doc(): OpenAPIObject {
  const body = (name: string) => ({
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
    required: true,
  });
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/note': { post: { requestBody: body('NoteRequest'), responses: {} } },
      '/score': { post: { requestBody: body('ScoreRequest'), responses: {} } },
      '/file': {
        get: {
          responses: {
            '200': {
              description: 'ok',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/ScoreRequest' } },
                'text/csv': { schema: { $ref: '#/components/schemas/ScoreRequest' } },
                'application/pdf': { schema: { type: 'object' } },
              },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        NoteRequest: { type: 'object', properties: { note: { type: 'string' } } },
        ScoreRequest: {
          type: 'object',
          required: ['grade', 'score'],
          properties: { grade: { type: 'string' }, score: { type: 'number' } },
        },
        CreateTaskRequest: { type: 'object', properties: { mode: { type: 'string' } } },
      },
    },
  } as unknown as OpenAPIObject;
}

describe('completeRequestBodies', () => {
  const d = completeRequestBodies(doc());
  const schemas = d.components!.schemas as Record<string, { properties: Record<string, object> }>;

  it('writes the validation rules into the request schemas', () => {
    expect(schemas.NoteRequest.properties.note).toMatchObject({ minLength: 1, maxLength: 50 });
    expect(schemas.ScoreRequest.properties.grade).toMatchObject({ enum: ['a', 'b'] });
    expect(schemas.ScoreRequest.properties.score).toMatchObject({ minimum: 0, maximum: 100 });
  });

  it('does not require a body whose fields are all optional', () => {
    expect(d.paths['/note'].post!.requestBody).toMatchObject({ required: false });
    expect(d.paths['/score'].post!.requestBody).toMatchObject({ required: true });
  });

  it('says which of dueDate and dueAt each mode takes', () => {
    const oneOf = (schemas.CreateTaskRequest as { oneOf?: { title: string }[] }).oneOf!;
    expect(oneOf.map((o) => o.title)).toEqual(['dueDate', 'dueAt', 'standing']);
  });

  it('types a non-JSON answer as text or bytes, not as the JSON view', () => {
    const content = (d.paths['/file'].get!.responses['200'] as { content: Record<string, object> })
      .content;
    expect(content['text/csv']).toEqual({ schema: { type: 'string' } });
    expect(content['application/pdf']).toEqual({ schema: { type: 'string', format: 'binary' } });
    expect(content['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/ScoreRequest' },
    });
  });
});
