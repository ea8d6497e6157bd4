import type { TenantDb } from '../../platform/db/tenant-db.ts';
import { defineRoute, type HandlerContext, type Responded } from '../../platform/http/define-route.ts';
import { HavenError } from '../../platform/http/errors.ts';
import { escapeHtml, renderPage } from '../../platform/http/pages.ts';
import type { Account } from '../../platform/tenancy/accounts-directory.ts';
import { formToken, formTokenValid, page, redirect } from '../access/access.forms.ts';
import { rateTicket, ratingUnavailable } from './satisfaction.commands.ts';
import { findRatingLink, listReasons, type RatingLink, type ReasonRow } from './satisfaction.queries.ts';
import {
  RATING_COMMENT_MAX,
  ratingPageForm,
  ratingPageParams,
  ratingPageQuery,
} from './satisfaction.schema.ts';

/**
 * The page a rating email links to: the requester rates without signing in, the link being their credential.
 * GET only shows (`?score=good|bad` preselects, so mail clients that open links cannot rate); POST saves and
 * redirects back with `?saved=1`. No scripts: the reason list hides itself with CSS unless Bad is chosen.
 */
type Ctx = HandlerContext<any, any, any>;
type Valid = Extract<RatingLink, { kind: 'valid' }>;
type Score = 'good' | 'bad';

interface FormValues {
  score: Score | null;
  comment: string;
  reasonCode: number;
}
interface FormErrors {
  score?: string;
  comment?: string;
  reason_code?: string;
}

const SCORE_LABELS: Record<Score, string> = { good: "Good, I'm satisfied", bad: "Bad, I'm unsatisfied" };

const STYLE = `<style>
fieldset{border:0;margin:1.25rem 0 0;padding:0}legend{font-weight:600;padding:0;margin-bottom:.25rem}
label.choice{display:flex;gap:.6rem;align-items:center;font-weight:400;margin:.5rem 0;padding:.6rem .8rem;border:1px solid var(--border);border-radius:8px;cursor:pointer}
label.choice input{width:auto;margin:0;accent-color:var(--accent)}
label.choice:has(input:checked){border-color:var(--accent);box-shadow:inset 0 0 0 1px var(--accent)}
select,textarea{width:100%;padding:.6rem .7rem;font:inherit;color:inherit;background:var(--card);border:1px solid var(--border);border-radius:8px}
textarea{resize:vertical}
select:focus-visible,textarea:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
form:not(:has(#score-bad:checked)) .reason{display:none}
.saved{border-left:4px solid var(--accent);padding:.5rem .75rem;margin:1rem 0}
</style>`;

/** A link that was never issued, has expired or no longer fits its ticket: nothing about any ticket. */
function unknownLinkPage(): Responded {
  return page(
    404,
    renderPage(
      'Link not valid',
      `<h1>This rating link is not valid</h1>
<p class="lead">It may have expired, or the request it was for has changed. Thank you for wanting to tell us how we did; you can reply to the email about your request instead.</p>`,
    ),
  );
}

function closedPage(status: number, account: Account, link: Valid, why: 'not_solved' | 'not_offered') {
  const message =
    why === 'not_solved'
      ? 'This request is open again, so it cannot be rated now. You can rate it once it is solved.'
      : 'This request is not open for rating.';
  return page(
    status,
    renderPage(
      'Rate your support',
      `<h1>Rate your support</h1>
${requestSummary(account, link)}
<p role="status">${escapeHtml(message)}</p>`,
    ),
  );
}

function requestSummary(account: Account, link: Valid): string {
  return `<p class="lead">Your request to ${escapeHtml(account.name)}</p>
<dl><dt>Request</dt><dd>#${link.ticket.id} ${escapeHtml(link.ticket.subject)}</dd></dl>`;
}

function ratingForm(
  ctx: Ctx,
  account: Account,
  token: string,
  link: Valid,
  reasons: ReasonRow[],
  values: FormValues,
  errors: FormErrors,
  banner?: { text: string; kind: 'error' | 'saved' },
): string {
  const rated = link.rating && link.rating.score !== 'offered' ? (link.rating.score as Score) : null;
  const radio = (score: Score) =>
    `<label class="choice"><input type="radio" name="score" value="${score}" id="score-${score}"${values.score === score ? ' checked' : ''}${errors.score ? ' aria-invalid="true" aria-describedby="score-error"' : ''}> ${escapeHtml(SCORE_LABELS[score])}</label>`;
  const fieldError = (name: keyof FormErrors, id: string) =>
    errors[name] ? `<p class="field-error" id="${id}">${escapeHtml(errors[name])}</p>` : '';
  const options = reasons
    .filter((r) => r.reason_code !== 0)
    .map(
      (r) =>
        `<option value="${r.reason_code}"${values.reasonCode === r.reason_code ? ' selected' : ''}>${escapeHtml(r.value)}</option>`,
    )
    .join('');
  const bannerHtml = !banner
    ? ''
    : banner.kind === 'saved'
      ? `<p class="saved" role="status">${escapeHtml(banner.text)}</p>`
      : `<p class="error" role="alert">${escapeHtml(banner.text)}</p>`;
  return renderPage(
    'Rate your support',
    `${STYLE}<h1>How would you rate the support you received?</h1>
${requestSummary(account, link)}
${bannerHtml}
${rated && banner?.kind !== 'saved' ? `<p>You rated this request <strong>${rated === 'good' ? 'Good' : 'Bad'}</strong>. You can change your rating below.</p>` : ''}
<form method="post" action="/satisfaction/${escapeHtml(token)}">
<input type="hidden" name="authenticity_token" value="${escapeHtml(formToken(ctx))}">
<fieldset>
<legend>Your rating</legend>
${radio('good')}
${radio('bad')}
${fieldError('score', 'score-error')}
</fieldset>
<div class="reason">
<label for="f-reason_code">What is the main reason for your rating? (optional)</label>
<select id="f-reason_code" name="reason_code"${errors.reason_code ? ' aria-invalid="true" aria-describedby="f-reason_code-error"' : ''}>
<option value="0">Choose a reason</option>${options}
</select>
${fieldError('reason_code', 'f-reason_code-error')}
</div>
<label for="f-comment">Comment (optional)</label>
<textarea id="f-comment" name="comment" rows="5" maxlength="${RATING_COMMENT_MAX}"${errors.comment ? ' aria-invalid="true" aria-describedby="f-comment-error"' : ''}>${escapeHtml(values.comment)}</textarea>
${fieldError('comment', 'f-comment-error')}
<button type="submit">Submit rating</button>
</form>`,
  );
}

