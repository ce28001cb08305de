/**
 * The only source of "now" in the system. The domain never reads the wall clock: every rule
 * takes the current instant as an argument, and services get it from an injected Clock.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('Clock');
