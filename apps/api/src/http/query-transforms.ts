import { Transform } from 'class-transformer';

/** Query strings are text: "true"/"false" become booleans, anything else stays to fail validation. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));
