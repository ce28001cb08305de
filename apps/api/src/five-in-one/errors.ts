import { ApiResponse } from '@nestjs/swagger';

const COMMON = [
  ApiResponse({ status: 400, description: 'A field is missing or invalid; the message names it' }),
  ApiResponse({ status: 403, description: 'You may not do this; the message says who may' }),
  ApiResponse({ status: 404, description: 'Not found within your scope' }),
  ApiResponse({ status: 409, description: 'Another state is needed, or it was done already' }),
];

/** The refusals every command of the loop may answer with. */
export function LoopErrors(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of COMMON) d(target, key, descriptor);
  };
}
