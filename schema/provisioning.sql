-- Provisioning: the functions an operator calls from psql to manage tenants,
-- domains and users. Everything else in the database is written by the server.
--
--   select create_tenant('example.com');          -- tenant + domain example.com
--   select add_domain('example.com', 'example.org');
--   select create_user('alice@example.com', 'secret');
--   select set_quota('alice@example.com', 10737418240);   -- 10 GiB; null = unlimited
--   select disable_user('alice@example.com');
--   select delete_user('alice@example.com');
--   select delete_tenant('example.com');
--
-- A call is one statement, so it runs in its own transaction unless the
-- caller opened one; on error nothing is changed.
--
-- Errors are raised with a message naming the offending value, e.g.
--   ERROR:  unknown domain "x.org"
-- and one of these SQLSTATEs, so scripts can tell them apart:
--   22023 invalid_parameter_value         malformed or missing argument
--   P0002 no_data_found                   unknown tenant, domain or user
--   23505 unique_violation                tenant, domain or user already exists
--   2BP01 dependent_objects_still_exist   domain still has users
--
-- Names: tenant names are stored and looked up exactly as given (case
-- matters). Domains and addresses are lower-cased (lower() under the
-- database's collation, as the check constraints in tenants.sql do).
-- Domains are ASCII host names; give internationalised domains in their
-- A-label ("xn--") form. The database encoding is assumed to be UTF8.

-- scram_sha256_secret(password, iterations, salt): the RFC 5803 authPassword
-- value stored in users.password_secret:
--   SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
-- with (RFC 5802, RFC 7677)
--   SaltedPassword = PBKDF2-HMAC-SHA-256(UTF-8 bytes of password, salt, iterations, 32)
--   StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
--   ServerKey      = HMAC(SaltedPassword, "Server Key")
-- Base64 is standard, padded, without line breaks. The password is used as
-- given: SASLprep (RFC 4013) is NOT applied, so it must already be in the
-- form clients will send (for ASCII passwords SASLprep changes nothing).
-- RFC 7677 asks for at least 4096 iterations; fewer are accepted (tests).
-- One call with 4096 iterations takes about 7 ms.
-- Errors: 22023 for a null password, an empty or null salt, or iterations < 1.
create or replace function scram_sha256_secret(
    password    text,
    iterations  int   default 4096,
    salt        bytea default gen_random_bytes(16)
) returns text
language plpgsql immutable parallel safe
set search_path = public, pg_temp
as $$
declare
    pw      bytea;
    u       bytea;
    acc     bit(256);   -- XOR of U1..Un; bit strings XOR with # in one step
    salted  bytea;
begin
    if password is null then
        raise exception 'password must not be null'
            using errcode = 'invalid_parameter_value';
    end if;
    if iterations is null or iterations < 1 then
        raise exception 'iteration count must be at least 1, not %', coalesce(iterations::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    if salt is null or length(salt) = 0 then
        raise exception 'salt must not be empty'
            using errcode = 'invalid_parameter_value';
    end if;

    pw := convert_to(password, 'UTF8');
    -- PBKDF2 with one output block: U1 = HMAC(pw, salt || INT(1)), Ui = HMAC(pw, Ui-1).
    u := hmac(salt || '\x00000001'::bytea, pw, 'sha256');
    acc := ('x' || encode(u, 'hex'))::bit(256);
    for i in 2 .. iterations loop
        u := hmac(u, pw, 'sha256');
        acc := acc # ('x' || encode(u, 'hex'))::bit(256);
    end loop;
    -- bit(256) -> bytea, 64 bits at a time (to_hex prints negative bigints as
    -- their two's complement, which is the bit pattern we want).
    salted := decode(
        lpad(to_hex(substring(acc from   1 for 64)::bigint), 16, '0') ||
        lpad(to_hex(substring(acc from  65 for 64)::bigint), 16, '0') ||
        lpad(to_hex(substring(acc from 129 for 64)::bigint), 16, '0') ||
        lpad(to_hex(substring(acc from 193 for 64)::bigint), 16, '0'),
        'hex');

    return 'SCRAM-SHA-256$' || iterations || ':'
        || translate(encode(salt, 'base64'), E'\n', '') || '$'
        || translate(encode(digest(hmac('Client Key'::bytea, salted, 'sha256'), 'sha256'), 'base64'), E'\n', '')
        || ':'
        || translate(encode(hmac('Server Key'::bytea, salted, 'sha256'), 'base64'), E'\n', '');
end
$$;

-- scram_sha1_secret(password, iterations, salt): the same for SCRAM-SHA-1
-- (RFC 5802), stored in users.scram_sha1_secret for clients that offer
-- nothing newer:
--   SCRAM-SHA-1$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
-- with PBKDF2-HMAC-SHA-1 (20 bytes) and SHA-1 in place of SHA-256.
-- Errors: as scram_sha256_secret.
create or replace function scram_sha1_secret(
    password    text,
    iterations  int   default 4096,
    salt        bytea default gen_random_bytes(16)
) returns text
language plpgsql immutable parallel safe
set search_path = public, pg_temp
as $$
declare
    pw      bytea;
    u       bytea;
    acc     bit(160);
    salted  bytea;
begin
    if password is null then
        raise exception 'password must not be null'
            using errcode = 'invalid_parameter_value';
    end if;
    if iterations is null or iterations < 1 then
        raise exception 'iteration count must be at least 1, not %', coalesce(iterations::text, 'null')
            using errcode = 'invalid_parameter_value';
    end if;
    if salt is null or length(salt) = 0 then
        raise exception 'salt must not be empty'
            using errcode = 'invalid_parameter_value';
    end if;

    pw := convert_to(password, 'UTF8');
    u := hmac(salt || '\x00000001'::bytea, pw, 'sha1');
    acc := ('x' || encode(u, 'hex'))::bit(160);
    for i in 2 .. iterations loop
        u := hmac(u, pw, 'sha1');
        acc := acc # ('x' || encode(u, 'hex'))::bit(160);
    end loop;
    salted := decode(
        lpad(to_hex(substring(acc from   1 for 64)::bigint), 16, '0') ||
        lpad(to_hex(substring(acc from  65 for 64)::bigint), 16, '0') ||
        lpad(to_hex(substring(acc from 129 for 32)::int), 8, '0'),
        'hex');

    return 'SCRAM-SHA-1$' || iterations || ':'
        || translate(encode(salt, 'base64'), E'\n', '') || '$'
        || translate(encode(digest(hmac('Client Key'::bytea, salted, 'sha1'), 'sha1'), 'base64'), E'\n', '')
        || ':'
        || translate(encode(hmac('Server Key'::bytea, salted, 'sha1'), 'base64'), E'\n', '');
end
$$;

-- create_tenant(name): creates a tenant and returns its id. If the name looks
-- like a domain name (two or more dot-separated host name labels, the last
-- starting with a letter, e.g. 'example.com' or 'Example.COM'), the domain
-- lower(name) is created for the tenant too; other names ('Acme Corp',
-- 'localhost') get no domain — use add_domain.
-- Errors: 22023 empty name, leading/trailing whitespace or control characters;
-- 23505 tenant "..." already exists / domain "..." already exists (then no
-- tenant is created either).
create or replace function create_tenant(name text) returns bigint
language plpgsql
set search_path = public, pg_temp
as $$
declare
    tid  bigint;
    dom  text := lower(name);
begin
    if name is null or name = '' or name <> btrim(name)
       or name ~ '[[:cntrl:]]' then
        raise exception 'invalid tenant name "%"', name
            using errcode = 'invalid_parameter_value',
                  detail = 'A tenant name must be non-empty, without control characters or leading/trailing whitespace.';
    end if;

    insert into tenants (name) values (create_tenant.name)
        on conflict on constraint tenants_name_key do nothing
        returning id into tid;
    if tid is null then
        raise exception 'tenant "%" already exists', name
            using errcode = 'unique_violation';
    end if;

    if length(dom) <= 253
       and dom ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$' then
        insert into domains (name, tenant_id) values (dom, tid)
            on conflict do nothing;
        if not found then
            raise exception 'domain "%" already exists', dom
                using errcode = 'unique_violation',
                      detail = format('It belongs to tenant "%s".',
                                      (select t.name from domains d join tenants t on t.id = d.tenant_id
                                        where d.name = dom));
        end if;
    end if;
    return tid;
end
$$;

-- rename_tenant(old, new): renames a tenant. Only the tenant's name changes:
-- its domains (even one named like the tenant) and users stay as they are.
-- Errors: 22023 invalid new name (as for create_tenant); P0002 unknown tenant
-- "old"; 23505 tenant "new" already exists.
create or replace function rename_tenant(old text, new text) returns void
language plpgsql
set search_path = public, pg_temp
as $$
begin
    if new is null or new = '' or new <> btrim(new)
       or new ~ '[[:cntrl:]]' then
        raise exception 'invalid tenant name "%"', new
            using errcode = 'invalid_parameter_value',
                  detail = 'A tenant name must be non-empty, without control characters or leading/trailing whitespace.';
    end if;
    begin
        update tenants set name = new where name = old;
    exception when unique_violation then
        raise exception 'tenant "%" already exists', new
            using errcode = 'unique_violation';
    end;
    if not found then
        raise exception 'unknown tenant "%"', old
            using errcode = 'no_data_found';
    end if;
end
$$;

-- delete_tenant(name): deletes a tenant with all its domains, users,
-- mailboxes and messages. Irreversible.
-- Errors: P0002 unknown tenant "...".
create or replace function delete_tenant(name text) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
    tid  bigint;
begin
    -- Locking the row first keeps new domains, users and messages from being
    -- added to the tenant meanwhile (their foreign keys need a share lock).
    select t.id into tid from tenants t where t.name = delete_tenant.name for update;
    if tid is null then
        raise exception 'unknown tenant "%"', name
            using errcode = 'no_data_found';
    end if;
    -- Users first (cascading to mailboxes and mailbox_messages), so that no
    -- mailbox_messages row still refers to a message when messages go.
    delete from users where tenant_id = tid;
    delete from tenants where id = tid;   -- cascades to domains and messages
end
$$;

-- add_domain(tenant, domain): gives a tenant another domain (lower-cased).
-- Errors: 22023 not a valid host name (ASCII labels of letters, digits and
-- inner hyphens, each 1-63 characters, at most 253 in all, the last label
-- starting with a letter); P0002 unknown tenant "..."; 23505 domain "..."
-- already exists (the detail names the tenant that has it).
create or replace function add_domain(tenant text, domain text) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
    tid  bigint;
    dom  text := lower(domain);
begin
    if dom is null or length(dom) > 253
       or dom !~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?$' then
        raise exception 'invalid domain "%"', domain
            using errcode = 'invalid_parameter_value',
                  detail = 'A domain is an ASCII host name such as "example.com"; give internationalised names in A-label (xn--) form.';
    end if;
    select t.id into tid from tenants t where t.name = tenant;
    if tid is null then
        raise exception 'unknown tenant "%"', tenant
            using errcode = 'no_data_found';
    end if;
    insert into domains (name, tenant_id) values (dom, tid)
        on conflict do nothing;
    if not found then
        raise exception 'domain "%" already exists', dom
            using errcode = 'unique_violation',
                  detail = format('It belongs to tenant "%s".',
                                  (select t.name from domains d join tenants t on t.id = d.tenant_id
                                    where d.name = dom));
    end if;
end
$$;

-- remove_domain(domain): removes a domain from its tenant. Refuses while the
-- domain has users (deleting the domain row would silently delete them, see
-- the foreign key in tenants.sql): delete those users first.
-- Errors: P0002 unknown domain "..."; 2BP01 domain "..." still has N users.
create or replace function remove_domain(domain text) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
    dom  text := lower(domain);
    n    bigint;
begin
    -- The row lock waits for, and then keeps out, create_user calls for this domain.
    perform from domains d where d.name = dom for update;
    if not found then
        raise exception 'unknown domain "%"', dom
            using errcode = 'no_data_found';
    end if;
    select count(*) into n from users u where u.domain = dom;
    if n > 0 then
        raise exception 'domain "%" still has % user(s)', dom, n
            using errcode = 'dependent_objects_still_exist',
                  hint = 'Delete them first with delete_user(address).';
    end if;
    delete from domains d where d.name = dom;
end
$$;

-- create_user(address, password): creates the user local@domain (lower-cased)
-- in the tenant that owns the domain, with password_secret =
-- scram_sha256_secret(password), scram_sha1_secret = scram_sha1_secret(password)
-- and a subscribed INBOX. Returns the user id.
-- Errors: 22023 invalid address "..." (needs exactly one '@', non-empty local
-- part and domain, no whitespace or control characters) or empty password;
-- P0002 unknown domain "..."; 23505 user "..." already exists.
create or replace function create_user(address text, password text) returns bigint
language plpgsql
set search_path = public, pg_temp
as $$
declare
    addr   text := lower(address);
    lp     text;
    dom    text;
    tid    bigint;
    usr_id bigint;
begin
    -- Whitespace: ASCII and Unicode spaces, line/paragraph separators; control
    -- characters: C0, DEL, C1, plus the invisible zero-width and bidi ones.
    if addr is null
       or addr !~ '^[^@]+@[^@]+$'
       or addr ~ '[[:space:][:cntrl:]\u0080-\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]' then
        raise exception 'invalid address "%"', address
            using errcode = 'invalid_parameter_value',
                  detail = 'An address is local@domain: exactly one "@", both parts non-empty, no whitespace or control characters.';
    end if;
    if password is null or password = '' then
        raise exception 'password must not be empty'
            using errcode = 'invalid_parameter_value';
    end if;
    lp := split_part(addr, '@', 1);
    dom := split_part(addr, '@', 2);

    -- The share lock keeps the domain from being removed until we commit.
    select d.tenant_id into tid from domains d where d.name = dom for key share;
    if tid is null then
        raise exception 'unknown domain "%"', dom
            using errcode = 'no_data_found',
                  hint = 'Add it with add_domain(tenant, domain).';
    end if;

    insert into users (tenant_id, local_part, domain, password_secret, scram_sha1_secret)
        values (tid, lp, dom, scram_sha256_secret(password), scram_sha1_secret(password))
        on conflict (domain, local_part) do nothing
        returning id into usr_id;
    if usr_id is null then
        raise exception 'user "%" already exists', addr
            using errcode = 'unique_violation';
    end if;

    insert into mailboxes (user_id, name) values (usr_id, 'INBOX');
    insert into subscriptions (user_id, name) values (usr_id, 'INBOX');
    return usr_id;
end
$$;

-- set_password(address, password): replaces the user's password_secret and
-- scram_sha1_secret (new salts). Sessions already logged in stay.
-- Errors: 22023 empty password; P0002 unknown user "...".
create or replace function set_password(address text, password text) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
    addr  text := lower(address);
    lp    text := split_part(lower(address), '@', 1);
begin
    if password is null or password = '' then
        raise exception 'password must not be empty'
            using errcode = 'invalid_parameter_value';
    end if;
    -- Stored parts never contain '@', so an address with more than one
    -- '@' matches no row.
    update users u set password_secret = scram_sha256_secret(password),
                       scram_sha1_secret = scram_sha1_secret(password)
     where u.local_part = lp and u.domain = substr(addr, length(lp) + 2);
    if not found then
        raise exception 'unknown user "%"', addr
            using errcode = 'no_data_found';
    end if;
end
$$;

-- disable_user(address): sets users.disabled, so the user can no longer log
-- in (mail is kept). Idempotent.
-- Errors: P0002 unknown user "...".
create or replace function disable_user(address text) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
    addr  text := lower(address);
    lp    text := split_part(lower(address), '@', 1);
begin
    update users u set disabled = true
     where u.local_part = lp and u.domain = substr(addr, length(lp) + 2);
    if not found then
        raise exception 'unknown user "%"', addr
            using errcode = 'no_data_found';
    end if;
end
$$;

-- enable_user(address): clears users.disabled. Idempotent.
-- Errors: P0002 unknown user "...".
create or replace function enable_user(address text) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
    addr  text := lower(address);
    lp    text := split_part(lower(address), '@', 1);
begin
    update users u set disabled = false
     where u.local_part = lp and u.domain = substr(addr, length(lp) + 2);
    if not found then
        raise exception 'unknown user "%"', addr
            using errcode = 'no_data_found';
    end if;
end
$$;

-- set_quota(address, bytes): sets users.quota_bytes; null means unlimited.
-- Errors: 22023 negative quota; P0002 unknown user "...".
create or replace function set_quota(address text, bytes bigint) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
    addr  text := lower(address);
    lp    text := split_part(lower(address), '@', 1);
begin
    if bytes < 0 then
        raise exception 'quota must not be negative, not %', bytes
            using errcode = 'invalid_parameter_value';
    end if;
    update users u set quota_bytes = bytes
     where u.local_part = lp and u.domain = substr(addr, length(lp) + 2);
    if not found then
        raise exception 'unknown user "%"', addr
            using errcode = 'no_data_found';
    end if;
end
$$;

-- delete_user(address): deletes the user with their mailboxes, their
-- mailbox_messages and expunged_messages rows, and every message of theirs
-- that no other user of the tenant still has in a mailbox. Irreversible.
-- Errors: P0002 unknown user "...". (If another session links one of those
-- messages in the same instant, the call may fail with a foreign key error;
-- nothing is changed then and it can simply be repeated.)
create or replace function delete_user(address text) returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
    addr   text := lower(address);
    lp     text := split_part(lower(address), '@', 1);
    usr_id bigint;
    tid    bigint;
    cands  bigint[];
begin
    select u.id, u.tenant_id into usr_id, tid from users u
     where u.local_part = lp and u.domain = substr(addr, length(lp) + 2)
       for update;
    if usr_id is null then
        raise exception 'unknown user "%"', addr
            using errcode = 'no_data_found';
    end if;

    select array_agg(distinct mm.message_id) into cands
      from mailbox_messages mm where mm.user_id = usr_id;

    delete from users where id = usr_id;   -- cascades to mailboxes and their rows

    if cands is not null then
        -- Skip messages another session is linking right now (it holds a
        -- key share lock on them); they are in use.
        delete from messages m
         using (select m2.id from messages m2
                 where m2.tenant_id = tid and m2.id = any (cands)
                   and not exists (select 1 from mailbox_messages mm
                                    where mm.tenant_id = m2.tenant_id
                                      and mm.message_id = m2.id)
                   for update skip locked) g
         where m.tenant_id = tid and m.id = g.id;
    end if;
end
$$;
