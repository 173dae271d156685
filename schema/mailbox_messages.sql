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

-- users.used_bytes follows every insert and delete of a mailbox row
-- (cascades included); APPEND, COPY and delivery check it against the quota.
-- SECURITY DEFINER: the workers' role may read its own users row, not
-- change it.
create function count_added_bytes() returns trigger language plpgsql security definer
    set search_path = public, pg_temp as $$
begin
    update users u set used_bytes = u.used_bytes + d.bytes
      from (select n.user_id, sum(m.size) as bytes from added n
              join messages m on m.tenant_id = n.tenant_id and m.id = n.message_id
             group by n.user_id) d
     where u.id = d.user_id;
    return null;
end $$;

create function count_removed_bytes() returns trigger language plpgsql security definer
    set search_path = public, pg_temp as $$
begin
    update users u set used_bytes = greatest(u.used_bytes - d.bytes, 0)
      from (select o.user_id, sum(m.size) as bytes from removed o
              join messages m on m.tenant_id = o.tenant_id and m.id = o.message_id
             group by o.user_id) d
     where u.id = d.user_id;
    return null;
end $$;

create trigger mailbox_messages_count_added after insert on mailbox_messages
    referencing new table as added for each statement execute function count_added_bytes();
create trigger mailbox_messages_count_removed after delete on mailbox_messages
    referencing old table as removed for each statement execute function count_removed_bytes();
