import type { Refusal } from '#duban/domain';
import { conflict, DomainError, forbidden } from '#duban/domain';

/** A refused transition as the api reports it: 403 who may, 409 which state, 400 which input. */
export function refusalError(r: Refusal): DomainError {
  switch (r.code) {
    case 'forbidden':
      return forbidden(r.reason, r.errorCode);
    case 'invalid_state':
      return conflict(r.reason, undefined, r.errorCode);
    case 'invalid_input':
      return new DomainError('invalid', r.reason, undefined, undefined, r.errorCode);
  }
}
