-- SCRAM-SHA-1 for clients that offer nothing newer: a second secret per
-- user, computed in SQL like the SHA-256 one. Users created before this
-- migration get it at their next set_password; until then SCRAM-SHA-1 fails
-- for them like a wrong password (every other mechanism works).
alter table users add column scram_sha1_secret text;

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

-- The login lookup hands SCRAM both secrets.
drop function login_lookup(text, text);
create function login_lookup(p_local text, p_domain text)
    returns table (id bigint, tenant_id bigint, password_secret text, disabled boolean,
                   scram_sha1_secret text)
    language sql stable security definer set search_path = public, pg_temp as $$
    select u.id, u.tenant_id, u.password_secret, u.disabled, u.scram_sha1_secret from users u
     where u.local_part = p_local and u.domain = p_domain
$$;
