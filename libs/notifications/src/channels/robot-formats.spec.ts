import { createHmac } from 'node:crypto';
import { dingTalkSign, robotRequest } from './robot-formats';

const payload = { msgtype: 'text', duban: { title: '【督办】逾期', body: '第一行\n第二行' } };
const NOW = 1_793_000_000_123;

describe('robot formats', () => {
  it('signs DingTalk requests in the query: timestamp (ms) and base64 HMAC-SHA256', () => {
    const secret = 'SEC0123456789abcdef';
    const expected = createHmac('sha256', secret).update(`${NOW}\n${secret}`).digest('base64');
    expect(dingTalkSign(secret, NOW)).toBe(expected);
    const r = robotRequest(
      'dingtalk',
      'https://oapi.dingtalk.com/robot/send?access_token=x',
      secret,
      payload,
      NOW,
    );
    const u = new URL(r.url);
    expect(u.searchParams.get('access_token')).toBe('x');
    expect(u.searchParams.get('timestamp')).toBe(String(NOW));
    expect(u.searchParams.get('sign')).toBe(expected);
    expect(JSON.parse(r.body)).toEqual({
      msgtype: 'markdown',
      markdown: { title: '【督办】逾期', text: '### 【督办】逾期\n\n第一行\n\n第二行' },
    });
  });

  it('posts WeCom markdown to the key URL unchanged', () => {
    const url = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc';
    const r = robotRequest('wecom', url, null, payload, NOW);
    expect(r.url).toBe(url);
    expect(JSON.parse(r.body)).toEqual({
      msgtype: 'markdown',
      markdown: { content: '### 【督办】逾期\n\n第一行\n\n第二行' },
    });
  });

  it('keeps Duban’s signed JSON', () => {
    const r = robotRequest('duban', 'http://127.0.0.1/x', 'secret-secret-secret', payload, NOW);
    expect(JSON.parse(r.body)).toEqual(payload);
    expect(r.headers['X-Duban-Timestamp']).toBe(String(Math.floor(NOW / 1000)));
    expect(r.headers['X-Duban-Signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});
