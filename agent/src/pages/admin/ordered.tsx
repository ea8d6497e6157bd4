import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { t } from '../../i18n/index.ts';

/** Lists whose order matters (triggers, automations, SLA policies): the first match wins. */

/** The order such lists come in from the API: by position, then by id for equal positions. */
export const byPosition = (a: { position: number; id: number }, b: { position: number; id: number }) =>
  a.position - b.position || a.id - b.id;

/**
 * Move up / move down buttons of one row of an ordered list. After a move the pressed button keeps the
 * focus (or its twin, when the row reached an end), so moving by several places is several presses.
 */
function MoveButtons({
  name,
  index,
  count,
  disabled,
  onMove,
}: {
  name: string;
  index: number;
  count: number;
  disabled: boolean;
  onMove: (from: number, to: number) => void;
}) {
  const up = useRef<HTMLButtonElement>(null);
  const down = useRef<HTMLButtonElement>(null);
  const [focus, setFocus] = useState<'up' | 'down' | null>(null);
  useEffect(() => {
    if (!focus) return;
    const wanted = focus === 'up' ? up.current : down.current;
    const other = focus === 'up' ? down.current : up.current;
    (wanted && !wanted.disabled ? wanted : other)?.focus();
    setFocus(null);
  }, [focus]);
  return (
    <span className="admin-column-actions">
      <button
        ref={up}
        type="button"
        className="icon-button"
        disabled={disabled || index === 0}
        onClick={() => {
          onMove(index, index - 1);
          setFocus('up');
        }}
        aria-label={t('admin.ruleEditor.moveUp', { name })}
        title={t('admin.ruleEditor.moveUp', { name })}
      >
        ↑
      </button>
      <button
        ref={down}
        type="button"
        className="icon-button"
        disabled={disabled || index === count - 1}
        onClick={() => {
          onMove(index, index + 1);
          setFocus('down');
        }}
        aria-label={t('admin.ruleEditor.moveDown', { name })}
        title={t('admin.ruleEditor.moveDown', { name })}
      >
        ↓
      </button>
    </span>
  );
}

function moved<T>(list: T[], from: number, to: number): T[] {
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

/**
 * Reordering the list cached under `queryKey`: `cell(list, i)` is the first cell of row `i`, its place and
 * its move buttons. A move shows the new order at once, saves it with `save(ids)` and announces it through
 * `announce`; on failure (`error`) the stored order comes back.
 */
export function useReorder<T extends { id: number | string; title: string }>(
  queryKey: readonly unknown[],
  save: (ids: T['id'][]) => Promise<unknown>,
  announce: (notice: string) => void,
) {
  const queryClient = useQueryClient();
  const reorder = useMutation({
    mutationFn: async (list: T[]) => {
      queryClient.setQueryData<T[]>(queryKey, list);
      await save(list.map((x) => x.id));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });
  const cell = (list: T[], index: number) => {
    const name = list[index]!.title;
    return (
      <td className="admin-order">
        <span className="admin-position">{index + 1}</span>
        <MoveButtons
          name={name}
          index={index}
          count={list.length}
          disabled={reorder.isPending}
          onMove={(from, to) => {
            reorder.mutate(moved(list, from, to));
            announce(t('admin.ruleEditor.movedTo', { name, position: to + 1 }));
          }}
        />
      </td>
    );
  };
  return { cell, error: reorder.error };
}
