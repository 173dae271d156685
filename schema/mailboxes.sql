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
