import type { ReactNode } from 'react';
import { formatDeadline } from '../format';
import { Link } from '../router';
import type { Task } from '../types';
import { LevelBadge, LightBadge, StateBadge } from './ui';

/** Measures as a table (cards on a phone), most urgent first as the API sorts them. */
export function TaskTable({
  tasks,
  action,
  showProblem = true,
  people,
  empty = '暂无',
}: {
  tasks: Task[];
  action?: (task: Task) => ReactNode;
  showProblem?: boolean;
  people?: Map<string, string>;
  empty?: string;
}) {
  if (tasks.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="table-wrap">
      <table className="tasks">
        <thead>
          <tr>
            <th scope="col">预警</th>
            <th scope="col">整改措施</th>
            {showProblem && <th scope="col">问题</th>}
            <th scope="col">责任单位</th>
            {people && <th scope="col">责任人</th>}
            <th scope="col">期限</th>
            <th scope="col">状态</th>
            <th scope="col">升级</th>
            {action && <th scope="col">操作</th>}
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.id} data-task-id={t.id}>
              <td data-label="预警">
                <LightBadge light={t.light} />
              </td>
              <td data-label="整改措施" className="measure">
                <Link to={`/tasks/${t.id}`}>{t.measure}</Link>
              </td>
              {showProblem && (
                <td data-label="问题">
                  <Link to={`/problems/${t.problemId}`}>{t.problemTitle}</Link>
                </td>
              )}
              <td data-label="责任单位">{t.responsibleOrgName}</td>
              {people && (
                <td data-label="责任人">
                  {t.responsibleUserName ?? people.get(t.responsibleUserId) ?? '—'}
                </td>
              )}
              <td data-label="期限">{formatDeadline(t.dueAt)}</td>
              <td data-label="状态">
                <StateBadge state={t.state} />
                {t.withdrawn && <span className="tag">已撤回</span>}
              </td>
              <td data-label="升级">
                <LevelBadge level={t.escalationLevel} />
              </td>
              {action && (
                <td data-label="操作" className="actions">
                  {action(t)}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
