import { type Kysely, sql } from 'kysely';

// Full-text search over tickets, users and organizations (server/modules/search).
//
// Text configuration: 'simple' (lower-cases, no stemming, no stop words) on text passed through
// search_fold(), which folds Latin accents (é → e, ß → ss). It is language-neutral (a help desk answers in
// whatever language its customers write), a phrase finds exactly its words, `word*` covers variants, and it
// needs no extension: unaccent and the snowball dictionaries' behaviour differ between installs, while
// 'simple' and translate() are the same on PostgreSQL 15 and the embedded PGlite.
//
// Vectors are kept by triggers, so every writer (API, email, bulk jobs, erasure) keeps the index current, and
// any write to a vector recomputes it from its sources, so none can disagree with them. Weights say where a
// word came from, so `subject:`, `description:`, `comment:` and `name:` search one part of the same vector:
//   ticket_search_documents.vector         A subject, B description, C every comment (agents)
//   ticket_search_documents.public_vector  A subject, B description if the first comment is public, C public comments
//   users.search_vector                    A name, alias; B email addresses; C external_id, phones, tags; D details, notes
//   organizations.search_vector            A name; B domain names; C external_id, tags; D details, notes
// Indexed text is capped (a tsvector holds at most 1 MB of lexemes): 50,000 characters of a description and
// 150,000 of comments per ticket, oldest first.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(`
create function search_fold(value text) returns text language sql immutable parallel safe as $fold$
  -- Most text is plain ASCII: checking for anything else is far cheaper than translating every character.
  select case when value !~ '[^\\x01-\\x7f]' then value else replace(replace(replace(replace(replace(translate(value,
    'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžØøĐđŁłĦħŦŧı',
    'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoDdLlHhTti'),
    'ß', 'ss'), 'Æ', 'AE'), 'æ', 'ae'), 'Œ', 'OE'), 'œ', 'oe') end
$fold$;

create function search_text_vector(value text, weight "char") returns tsvector
  language sql immutable parallel safe as $vec$
  select setweight(to_tsvector('simple'::regconfig, search_fold(coalesce(value, ''))), weight)
$vec$;

alter table users add column search_vector tsvector not null default ''::tsvector;
alter table organizations add column search_vector tsvector not null default ''::tsvector;

-- One search document per ticket, beside the ticket rather than in it: a conversation's vector is several
-- times the size of the rest of the row, and inside tickets it would make every scan of tickets (views,
-- counts, lists) read that much more. The ticket's status is copied here so that words plus status:… is
-- answered from this table's indexes together (BitmapAnd of the GIN and the status b-tree).
create table ticket_search_documents (
  account_id bigint not null references accounts (id) on delete cascade,
  ticket_id bigint not null,
  status text not null,
  vector tsvector not null default ''::tsvector,
  public_vector tsvector not null default ''::tsvector,
  primary key (account_id, ticket_id),
  foreign key (account_id, ticket_id) references tickets (account_id, id) on delete cascade
);

-- Every write to a document recomputes it from its ticket and comments. It runs once the row lock is
-- held, and each statement in it reads a fresh snapshot, so comments added concurrently are not lost.
create function ticket_search_documents_compute() returns trigger language plpgsql as $fn$
declare
  t record;
  all_comments text;
  public_comments text;
  first_public boolean;
begin
  select subject, description, status into t
    from tickets where account_id = new.account_id and id = new.ticket_id;
  select left(string_agg(body, E'\\n' order by id), 150000),
         left(string_agg(body, E'\\n' order by id) filter (where public), 150000),
         (array_agg(public order by id))[1]
    into all_comments, public_comments, first_public
    from ticket_comments
   where account_id = new.account_id and ticket_id = new.ticket_id;
  new.status := t.status;
  new.vector :=
    search_text_vector(t.subject, 'A')
    || search_text_vector(left(t.description, 50000), 'B')
    || search_text_vector(all_comments, 'C');
  new.public_vector :=
    search_text_vector(t.subject, 'A')
    || (case when coalesce(first_public, true)
             then search_text_vector(left(t.description, 50000), 'B') else ''::tsvector end)
    || search_text_vector(public_comments, 'C');
  return new;
end
$fn$;
create trigger ticket_search_documents_compute before insert or update on ticket_search_documents
  for each row execute function ticket_search_documents_compute();

-- Tickets and comments only say which documents to recompute, once per statement.
create function tickets_search_touch() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    insert into ticket_search_documents (account_id, ticket_id, status)
      select account_id, id, status from changed_new;
  else
    update ticket_search_documents d set status = n.status
      from changed_new n
      join changed_old o on o.account_id = n.account_id and o.id = n.id
     where d.account_id = n.account_id and d.ticket_id = n.id
       and (n.subject is distinct from o.subject or n.description is distinct from o.description
            or n.status is distinct from o.status);
  end if;
  return null;
end
$fn$;
create trigger tickets_search_insert after insert on tickets
  referencing new table as changed_new
  for each statement execute function tickets_search_touch();
