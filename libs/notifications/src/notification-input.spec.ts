import { checkNotificationInput, NotificationInput, taskIdsOf } from './notification-input';

const A = '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const B = '9e8d7c6b-5a49-4382-b716-05f4e3d2c1b0';

const input = (over: Partial<NotificationInput>): NotificationInput => ({
  userIds: [],
  kind: 'escalation',
  dedupeKey: 'k',
  params: {},
  ...over,
});

describe('taskIdsOf: the tasks a notice is about (a deputy’s copy needs sight of each)', () => {
  it('reads the task of a ladder notice and the tasks of a quarterly list', () => {
    expect(taskIdsOf(input({ params: { taskId: A } }))).toEqual([A]);
    expect(taskIdsOf(input({ params: { tasks: [{ id: A }, { id: B }, { id: A }] } }))).toEqual([
      A,
      B,
    ]);
    expect(taskIdsOf(input({ params: { taskId: 'not-a-uuid', tasks: [null, { x: 1 }] } }))).toEqual(
      [],
    );
  });

  it('prefers the ids given, which must be UUIDs', () => {
    expect(taskIdsOf(input({ taskIds: [B], params: { taskId: A } }))).toEqual([B]);
    expect(() => checkNotificationInput(input({ taskIds: ['x'] }), 0)).toThrow(/taskIds/);
  });
});
