import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  message: string;
}

function collect(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message:
        message.startsWith(`${e.property} `) || message.startsWith('property ')
          ? message.replace(/^property /, '').replace(e.property, field)
          : `${field}: ${message}`,
    }));
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
