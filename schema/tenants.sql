-- A tenant owns domains; a user belongs to exactly one tenant through its domain.
create table tenants (
    id          bigint generated always as identity primary key,
    name        text not null unique,
    created_at  timestamptz not null default now()
);

create table domains (
    name        text primary key check (name = lower(name) and name <> ''),
    tenant_id   bigint not null references tenants (id) on delete cascade,
    unique (name, tenant_id)
);
create index domains_tenant on domains (tenant_id);

-- Addresses are stored lower-cased; login compares lower-cased input.
-- password_secret is an RFC 5803 authPassword value for SCRAM-SHA-256:
--   SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>
-- It serves both LOGIN (the worker derives StoredKey from the password) and
-- SASL SCRAM; the password itself is never stored.
create table users (
    id               bigint generated always as identity primary key,
    tenant_id        bigint not null references tenants (id) on delete cascade,
    local_part       text not null check (local_part = lower(local_part) and local_part <> ''),
    domain           text not null,
    password_secret  text not null,
    scram_sha1_secret text,          -- the same for SCRAM-SHA-1 (migration 0009)
    disabled         boolean not null default false,
    quota_bytes      bigint check (quota_bytes is null or quota_bytes >= 0),
    created_at       timestamptz not null default now(),
    -- Sizes of the messages in its mailboxes, kept by triggers on
    -- mailbox_messages (migration 0010).
    used_bytes       bigint not null default 0,
    unique (domain, local_part),
    -- The user's tenant is always the tenant of its domain.
    foreign key (domain, tenant_id) references domains (name, tenant_id) on delete cascade
);
create index users_tenant on users (tenant_id);
