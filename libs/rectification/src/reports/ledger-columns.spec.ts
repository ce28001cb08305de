import { cellAsText, LEDGER_COLUMNS, ledgerCells, type LedgerRecord } from './ledger-columns';

const record: LedgerRecord = {
  problemTitle: '问题',
  problemDescription: '',
  categoryName: '分类',
  severity: 'serious',
  source: 'quarterly_check',
  campaign: null,
  orgName: '第一支部',
  raisingOrgName: '某某县委',
  measure: '补齐会议记录',
  mode: 'deadline',
  responsibleOrgName: '第一支部',
  responsibleName: '张三',
  leaderName: null,
  dueDate: '2026-11-02',
  dueTime: '10:00',
  state: 'closed',
  light: 'green',
  escalationLevel: 2,
  escalationName: '督办',
  closedOn: '2026-11-05',
};
const at = (cells: unknown[], key: string) => cells[LEDGER_COLUMNS.findIndex((c) => c.key === key)];

describe('ledger cells', () => {
  it('writes dates as wall-clock Dates, 序号 and 升级级别 as numbers, the step name apart', () => {
    const cells = ledgerCells(record, 7);
    expect(at(cells, 'seq')).toBe(7);
    expect(at(cells, 'dueDate')).toEqual(new Date('2026-11-02T10:00:00.000Z'));
    expect(at(cells, 'closedOn')).toEqual(new Date('2026-11-05T00:00:00.000Z'));
    expect(at(cells, 'escalation')).toBe(2);
    expect(at(cells, 'escalationName')).toBe('督办');
  });

  it('leaves a date-only deadline at midnight, and empty cells empty', () => {
    const cells = ledgerCells(
      { ...record, dueTime: null, escalationLevel: 0, escalationName: null, closedOn: null },
      1,
    );
    expect(at(cells, 'dueDate')).toEqual(new Date('2026-11-02T00:00:00.000Z'));
    expect(at(cells, 'escalation')).toBe('');
    expect(at(cells, 'escalationName')).toBe('');
    expect(at(cells, 'closedOn')).toBe('');
  });

  it('renders cells as the text CSV writes', () => {
    expect(cellAsText(new Date('2026-11-02T10:00:00.000Z'))).toBe('2026-11-02 10:00');
    expect(cellAsText(new Date('2026-11-02T00:00:00.000Z'))).toBe('2026-11-02');
    expect(cellAsText(3)).toBe('3');
    expect(cellAsText('x')).toBe('x');
  });
});
