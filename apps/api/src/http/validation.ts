import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { bilingual, fieldLabel, hasChinese, joinMessages, splitMessage } from '#duban/domain';

export interface FieldProblem {
  field: string;
  /** Stable name of the problem (`required`, `invalid_type`, `unknown_field`, …). */
  code: string;
  /** `中文 — English` (see messages.ts in the domain kernel); the error filter picks one. */
  message: string;
}

const CODE_OF_CONSTRAINT: Record<string, string> = {
  whitelistValidation: 'unknown_field',
  isDefined: 'required',
  isNotEmpty: 'required',
  arrayNotEmpty: 'required',
  isString: 'invalid_type',
  isInt: 'invalid_type',
  isNumber: 'invalid_type',
  isBoolean: 'invalid_type',
  isArray: 'invalid_type',
  isObject: 'invalid_type',
  isIn: 'not_allowed',
  isEnum: 'not_allowed',
  isUuid: 'invalid_uuid',
  isUUID: 'invalid_uuid',
  isIso8601: 'invalid_date',
  isDateString: 'invalid_date',
  isEmail: 'invalid_format',
  isUrl: 'invalid_format',
  isTimeZone: 'invalid_format',
  matches: 'invalid_format',
  isLength: 'invalid_length',
  minLength: 'invalid_length',
  maxLength: 'invalid_length',
  length: 'invalid_length',
  arrayMinSize: 'invalid_length',
  arrayMaxSize: 'invalid_length',
  arrayUnique: 'duplicate',
  min: 'out_of_range',
  max: 'out_of_range',
};

// A value of the wrong type also fails its length or range checks: report the most basic
// problem of each field only, so the message says what to fix first.
const PRIORITY = [
  'whitelistValidation',
  'isDefined',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isIn',
  'isUuid',
  'isUUID',
  'isIso8601',
  'matches',
];

function firstConstraint(constraints: Record<string, string>): { key: string; message: string } {
  const key = PRIORITY.find((k) => k in constraints) ?? Object.keys(constraints)[0];
  return { key, message: constraints[key] };
}

/** The arguments of a constraint (`@Length(1, 200)` → [1, 200]), from class-validator's metadata. */
function argumentsOf(error: ValidationError, key: string): unknown[] {
  const target = error.target as object | undefined;
  if (!target) return [];
  const metadata = getMetadataStorage()
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .find((m) => m.propertyName === error.property && m.name === key);
  return (metadata?.constraints as unknown[] | undefined) ?? [];
}

const list = (values: unknown): string =>
  (Array.isArray(values) ? values : Object.values((values ?? {}) as object)).map(String).join('、');

/** The Chinese of one problem of a field, from its constraint and the constraint's arguments. */
export function chineseProblem(
  label: string,
  key: string,
  args: unknown[],
  english: string,
): string {
  const [a, b] = args;
  switch (key) {
    case 'whitelistValidation':
      return `不接受字段 ${label}，请删去`;
    case 'isDefined':
    case 'isNotEmpty':
    case 'arrayNotEmpty':
      return `请填写${label}`;
    case 'isString':
      return `${label}须为文本`;
    case 'isInt':
      return `${label}须为整数`;
    case 'isNumber':
      return `${label}须为数字`;
    case 'isBoolean':
      return `${label}须为 true 或 false`;
    case 'isArray':
      return `${label}须为列表`;
    case 'isObject':
      return `${label}须为对象`;
    case 'isIn':
    case 'isEnum':
      return args.length ? `${label}须为以下之一：${list(a)}` : `${label}的取值不在允许范围内`;
    case 'isUuid':
    case 'isUUID':
      return `${label}格式不正确，须为 UUID`;
    case 'isIso8601':
    case 'isDateString':
      return `${label}须为日期，格式 YYYY-MM-DD`;
    case 'isEmail':
      return `${label}须为电子邮箱地址`;
    case 'isUrl':
      return `${label}须为网址`;
    case 'isTimeZone':
      return `${label}须为时区名称，如 Asia/Shanghai`;
    case 'matches':
      if (/YYYY-MM-DD/.test(english)) return `${label}须为日期，格式 YYYY-MM-DD`;
      if (/HH:MM/i.test(english)) return `${label}须为时刻，格式 HH:MM`;
      if (/YYYYQ/i.test(english)) return `${label}须写作 YYYYQn，如 2026Q4`;
      return `${label}的格式不正确`;
    case 'isLength':
      return typeof b === 'number'
        ? `${label}须为 ${String(a)} 至 ${b} 个字符`
        : `${label}至少 ${String(a)} 个字符`;
    case 'minLength':
      return `${label}至少 ${String(a)} 个字符`;
    case 'maxLength':
      return `${label}至多 ${String(a)} 个字符`;
    case 'arrayMinSize':
      return `${label}至少 ${String(a)} 项`;
    case 'arrayMaxSize':
      return `${label}至多 ${String(a)} 项`;
    case 'arrayUnique':
      return `${label}不能有重复项`;
    case 'min':
      return `${label}不能小于 ${String(a)}`;
    case 'max':
      return `${label}不能大于 ${String(a)}`;
    default:
      return `${label}不符合要求`;
  }
}