create trigger tickets_search_update after update on tickets
  referencing old table as changed_old new table as changed_new
  for each statement execute function tickets_search_touch();

create function ticket_comments_search_touch() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    update ticket_search_documents d set status = d.status
      from (select distinct account_id, ticket_id from changed_new) c
     where d.account_id = c.account_id and d.ticket_id = c.ticket_id;
  elsif tg_op = 'DELETE' then
    update ticket_search_documents d set status = d.status
      from (select distinct account_id, ticket_id from changed_old) c
     where d.account_id = c.account_id and d.ticket_id = c.ticket_id;
  else
    update ticket_search_documents d set status = d.status
      from (
        select n.account_id, n.ticket_id, o.ticket_id as old_ticket_id from changed_new n
          join changed_old o on o.account_id = n.account_id and o.id = n.id
         where n.body is distinct from o.body or n.public is distinct from o.public
            or n.ticket_id is distinct from o.ticket_id
      ) c
     where d.account_id = c.account_id and d.ticket_id in (c.ticket_id, c.old_ticket_id);
  end if;
  return null;
end
$fn$;
create trigger ticket_comments_search_insert after insert on ticket_comments
  referencing new table as changed_new
  for each statement execute function ticket_comments_search_touch();
create trigger ticket_comments_search_update after update on ticket_comments
  referencing old table as changed_old new table as changed_new
  for each statement execute function ticket_comments_search_touch();
create trigger ticket_comments_search_delete after delete on ticket_comments
  referencing old table as changed_old
  for each statement execute function ticket_comments_search_touch();

-- Users: their own columns plus every email address and phone number identity.
create function users_search_vector() returns trigger language plpgsql as $fn$
declare
  emails text;
  phones text;
begin
  select string_agg(value, ' ') filter (where type = 'email'),
         string_agg(value, ' ') filter (where type = 'phone_number')
    into emails, phones
    from user_identities
   where account_id = new.account_id and user_id = new.id;
  new.search_vector :=
    search_text_vector(concat_ws(' ', new.name, new.alias), 'A')
    -- the whole address, and its parts, so 'jane' and 'example.com' find jane@example.com
    || search_text_vector(concat_ws(' ', emails, translate(emails, '@.', '  ')), 'B')
    || search_text_vector(concat_ws(' ', new.external_id, new.phone, phones, array_to_string(new.tags, ' ')), 'C')
    || search_text_vector(left(concat_ws(' ', new.details, new.notes), 100000), 'D');
  return new;
end
$fn$;
create trigger users_search_vector
  before insert or update of name, alias, external_id, phone, tags, details, notes, search_vector on users
  for each row execute function users_search_vector();

create function user_identities_search_touch() returns trigger language plpgsql as $fn$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    update users u set search_vector = ''
      from (select distinct account_id, user_id from changed_new) c
     where u.account_id = c.account_id and u.id = c.user_id;
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    update users u set search_vector = ''
      from (select distinct account_id, user_id from changed_old) c
     where u.account_id = c.account_id and u.id = c.user_id;
  end if;
  return null;
end
$fn$;
create trigger user_identities_search_insert after insert on user_identities
  referencing new table as changed_new
  for each statement execute function user_identities_search_touch();
create trigger user_identities_search_update after update on user_identities
  referencing old table as changed_old new table as changed_new
  for each statement execute function user_identities_search_touch();
create trigger user_identities_search_delete after delete on user_identities
  referencing old table as changed_old
  for each statement execute function user_identities_search_touch();

create function organizations_search_vector() returns trigger language plpgsql as $fn$
begin
  new.search_vector :=
    search_text_vector(new.name, 'A')
    || search_text_vector(array_to_string(new.domain_names, ' '), 'B')
    || search_text_vector(concat_ws(' ', new.external_id, array_to_string(new.tags, ' ')), 'C')
    || search_text_vector(left(concat_ws(' ', new.details, new.notes), 100000), 'D');
  return new;
end
$fn$;
create trigger organizations_search_vector
  before insert or update of name, domain_names, external_id, tags, details, notes, search_vector on organizations
  for each row execute function organizations_search_vector();

-- Rows written before this migration.
insert into ticket_search_documents (account_id, ticket_id, status) select account_id, id, status from tickets;
update users set search_vector = '';
update organizations set search_vector = '';

-- The planner combines the GIN indexes with the account (and status) b-trees in one bitmap, so a word plus
-- status:open reads only the rows that satisfy both.
create index ticket_search_documents_vector on ticket_search_documents using gin (vector);
create index ticket_search_documents_public_vector on ticket_search_documents using gin (public_vector);
create index ticket_search_documents_status on ticket_search_documents (account_id, status, ticket_id);
create index users_search on users using gin (search_vector) where deleted_at is null;
create index organizations_search on organizations using gin (search_vector);
-- Sorting search results by creation date, and date filters on them.
create index tickets_live_created on tickets (account_id, created_at, id) where deleted_at is null;
`)
    .execute(db);
}
