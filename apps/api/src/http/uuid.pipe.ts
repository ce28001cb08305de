import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** Path ids must be UUIDs; the 400 names the parameter. */
export const uuidParam = (name: string) =>
  new ParseUUIDPipe({
    exceptionFactory: () => new BadRequestException(`${name} must be a UUID, e.g. 3f2b8c1e-…`),
  });
