import { BadRequestException } from '@nestjs/common';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, Max } from 'class-validator';
import { localize, splitMessage } from '#duban/domain';
import { createValidationPipe } from './validation';

class ExampleDto {
  @IsString()
  @Length(1, 200, { message: 'name must be 1-200 characters' })
  name!: string;

  @IsIn(['committee', 'branch'])
  kind!: string;

  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dueDate must be a date as YYYY-MM-DD' })
  dueDate?: string;

  @IsOptional()
  @IsUUID('all')
  parentId?: string;

  @IsOptional()
  @Max(200, { message: 'pageSize must be at most 200' })
  pageSize?: number;

  @IsOptional()
  @IsString({ message: 'heldOn：须为约谈日期，格式 YYYY-MM-DD' })
  heldOn?: string;
}

async function problemsOf(body: object) {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: ExampleDto });
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequestException);
    return (e as BadRequestException).getResponse() as {
      code: string;
      message: string;
      errors: { field: string; code: string; message: string }[];
    };
  }
  throw new Error('the body was accepted');
}

describe('the validation pipe in two languages', () => {
  it('says a missing field is to be filled in, by its Chinese label', async () => {
    const r = await problemsOf({ kind: 'committee' });
    expect(r.code).toBe('validation_failed');
    expect(r.errors).toEqual([
      {
        field: 'name',
        code: 'invalid_type',
        message: expect.stringMatching(/^请填写名称 — name /),
      },
    ]);
  });

  it('renders each constraint in Chinese with its arguments, and keeps the English', async () => {
    const r = await problemsOf({
      name: '',
      kind: 'party',
      dueDate: '2026/12/31',
      parentId: 'x',
      pageSize: 1000,
      extra: 1,
    });
    const zh = Object.fromEntries(r.errors.map((e) => [e.field, localize(e.message, 'zh')]));
    const en = Object.fromEntries(r.errors.map((e) => [e.field, localize(e.message, 'en')]));
    expect(zh).toEqual({
      name: '名称须为 1 至 200 个字符',
      kind: '组织类型须为以下之一：committee、branch',
      dueDate: '完成期限须为日期，格式 YYYY-MM-DD',
      parentId: '上级组织格式不正确，须为 UUID',
      pageSize: '每页条数不能大于 200',
      extra: '不接受字段 extra，请删去',
    });
    expect(en.name).toBe('name must be 1-200 characters');
    expect(en.dueDate).toBe('dueDate must be a date as YYYY-MM-DD');
    expect(en.extra).toBe('extra should not exist');
    expect(Object.fromEntries(r.errors.map((e) => [e.field, e.code]))).toEqual({
      name: 'invalid_length',
      kind: 'not_allowed',
      dueDate: 'invalid_format',
      parentId: 'invalid_uuid',
      pageSize: 'out_of_range',
      extra: 'unknown_field',
    });
    // The whole message: every field, language by language.
    const { zh: all, en: allEn } = splitMessage(r.message);
    expect(all.split('；')).toHaveLength(6);
    expect(allEn.split('; ')).toHaveLength(6);
    expect(allEn).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('names the field by its label in a DTO message that is Chinese already', async () => {
    const r = await problemsOf({ name: '县委', kind: 'branch', heldOn: 5 });
    expect(r.errors).toEqual([
      {
        field: 'heldOn',
        code: 'invalid_type',
        message: expect.stringMatching(
          /^召开日期：须为约谈日期，格式 YYYY-MM-DD — heldOn must be a text$/,
        ),
      },
    ]);
  });
});
