-- A message's bytes, stored once per tenant: APPENDing or delivering the same
-- bytes again, or COPYing, shares this row. raw is exactly what came in (DKIM
-- and S/MIME signatures cover those bytes); it is TOASTed with lz4.
-- This table is per tenant, not per user, so its key is (tenant_id, id).
create table messages (
    tenant_id    bigint not null references tenants (id) on delete cascade,
    id           bigint generated always as identity,
    sha256       bytea not null check (length(sha256) = 32),
    size         bigint not null check (size >= 0),
    raw          bytea not null,
    -- Parsed once at ingest, for FETCH and SEARCH.
    header_size  bigint not null check (header_size >= 0),
    sent_date    timestamptz,
    sent_day     date,          -- the Date: header's day as written (SEARCH SENT*)
    subject      text,
    message_id   text,
    -- The text of the body for SEARCH BODY/TEXT: decoded, as UTF-8, capped.
    body_text    text not null default '',
    -- The MIME tree with byte ranges and envelopes (storage/mime/part_json),
    -- for ENVELOPE, BODYSTRUCTURE and BODY[section] without re-parsing.
    -- NULL for messages stored before it existed: the worker parses those.
    structure    jsonb,
    created_at   timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, sha256)
);
alter table messages alter column raw set compression lz4;
create index messages_sent_date on messages (tenant_id, sent_date);
create index messages_sent_day on messages (tenant_id, sent_day);
create index messages_size on messages (tenant_id, size);
-- Substring search (RFC 3501 6.4.4 BODY/TEXT are substring matches, which
-- word-based full-text search cannot answer) runs on trigrams.
create index messages_body_text_trgm on messages using gin (body_text gin_trgm_ops);

-- Every header field in order, unfolded and with RFC 2047 words decoded, for
-- SEARCH HEADER/SUBJECT and HEADER.FIELDS lookups.
create table message_headers (
    tenant_id   bigint not null,
    message_id  bigint not null,
    position    integer not null,
    name        text not null,      -- lower-cased field name
    value       text not null,      -- unfolded, decoded
    primary key (tenant_id, message_id, position),
    foreign key (tenant_id, message_id) references messages (tenant_id, id) on delete cascade
);
create index message_headers_name on message_headers (tenant_id, name);
-- Trigrams of the whole line: TEXT matches "Name: value", HEADER the pattern
-- "name: %text%" (migration 0006).
create index message_headers_line_trgm on message_headers
    using gin ((name || ': ' || value) gin_trgm_ops);

-- Addresses from From, Sender, Reply-To, To, Cc and Bcc, for SEARCH FROM/TO/...
create table message_addresses (
    tenant_id     bigint not null,
    message_id    bigint not null,
    field         text not null check (field in ('from', 'sender', 'reply-to', 'to', 'cc', 'bcc')),
    position      integer not null,
    display_name  text,
    address       text not null,    -- local@domain as written
    primary key (tenant_id, message_id, field, position),
    foreign key (tenant_id, message_id) references messages (tenant_id, id) on delete cascade
);
create index message_addresses_trgm on message_addresses
    using gin ((coalesce(display_name, '') || ' <' || address || '>') gin_trgm_ops);
