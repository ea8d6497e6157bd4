import { Link } from 'wouter';
import { t } from '../../i18n/index.ts';
import { formatCount } from '../../lib/format.ts';
import type { View } from '../../lib/types.ts';
import { prefetchView, type ViewCount } from './viewData.ts';

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/**
 * A count as the sidebar shows it: exact counts in full, estimates (large views; the API's `pretty` starts
 * with "~", or the count is not fresh) shortened to "~12K".
 */
export function countText(count: ViewCount | undefined): { short: string; label: string } | null {
  if (!count) return null;
  const estimated = !count.fresh || count.pretty.startsWith('~');
  if (!estimated) {
    return {
      short: formatCount(count.value),
      label: t('views.countLabel', { count: formatCount(count.value) }),
    };
  }
  return {
    short: `~${compact.format(count.value)}`,
    label: t('views.countEstimated', { count: formatCount(count.value) }),
  };
}

export function ViewSidebar({
  views,
  counts,
  currentId,
}: {
  views: View[];
  counts: Map<number, ViewCount> | undefined;
  currentId: number | null;
}) {
  return (
    <nav className="views-sidebar" aria-label={t('views.sidebarLabel')}>
      <h2 className="visually-hidden">{t('views.sidebarLabel')}</h2>
      {views.length === 0 ? (
        <p className="muted">{t('views.noViews')}</p>
      ) : (
        <ul>
          {views.map((view) => {
            const count = countText(counts?.get(view.id));
            return (
              <li key={view.id}>
                <Link
                  href={`/views/${view.id}`}
                  aria-current={view.id === currentId ? 'page' : undefined}
                  onMouseEnter={() => prefetchView(view.id)}
                  onFocus={() => prefetchView(view.id)}
                >
                  <span className="views-sidebar-title" title={view.title}>
                    {view.title}
                  </span>
                  {count ? (
                    <span className="views-sidebar-count" title={count.label}>
                      <span aria-hidden="true">{count.short}</span>
                      <span className="visually-hidden">{count.label}</span>
                    </span>
                  ) : (
                    <span className="views-sidebar-count muted" aria-hidden="true">
                      …
                    </span>
                  )}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
