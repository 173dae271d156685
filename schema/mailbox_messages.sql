-- A message in a mailbox. (user_id, mailbox_id, uid) is the key; modseq is
-- the mailbox's highestmodseq at the row's last change (RFC 7162).
create table mailbox_messages (
    user_id        bigint not null,
    mailbox_id     bigint not null,
    uid            bigint not null check (uid between 1 and 4294967295),
    tenant_id      bigint not null,
    message_id     bigint not null,
    modseq         bigint not null check (modseq >= 1),
    seen           boolean not null default false,
    answered       boolean not null default false,
    flagged        boolean not null default false,
    deleted        boolean not null default false,
    draft          boolean not null default false,
    keywords       text[] not null default '{}',
    internal_date  timestamptz not null,
    primary key (user_id, mailbox_id, uid),
    foreign key (user_id, mailbox_id) references mailboxes (user_id, id) on delete cascade,
    foreign key (tenant_id, message_id) references messages (tenant_id, id)
);
create index mailbox_messages_modseq on mailbox_messages (user_id, mailbox_id, modseq);
create index mailbox_messages_internal_date on mailbox_messages (user_id, mailbox_id, internal_date);
create index mailbox_messages_unseen on mailbox_messages (user_id, mailbox_id, uid) where not seen;
-- SELECT lists the keywords in use from the few rows that have any (0006).
create index mailbox_messages_with_keywords on mailbox_messages (user_id, mailbox_id)
    where keywords <> '{}';
create index mailbox_messages_deleted on mailbox_messages (user_id, mailbox_id, uid) where deleted;
create index mailbox_messages_flagged on mailbox_messages (user_id, mailbox_id, uid) where flagged;
create index mailbox_messages_keywords on mailbox_messages using gin (keywords);
create index mailbox_messages_message on mailbox_messages (tenant_id, message_id);

-- What EXPUNGE leaves behind: the uid and the modseq at which it went, so that
-- other sessions and QRESYNC clients learn of it (VANISHED).
create table expunged_messages (
    user_id     bigint not null,
    mailbox_id  bigint not null,
    uid         bigint not null,
    modseq      bigint not null,
    primary key (user_id, mailbox_id, uid),
    foreign key (user_id, mailbox_id) references mailboxes (user_id, id) on delete cascade
);
create index expunged_messages_modseq on expunged_messages (user_id, mailbox_id, modseq);

-- STORE's arithmetic (RFC 3501 6.4.6), used inside the UPDATE so that it
-- applies to the newest version of a row that a concurrent STORE changed
-- (PostgreSQL re-evaluates SET on it), and no flag change is lost.
-- how: 0 = +FLAGS, 1 = -FLAGS, 2 = FLAGS.
create function flag_after(old boolean, how integer, named boolean) returns boolean
language sql immutable parallel safe
as $$ select case how when 0 then old or named when 1 then old and not named else named end $$;

-- Keywords are case-insensitive (as Dovecot treats them): adding one that
-- is there in another case keeps the stored spelling, removing matches any
-- case. They stay sorted and distinct, so arrays compare by value.
create function keywords_after(old text[], how integer, named text[]) returns text[]
language sql immutable parallel safe
as $$
    select array(select distinct k from unnest(case how
        when 0 then old || array(select n from unnest(named) n
                                 where not exists (select 1 from unnest(old) o
                                                   where lower(o) = lower(n)))
        when 1 then array(select o from unnest(old) o
                          where not exists (select 1 from unnest(named) n
                                            where lower(n) = lower(o)))
        else named end) k order by k)
$$;

-- Per mailbox row counts and the user's bytes follow every insert, delete
-- and update of a mailbox row (cascades included): STATUS reads
-- mailboxes.message_count and unseen_count instead of counting, and APPEND,
-- COPY and delivery check users.used_bytes against the quota. Statement
-- triggers: one update per mailbox and user touched, however many rows.
-- Every writer has locked those mailbox rows already (UIDs, MODSEQ), so
-- these updates wait for nothing new. SECURITY DEFINER: the workers' role
-- may read its own users row, not change it.
-- Inserts and deletes share one function: its argument is the sign (1 for
-- rows added, -1 for rows removed), its transition table `touched`.
create function count_rows() returns trigger language plpgsql security definer
    set search_path = public, pg_temp as $$
declare
    sign constant bigint := tg_argv[0]::bigint;
begin
    update users u set used_bytes = greatest(u.used_bytes + sign * d.bytes, 0)
      from (select t.user_id, sum(m.size) as bytes from touched t
              join messages m on m.tenant_id = t.tenant_id and m.id = t.message_id
             group by t.user_id) d
     where u.id = d.user_id;
    update mailboxes b set message_count = b.message_count + sign * d.n,
                           unseen_count = b.unseen_count + sign * d.unseen
      from (select user_id, mailbox_id, count(*) as n, count(*) filter (where not seen) as unseen
              from touched group by user_id, mailbox_id) d
     where b.user_id = d.user_id and b.id = d.mailbox_id;
    return null;
end $$;

-- Updates change flags (\Seen moves unseen_count), never a row's message,
-- so the bytes stay; a row moved to another mailbox would move its counts.
-- Nothing is written when no count changes (keywords, other flags).
create function count_changed_rows() returns trigger language plpgsql security definer
    set search_path = public, pg_temp as $$
begin
    update mailboxes b set message_count = b.message_count + d.n,
                           unseen_count = b.unseen_count + d.unseen
      from (select user_id, mailbox_id, sum(n) as n, sum(unseen) as unseen
              from (select user_id, mailbox_id, 1 as n, (not seen)::int as unseen from added
                    union all
                    select user_id, mailbox_id, -1, -(not seen)::int from removed) c
             group by user_id, mailbox_id having sum(n) <> 0 or sum(unseen) <> 0) d
     where b.user_id = d.user_id and b.id = d.mailbox_id;
    return null;
end $$;

create trigger mailbox_messages_count_added after insert on mailbox_messages
    referencing new table as touched for each statement execute function count_rows('1');
create trigger mailbox_messages_count_removed after delete on mailbox_messages
    referencing old table as touched for each statement execute function count_rows('-1');
create trigger mailbox_messages_count_changed after update on mailbox_messages
    referencing old table as removed new table as added
    for each statement execute function count_changed_rows();
