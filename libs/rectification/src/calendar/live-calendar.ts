import { WorkingDayCalendar } from '#duban/domain';

/**
 * A WorkingDayCalendar that answers every call with whichever calendar `current()` returns at
 * that moment, so services that received the calendar once by injection see overrides edited
 * later without being changed themselves.
 *
 * A Proxy rather than a subclass: WorkingDayCalendar has private members (so TypeScript only
 * accepts real instances) and a `knownYears` field a subclass cannot turn into a getter; the
 * Proxy forwards every member, including ones added to the class later, and keeps `instanceof`.
 * A rule that calls the calendar several times runs synchronously, and the calendar is only
 * swapped between turns of the event loop, so one computation never mixes two versions.
 */
export function liveCalendar(current: () => WorkingDayCalendar): WorkingDayCalendar {
  const target = Object.create(WorkingDayCalendar.prototype) as WorkingDayCalendar;
  return new Proxy(target, {
    get(_target, property) {
      const calendar = current();
      const value: unknown = Reflect.get(calendar, property, calendar);
      return typeof value === 'function' ? value.bind(calendar) : value;
    },
    has(_target, property) {
      return Reflect.has(current(), property);
    },
    set() {
      throw new TypeError('the working-day calendar is read-only; edit its overrides instead');
    },
  });
}
