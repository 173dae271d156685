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
