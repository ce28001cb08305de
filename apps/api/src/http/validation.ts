import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  /** Stable name of the problem (`required`, `invalid_type`, `unknown_field`, …). */
  code: string;
  message: string;
}

const CODE_OF_CONSTRAINT: Record<string, string> = {
  whitelistValidation: 'unknown_field',
  isDefined: 'required',
  isNotEmpty: 'required',
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
  isEmail: 'invalid_format',
  matches: 'invalid_format',
  minLength: 'invalid_length',
  maxLength: 'invalid_length',
  length: 'invalid_length',
  arrayMinSize: 'invalid_length',
  arrayMaxSize: 'invalid_length',
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

function collect(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own: FieldProblem[] = [];
    if (e.constraints && Object.keys(e.constraints).length > 0) {
      const { key, message } = firstConstraint(e.constraints);
      own.push({
        field,
        code: CODE_OF_CONSTRAINT[key] ?? 'invalid',
        message:
          message.startsWith(`${e.property} `) || message.startsWith('property ')
            ? message.replace(/^property /, '').replace(e.property, field)
            : `${field}: ${message}`,
      });
    }
    return [...own, ...collect(e.children ?? [], field)];
  });
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
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const problems = collect(errors);
      return new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: problems.map((p) => p.message).join('; '),
        errors: problems,
      });
    },
  });
}
