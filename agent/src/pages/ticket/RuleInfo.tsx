import { useEffect, useState } from 'react';
import { type MessageKey, t } from '../../i18n/index.ts';
import { formatDate } from '../../lib/format.ts';
import type { TicketRecord } from './data.ts';

/** One SLA target of a ticket, as `include=slas` presents it (Zendesk's shape). */
export interface SlaMetric {
  metric: string;
  stage?: string;
  breach_at: string | null;
  days?: number;
  hours?: number;
  minutes?: number;
}

export interface SatisfactionRating {
  score: string;
  id?: number;
  comment?: string | null;
  reason?: string | null;
}

/** What the business rules add to a ticket. */
export type RuledTicket = TicketRecord & {
  slas?: { policy_metrics?: SlaMetric[] } | null;
  satisfaction_rating?: SatisfactionRating | null;
};

/** Now, refreshed every `ms`, so a countdown stays true while the page is open. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** "2 h 5 min", "3 d 4 h", "15 min": at most two units, rounded up so "due in 0 min" never shows early. */
export function span(ms: number): string {
  const total = Math.max(1, Math.ceil(Math.abs(ms) / 60_000));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  const parts: string[] = [];
  if (days) parts.push(t('tickets.sla.days', { n: days }));
  if (hours) parts.push(t('tickets.sla.hours', { n: hours }));
  if (minutes && !days) parts.push(t('tickets.sla.minutes', { n: minutes }));
  return parts.slice(0, 2).join(' ');
}

const metricName = (metric: string) => {
  const key = `tickets.sla.metrics.${metric}` as MessageKey;
  return t(key) === key ? metric.replaceAll('_', ' ') : t(key);
};

/** What is due: a reply, an update, or the solve. */
function dueKind(metric: string): 'reply' | 'update' | 'solve' {
  if (metric === 'periodic_update' || metric === 'pausable_update') return 'update';
  if (metric === 'requester_wait_time' || metric === 'agent_work_time') return 'solve';
  return 'reply';
}

export function slaText(m: SlaMetric, now: number): { text: string; breached: boolean; paused: boolean } {
  const kind = dueKind(m.metric);
  if (m.stage === 'paused' || !m.breach_at)
    return { text: t(`tickets.sla.paused.${kind}`), breached: false, paused: true };
  const left = new Date(m.breach_at).getTime() - now;
  if (left <= 0 || m.stage === 'breached')
    return { text: t(`tickets.sla.overdue.${kind}`, { time: span(left) }), breached: true, paused: false };
  return { text: t(`tickets.sla.due.${kind}`, { time: span(left) }), breached: false, paused: false };
}

/** Active targets, the next to breach first; paused ones last. */
export function openMetrics(ticket: RuledTicket): SlaMetric[] {
  const list = (ticket.slas?.policy_metrics ?? []).filter(
    (m) => m.stage !== 'achieved' && m.stage !== 'fulfilled',
  );
  const at = (m: SlaMetric) =>
    m.stage === 'paused' || !m.breach_at ? Infinity : new Date(m.breach_at).getTime();
  return list.sort((a, b) => at(a) - at(b));
}

/**
 * The ticket's SLA: the next target to breach as a badge ("Reply due in 2 h", red "Reply overdue 15 min"),
 * and the other open targets under it.
 */
export function SlaSummary({ ticket }: { ticket: RuledTicket }) {
  const now = useNow(30_000);
  const metrics = openMetrics(ticket);
  if (!metrics.length) return null;
  const [next, ...rest] = metrics;
  const main = slaText(next!, now);
  return (
    <div className="property sla-summary">
      <span className="property-label">{t('tickets.sla.title')}</span>
      <p className="sla-next">
        <span
          className={`sla-badge${main.breached ? ' sla-breached' : main.paused ? ' sla-paused' : ''}`}
          title={next!.breach_at ? t('tickets.sla.at', { when: formatDate(next!.breach_at) }) : undefined}
        >
          {main.text}
        </span>
        <span className="muted sla-metric">{metricName(next!.metric)}</span>
      </p>
      {rest.length > 0 && (
        <ul className="sla-others">
          {rest.map((m) => {
            const s = slaText(m, now);
            return (
              <li key={m.metric} className={s.breached ? 'sla-breached-text' : undefined}>
                {metricName(m.metric)}: {s.text}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** The requester's rating, when they were asked for one. */
export function SatisfactionSummary({ ticket }: { ticket: RuledTicket }) {
  const rating = ticket.satisfaction_rating;
  if (!rating?.score || rating.score === 'unoffered') return null;
  const key = `tickets.satisfaction.scores.${rating.score}` as MessageKey;
  const label = t(key) === key ? rating.score : t(key);
  return (
    <div className="property csat-summary">
      <span className="property-label">{t('tickets.satisfaction.title')}</span>
      <p className="csat-line">
        <span className={`csat-badge csat-badge-${rating.score}`}>{label}</span>
      </p>
      {rating.comment && <blockquote className="csat-comment">{rating.comment}</blockquote>}
      {rating.reason && (
        <p className="muted csat-reason">{t('tickets.satisfaction.reason', { reason: rating.reason })}</p>
      )}
    </div>
  );
}
