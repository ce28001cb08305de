import { useState } from 'react';
import { call, client } from '../api';
import { ErrorBox, Loading, Section, useAsync } from '../components/ui';
import { getOrg, namesAround } from '../directory';
import { GRADE_LABEL, type Grade, type Review } from '../loop-types';
import { Link } from '../router';

const GRADES = Object.keys(GRADE_LABEL) as Grade[];

/** The reviews I host, vote in, or am a subject of. */
export function ReviewListPage() {
  const { data, error, loading } = useAsync(() => call(client.GET('/api/v1/reviews')), []);
  return (
    <>
      <h1>述职评议</h1>
      <Section title="评议" count={data?.length}>
        {loading && <Loading />}
        <ErrorBox error={error} />
        <ul>
          {(data ?? []).map((r) => (
            <li key={r.id}>
              <Link to={`/reviews/${r.id}`}>
                {r.year} 年度述职评议（{r.state === 'open' ? '投票中' : '已结束'}）
              </Link>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

/** The subject's name and org, as far as the caller may see them. */
function Name({ userId, orgId }: { userId: string; orgId: string }) {
  const { data } = useAsync(
    async () => ({
      name: (await namesAround([orgId])).get(userId) ?? '述职对象',
      org: (await getOrg(orgId))?.name ?? '',
    }),
    [userId, orgId],
  );
  return <>{data ? `${data.org} 书记 ${data.name}` : '…'}</>;
}

function BallotForm({
  review,
  subjectUserId,
  onVoted,
}: {
  review: Review;
  subjectUserId: string;
  onVoted: () => void;
}) {
  const [grade, setGrade] = useState<Grade | ''>('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>(null);
  const vote = async () => {
    setError(null);
    try {
      await call(
        client.POST('/api/v1/reviews/{id}/ballots', {
          params: { path: { id: review.id } },
          body: {
            subjectUserId,
            grade: grade as Grade,
            ...(comment.trim() ? { comment } : {}),
          },
        }),
      );
      onVoted();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <fieldset className="ballot">
      <legend>评议等次</legend>
      <div className="grade-choices">
        {GRADES.map((g) => (
          <label key={g} className="grade-choice">
            <input
              type="radio"
              name={`grade-${subjectUserId}`}
              value={g}
              checked={grade === g}
              onChange={() => setGrade(g)}
            />
            {GRADE_LABEL[g]}
          </label>
        ))}
      </div>
      <label>
        意见（可不填）
        <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={2} />
      </label>
      <button type="button" className="button primary" disabled={!grade} onClick={vote}>
        投票
      </button>
      <ErrorBox error={error} />
    </fieldset>
  );
}

/** One review: vote on a phone while it is open; the frozen tallies once it is closed. */
export function ReviewPage({ id }: { id: string }) {
  const {
    data: review,
    error,
    loading,
    reload,
  } = useAsync(() => call(client.GET('/api/v1/reviews/{id}', { params: { path: { id } } })), [id]);
  if (loading && !review) return <Loading />;
  if (!review) return <ErrorBox error={error} />;
  return (
    <>
      <h1>{review.year} 年度述职评议</h1>
      <p className="muted">
        {review.state === 'open'
          ? '匿名投票：系统只记录你是否已投票，不记录你投了什么。'
          : '评议已结束，票数已冻结。'}
      </p>
      {review.subjects.map((s) => {
        const voted = review.myBallots.includes(s.userId);
        return (
          <article key={s.userId} className="card review-subject" data-testid="review-subject">
            <h2>
              <Name userId={s.userId} orgId={s.orgId} />
            </h2>
            {s.report && <p className="prewrap">{s.report.text}</p>}
            {review.state === 'open' &&
              (voted ? (
                <p className="ok" data-testid="voted">
                  已投票
                </p>
              ) : (
                <BallotForm review={review} subjectUserId={s.userId} onVoted={reload} />
              ))}
            {s.counts && (
              <p data-testid="tally">
                {GRADES.map((g) => `${GRADE_LABEL[g]} ${s.counts![g]}`).join('，')}；共 {s.voters}{' '}
                人投票；得分 {s.score ?? '—'}（{s.grade ? GRADE_LABEL[s.grade] : '—'}）
              </p>
            )}
          </article>
        );
      })}
    </>
  );
}