const asScore = (value: string | undefined): Score | null =>
  value === 'good' || value === 'bad' ? value : null;

/** The account and the ticket a link names, or the page to answer with instead. */
async function openLink(
  ctx: Ctx,
  token: string,
): Promise<{ account: Account; db: TenantDb; link: Valid } | { answer: Responded }> {
  const account = ctx.maybeAccount;
  if (!account) return { answer: unknownLinkPage() };
  const db = ctx.services.tenantDb(account.id);
  const link = await findRatingLink(db, token);
  if (link.kind === 'unknown') return { answer: unknownLinkPage() };
  return { account, db, link };
}

export const satisfactionPages = [
  defineRoute({
    method: 'GET',
    url: '/satisfaction/:token',
    auth: 'public',
    page: true,
    summary: 'The page a satisfaction rating email links to',
    params: ratingPageParams,
    query: ratingPageQuery,
    handler: async (ctx) => {
      const opened = await openLink(ctx, ctx.params.token);
      if ('answer' in opened) return opened.answer;
      const { account, db, link } = opened;
      const why = ratingUnavailable(link.ticket);
      if (why) return closedPage(200, account, link, why);
      const current = link.rating;
      const values: FormValues = {
        score: asScore(ctx.query.score) ?? (current?.score === 'offered' ? null : (current?.score ?? null)),
        comment: current?.comment ?? '',
        reasonCode: current?.reason_code ?? 0,
      };
      const saved = ctx.query.saved === '1' && current && current.score !== 'offered';
      const banner = saved
        ? { kind: 'saved' as const, text: 'Thank you! Your rating was saved. You can change it below.' }
        : undefined;
      return page(
        200,
        ratingForm(ctx, account, ctx.params.token, link, await listReasons(db), values, {}, banner),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/satisfaction/:token',
    auth: 'public',
    page: true,
    summary: 'Save the rating given on the rating page',
    params: ratingPageParams,
    body: ratingPageForm,
    handler: async (ctx) => {
      const { token } = ctx.params;
      const opened = await openLink(ctx, token);
      if ('answer' in opened) return opened.answer;
      const { account, db, link } = opened;
      const why = ratingUnavailable(link.ticket);
      if (why) return closedPage(409, account, link, why);
      const form = ctx.body;
      const reasons = await listReasons(db);
      const reasonCode = Number(form.reason_code ?? 0);
      const values: FormValues = {
        score: asScore(form.score),
        comment: form.comment,
        reasonCode: Number.isSafeInteger(reasonCode) ? reasonCode : 0,
      };
      const show = (status: number, errors: FormErrors, text: string) =>
        page(status, ratingForm(ctx, account, token, link, reasons, values, errors, { kind: 'error', text }));
      if (!formTokenValid(ctx, form.authenticity_token)) {
        return show(403, {}, 'Your form expired. Please submit your rating again.');
      }
      const errors: FormErrors = {};
      if (!values.score) errors.score = 'Choose Good or Bad.';
      if (values.comment.length > RATING_COMMENT_MAX)
        errors.comment = `Keep the comment under ${RATING_COMMENT_MAX.toLocaleString('en')} characters.`;
      if (values.score === 'bad' && !reasons.some((r) => r.reason_code === values.reasonCode))
        errors.reason_code = 'Choose one of the reasons listed.';
      if (errors.score || errors.comment || errors.reason_code) {
        return show(422, errors, 'Please correct the fields below.');
      }
      try {
        await rateTicket(
          { db, actor: null, ip: ctx.ip },
          link.ticket.id,
          link.requesterId,
          {
            score: values.score!,
            comment: values.comment,
            reason_code: values.score === 'bad' ? values.reasonCode : null,
          },
          'web',
        );
      } catch (err) {
        // The ticket changed since the page was opened (reopened, or its requester replaced).
        if (err instanceof HavenError && (err.code === 'CS_INVALID' || err.code === 'CS_NOT_FOUND')) {
          const again = await findRatingLink(db, token);
          if (again.kind === 'unknown') return unknownLinkPage();
          const reason = ratingUnavailable(again.ticket);
          if (reason) return closedPage(409, account, again, reason);
        }
        throw err;
      }
      return redirect(`/satisfaction/${encodeURIComponent(token)}?saved=1`);
    },
  }),
];
