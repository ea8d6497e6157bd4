import { useQuery } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { TextInput } from '../../components/forms.tsx';
import { plural, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { useDebounced } from '../../lib/debounce.ts';
import type { User } from '../../lib/types.ts';

export interface ChosenRequester {
  id: number;
  name: string;
  email: string | null;
}
export interface NewRequester {
  name: string;
  email: string;
}

/**
 * Who the ticket is for: a person found by name or email (a combobox over /users/search), or a new person
 * by name and email, whom the server creates as an end-user with the ticket.
 */
export function RequesterPicker({
  chosen,
  newPerson,
  onChoose,
  onNewPerson,
  errors,
}: {
  chosen: ChosenRequester | null;
  newPerson: NewRequester | null;
  onChoose: (person: ChosenRequester | null) => void;
  onNewPerson: (person: NewRequester | null) => void;
  errors: { requester?: string; name?: string; email?: string };
}) {
  if (chosen) {
    return (
      <fieldset className="field">
        <legend className="label-like">{t('views.newTicket.requester')}</legend>
        <div className="requester-chosen">
          <strong>{chosen.name}</strong>
          {chosen.email && <span className="muted">{chosen.email}</span>}
          <button type="button" className="link-button" onClick={() => onChoose(null)}>
            {t('views.newTicket.requesterChange')}
          </button>
        </div>
        {errors.requester && <p className="field-error">{errors.requester}</p>}
      </fieldset>
    );
  }
  if (newPerson) {
    return (
      <fieldset className="requester-new-set">
        <legend>{t('views.newTicket.requester')}</legend>
        <div className="requester-new">
          <TextInput
            label={t('views.newTicket.newName')}
            value={newPerson.name}
            onChange={(e) => onNewPerson({ ...newPerson, name: e.target.value })}
            error={errors.name}
            autoComplete="off"
          />
          <TextInput
            label={t('views.newTicket.newEmail')}
            type="email"
            value={newPerson.email}
            onChange={(e) => onNewPerson({ ...newPerson, email: e.target.value })}
            error={errors.email ?? errors.requester}
            autoComplete="off"
          />
        </div>
        <button type="button" className="link-button" onClick={() => onNewPerson(null)}>
          {t('views.newTicket.requesterExisting')}
        </button>
      </fieldset>
    );
  }
  return (
    <PersonSearch
      error={errors.requester}
      onChoose={onChoose}
      onNewPerson={(typed) =>
        onNewPerson(typed.includes('@') ? { name: '', email: typed } : { name: typed, email: '' })
      }
    />
  );
}

function PersonSearch({
  error,
  onChoose,
  onNewPerson,
}: {
  error?: string;
  onChoose: (person: ChosenRequester) => void;
  onNewPerson: (typed: string) => void;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  const term = useDebounced(text.trim(), 200);

  const results = useQuery({
    queryKey: ['users', 'search', term],
    enabled: term.length >= 2,
    staleTime: 30_000,
    queryFn: () =>
      api.get<{ users: User[] }>('users/search', { query: term, 'page[size]': 8 }).then((r) => r.users),
  });
  const people = term.length >= 2 ? (results.data ?? []) : [];
  const expanded = open && term.length >= 2;

  const choose = (user: User) => {
    onChoose({ id: user.id, name: user.name, email: user.email });
    setOpen(false);
  };

  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field requester-picker">
      <label htmlFor={id}>{t('views.newTicket.requester')}</label>
      <input
        ref={input}
        id={id}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && people[active] ? `${listId}-${people[active].id}` : undefined}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        placeholder={t('views.newTicket.requesterSearch')}
        autoComplete="off"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, Math.max(0, people.length - 1)));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(0, a - 1));
          } else if (e.key === 'Enter' && expanded && people[active]) {
            e.preventDefault();
            choose(people[active]);
          } else if (e.key === 'Escape' && expanded) {
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      <div id={listId} role="listbox" className="requester-options" hidden={!expanded}>
        {people.map((user, i) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: options are chosen from the input's keyboard handler (aria-activedescendant); the click is for the mouse
          <div
            key={user.id}
            id={`${listId}-${user.id}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === active}
            // Keeps focus in the input so the click lands before the list closes on blur.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(user)}
          >
            {user.name} {user.email && <span className="muted">{user.email}</span>}
          </div>
        ))}
      </div>
      <p className="hint" id={`${id}-hint`} aria-live="polite">
        {term.length < 2
          ? t('views.newTicket.requesterHint')
          : results.isFetching && !results.data
            ? t('views.newTicket.requesterSearching')
            : people.length
              ? plural('views.newTicket.requesterResults', people.length)
              : t('views.newTicket.requesterNone')}
      </p>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <button type="button" className="link-button" onClick={() => onNewPerson(text.trim())}>
        {t('views.newTicket.requesterNew')}
      </button>
    </div>
  );
}
