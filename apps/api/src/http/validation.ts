import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  message: string;
}

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

function firstConstraint(constraints: Record<string, string>): string {
  const key = PRIORITY.find((k) => k in constraints) ?? Object.keys(constraints)[0];
  return constraints[key];
}

function collect(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own: FieldProblem[] = [];
    if (e.constraints && Object.keys(e.constraints).length > 0) {
      const message = firstConstraint(e.constraints);
      own.push({
        field,
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