/** The English of one problem, when the DTO's own message is Chinese only. */
function englishProblem(field: string, key: string, args: unknown[]): string {
  const [a, b] = args;
  switch (key) {
    case 'isDefined':
    case 'isNotEmpty':
    case 'arrayNotEmpty':
      return `${field} is required`;
    case 'isString':
      return `${field} must be a text`;
    case 'isInt':
      return `${field} must be a whole number`;
    case 'isNumber':
      return `${field} must be a number`;
    case 'isArray':
      return `${field} must be a list`;
    case 'isUuid':
    case 'isUUID':
      return `${field} must be a UUID`;
    case 'isIn':
      return `${field} must be one of ${list(a).replace(/、/g, ', ')}`;
    case 'isLength':
      return `${field} must be ${String(a)}-${String(b ?? '')} characters`;
    case 'arrayMinSize':
      return `${field} must have at least ${String(a)} items`;
    case 'arrayMaxSize':
      return `${field} must have at most ${String(a)} items`;
    case 'min':
      return `${field} must be at least ${String(a)}`;
    case 'max':
      return `${field} must be at most ${String(a)}`;
    default:
      return `${field} is not valid`;
  }
}

/** A DTO's own message in Chinese (`heldOn：须为…`) names the field by its label instead. */
function ownChinese(message: string, property: string, label: string): string {
  const own = splitMessage(message).zh;
  const name = property.replace(/[$]/g, '\\$');
  return own
    .replace(new RegExp(`^${name}\\s*[：:]\\s*`), `${label}：`)
    .replace(new RegExp(`^${name}\\s+(?=[\\u3400-\\u9fff])`), label);
}

function collect(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own: FieldProblem[] = [];
    if (e.constraints && Object.keys(e.constraints).length > 0) {
      const { key, message } = firstConstraint(e.constraints);
      const label = fieldLabel(field);
      const english = splitMessage(message).en;
      const args = argumentsOf(e, key);
      const en = hasChinese(english)
        ? englishProblem(field, key, args)
        : english.startsWith(`${e.property} `) || english.startsWith('property ')
          ? english.replace(/^property /, '').replace(e.property, field)
          : `${field}: ${english}`;
      // A field left out fails every check of its type: say that it is missing.
      const missing = (e.value === undefined || e.value === null) && key !== 'whitelistValidation';
      const zh = missing
        ? `请填写${label}`
        : hasChinese(message)
          ? ownChinese(message, e.property, label)
          : chineseProblem(label, key, args, english);
      own.push({
        field,
        code: CODE_OF_CONSTRAINT[key] ?? 'invalid',
        message: bilingual(zh, en),
      });
    }
    return [...own, ...collect(e.children ?? [], field)];
  });
}

/** The 400 of a list of field problems: one message naming each, in both languages. */
export function validationBody(problems: FieldProblem[]) {
  return {
    statusCode: 400,
    error: 'Bad Request',
    code: 'validation_failed',
    message: joinMessages(problems.map((p) => p.message)),
    errors: problems,
  };
}

/**
 * DTO validation for every request: unknown fields are refused (not silently dropped), and
 * the 400 names each field with its problem, in `message` and as a list in `errors`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // Target and value are kept to find each constraint's arguments and whether the field is
    // missing; neither leaves the server (the body names fields and problems only).
    validationError: { target: true, value: true },
    exceptionFactory: (errors) => new BadRequestException(validationBody(collect(errors))),
  });
}
