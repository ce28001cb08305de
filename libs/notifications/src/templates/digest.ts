import { formatDateTime } from './params';

export interface DigestItem {
  title: string;
  body: string;
  createdAt: Date;
}

/**
 * 每日汇总: the one daily e-mail that replaces a stream of single messages for people who
 * asked for it (urgent notices are never held back for it).
 */
export function renderDigest(
  items: readonly DigestItem[],
  timeZone: string,
): { subject: string; text: string } {
  const sections = items.map(
    (item, i) =>
      `${i + 1}. ${item.title}（${formatDateTime(item.createdAt, timeZone)}）\n${item.body}`,
  );
  // The subject names what the first item is about (its title's text after the 【tag】).
  const first = items[0]?.title.replace(/^【[^】]*】/, '') ?? '';
  const about = first ? `${first}${items.length > 1 ? `等${items.length}条` : ''}` : '';
  return {
    subject: `【督办】每日汇总：${about || `${items.length}条待办提醒`}`,
    text:
      `以下是您的督办事项每日汇总，共${items.length}条：\n\n${sections.join('\n\n')}\n\n` +
      '详情请登录督办系统查看并办理。',
  };
}
