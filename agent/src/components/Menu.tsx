import { type ReactNode, useCallback, useRef, useState } from 'react';
import { useDismiss } from './useDismiss.ts';

/**
 * A button that opens a panel below it (user menu, notifications, account switcher): Escape or a click
 * outside closes it and focus returns to the button. `children` gets `close` for items that act.
 */
export function Menu({
  label,
  trigger,
  triggerClass,
  align = 'end',
  panelClass,
  children,
}: {
  label: string;
  trigger: ReactNode;
  triggerClass: string;
  align?: 'start' | 'end';
  panelClass?: string;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className={triggerClass}
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={label}
        onClick={() => setOpen(!open)}
      >
        {trigger}
      </button>
      {open && (
        <div
          className={['menu-panel', align === 'start' ? 'menu-panel-start' : '', panelClass ?? '']
            .join(' ')
            .trim()}
        >
          {children(close)}
        </div>
      )}
    </div>
  );
}
