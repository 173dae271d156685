-- UIDVALIDITY values come from one sequence, so a mailbox that is deleted and
-- created again under the same name never repeats one (RFC 3501 2.3.1.1).
-- The migration starts it at the current Unix time.
create sequence uidvalidity_seq as bigint minvalue 1 maxvalue 4294967295;

-- name is the full hierarchical name in UTF-8 with '/' as the delimiter;
-- the IMAP layer converts from and to modified UTF-7.
-- uidnext and highestmodseq are the counters: a transaction that adds or
-- changes messages locks this row (SELECT ... FOR UPDATE), so UIDs commit in
-- ascending order and are never reused.
-- recent_uid: messages with uid >= recent_uid are \Recent (RFC 3501 2.3.2)
-- for the next session that selects the mailbox read-write; that session
-- moves it to uidnext.
-- message_count and unseen_count: what STATUS reports, kept by triggers on
-- mailbox_messages (mailbox_messages.sql).
create table mailboxes (
    user_id        bigint not null references users (id) on delete cascade,
    id             bigint generated always as identity,
    name           text not null check (name <> ''),
    uidvalidity    bigint not null default nextval('uidvalidity_seq')
                   check (uidvalidity between 1 and 4294967295),
    uidnext        bigint not null default 1 check (uidnext between 1 and 4294967296),
    highestmodseq  bigint not null default 1 check (highestmodseq >= 1),
    recent_uid     bigint not null default 1,
    special_use    text,
    created_at     timestamptz not null default now(),
    message_count  bigint not null default 0,
    unseen_count   bigint not null default 0,
    primary key (user_id, id),
    unique (user_id, name)
);

-- Subscriptions are names, not mailboxes: RFC 3501 6.3.6 lets a client
-- subscribe to a name that does not exist (yet, or any more).
create table subscriptions (
    user_id  bigint not null references users (id) on delete cascade,
    name     text not null check (name <> ''),
    primary key (user_id, name)
);

-- Push between workers (migration 0008): every committed change to a mailbox (APPEND,
-- delivery, STORE, COPY/MOVE into it, EXPUNGE, create, delete, rename) moves
-- its row in mailboxes (uidnext, highestmodseq or name), and this trigger
-- turns that into a NOTIFY on the one channel postimap_changes with the
-- payload "user_id mailbox_id highestmodseq sent_us" (deleted: modseq 0;
-- sent_us: the transaction's start in microseconds, for measuring lag).
-- Subscription changes say "user_id 0 0 sent_us". NOTIFY is sent at COMMIT, in
-- commit order, and identical payloads within a transaction are folded.
--
-- One channel for all users, not one per user: a worker then holds one
-- LISTEN however many users it serves and filters in memory, and the
-- server's per-backend list of channels (searched linearly on every
-- notification before PostgreSQL 17) stays at one entry.
create function notify_mailbox_change() returns trigger language plpgsql as $$
declare
    sent text := ' ' || (extract(epoch from now()) * 1000000)::bigint;
begin
    if tg_op = 'DELETE' then
        perform pg_notify('postimap_changes', old.user_id || ' ' || old.id || ' 0' || sent);
        return old;
    end if;
    if tg_op = 'UPDATE' and new.highestmodseq = old.highestmodseq
       and new.uidnext = old.uidnext and new.name = old.name then
        return new;  -- nothing a client sees (recent_uid claims, say)
    end if;
    perform pg_notify('postimap_changes',
                      new.user_id || ' ' || new.id || ' ' || new.highestmodseq || sent);
    return new;
end $$;

create trigger mailboxes_notify after insert or update or delete on mailboxes
    for each row execute function notify_mailbox_change();

create function notify_subscription_change() returns trigger language plpgsql as $$
begin
    perform pg_notify('postimap_changes', coalesce(new.user_id, old.user_id) || ' 0 0 '
                      || (extract(epoch from now()) * 1000000)::bigint);
    return null;
end $$;

create trigger subscriptions_notify after insert or update or delete on subscriptions
    for each row execute function notify_subscription_change();
