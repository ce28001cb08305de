import { relative } from 'node:path';
import { ROOT } from './paths.mjs';

/** Where the service listens and how to log in, in Chinese and English. */
export function printBanner({ port, env, passwordSource, localServices }) {
  const base = `http://localhost:${port}`;
  const password =
    passwordSource === 'env'
      ? '（由 DUBAN_ADMIN_PASSWORD 设置 / as set in DUBAN_ADMIN_PASSWORD）'
      : `${env.DUBAN_ADMIN_PASSWORD}   （保存在 / kept in ${relative(ROOT, passwordSource)}）`;
  const rule = '─'.repeat(72);
  const lines = [
    '',
    rule,
    '  督办 Duban 已启动 / is running',
    '',
    `  访问地址  URL          ${base}/`,
    `  接口文档  API docs     ${base}/api/docs`,
    `  健康检查  Health       ${base}/health`,
    `  管理员    Admin user   ${env.DUBAN_ADMIN_USERNAME}`,
    `  密码      Password     ${password}`,
    '  （管理员仅在数据库中还没有管理员时创建 / the admin is created only if none exists yet）',
  ];
  if (localServices.length > 0) {
    lines.push('', `  本地服务  Local services (stopped on exit): ${localServices.join(', ')}`);
  }
  lines.push('', '  按 Ctrl-C 停止 / press Ctrl-C to stop', rule, '');
  process.stdout.write(lines.join('\n') + '\n');
}
