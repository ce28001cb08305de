import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';
import { fieldLabel } from '#duban/domain';

/** Path ids must be UUIDs; the 400 names the parameter, in `message` and `errors[]`. */
export const uuidParam = (name: string) =>
  new ParseUUIDPipe({
    exceptionFactory: () => {
      const message = `${fieldLabel(name)}格式不正确，须为 UUID — ${name} must be a UUID, e.g. 3f2b8c1e-…`;
      return new BadRequestException({
        message,
        code: 'validation_failed',
        errors: [{ field: name, code: 'invalid_uuid', message }],
      });
    },
  });
