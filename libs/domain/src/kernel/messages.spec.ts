import {
  bilingual,
  fieldLabel,
  hasChinese,
  joinMessages,
  languageOf,
  localize,
  splitMessage,
} from './messages';

describe('messages in two languages', () => {
  it('splits 中文 — English into its parts', () => {
    expect(splitMessage('该用户不存在 — there is no user with this id')).toEqual({
      zh: '该用户不存在',
      en: 'there is no user with this id',
    });
    expect(localize(bilingual('意见不能为空', 'comment is required'), 'en')).toBe(
      'comment is required',
    );
    expect(localize(bilingual('意见不能为空', 'comment is required'), 'zh')).toBe('意见不能为空');
  });

  it('keeps a dash inside the Chinese part, and splits where the English begins', () => {
    expect(splitMessage('无权撤销该角色 — 只有管理员可以 — only an administrator may')).toEqual({
      zh: '无权撤销该角色 — 只有管理员可以',
      en: 'only an administrator may',
    });
  });

  it('splits where the English begins, even when the English quotes a Chinese name', () => {
    expect(
      splitMessage(
        '同一上级组织下已有名为“某县委”的组织 — name: an organisation named "某县委" exists',
      ),
    ).toEqual({
      zh: '同一上级组织下已有名为“某县委”的组织',
      en: 'name: an organisation named "某县委" exists',
    });
  });

  it('shows a message without English as it is in both languages', () => {
    expect(splitMessage('日历订阅地址无效或已撤销')).toEqual({
      zh: '日历订阅地址无效或已撤销',
      en: '日历订阅地址无效或已撤销',
    });
    expect(splitMessage('only English — here')).toEqual({
      zh: 'only English — here',
      en: 'only English — here',
    });
  });

  it('joins several messages language by language', () => {
    expect(
      joinMessages([
        bilingual('请填写意见', 'comment is required'),
        bilingual('日期有误', 'bad date'),
      ]),
    ).toBe('请填写意见；日期有误 — comment is required; bad date');
    expect(joinMessages(['只有中文', '也是中文'])).toBe('只有中文；也是中文');
  });

  it('tells Chinese text apart', () => {
    expect(hasChinese('完成期限')).toBe(true);
    expect(hasChinese('dueDate must be a date')).toBe(false);
  });

  it('chooses English only when English is preferred', () => {
    expect(languageOf(undefined)).toBe('zh');
    expect(languageOf('')).toBe('zh');
    expect(languageOf('en')).toBe('en');
    expect(languageOf('en-US,en;q=0.9')).toBe('en');
    expect(languageOf('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(languageOf('zh;q=0.5, en;q=0.9')).toBe('en');
    expect(languageOf('fr')).toBe('zh');
    expect(languageOf('*')).toBe('zh');
    expect(languageOf('english')).toBe('zh');
  });

  it('names fields by their Chinese labels', () => {
    expect(fieldLabel('dueDate')).toBe('完成期限');
    expect(fieldLabel('newDueDate')).toBe('新的完成期限');
    expect(fieldLabel('comment')).toBe('意见');
    expect(fieldLabel('tasks[0].dueDate')).toBe('第1项措施的完成期限');
    expect(fieldLabel('tasks.2.responsibleOrgId')).toBe('第3项措施的责任单位');
    expect(fieldLabel('teamUserIds[1]')).toBe('督查组成员的第2项');
    expect(fieldLabel('steps[2].after')).toBe('第3级升级步骤的时间');
    expect(fieldLabel('default.remindBefore[0]')).toBe('一般问题的规则的第1次提醒');
    expect(fieldLabel('unknownThing')).toBe('unknownThing');
  });
});
