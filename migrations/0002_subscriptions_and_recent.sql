-- Subscriptions become names of their own (RFC 3501 6.3.6 allows subscribing
-- to names that do not exist), mailboxes learn which messages are \Recent,
-- and STORE gets its flag arithmetic in SQL.

create table subscriptions (
    user_id  bigint not null references users (id) on delete cascade,
    name     text not null check (name <> ''),
    primary key (user_id, name)
);
insert into subscriptions (user_id, name) select user_id, name from mailboxes where subscribed;
alter table mailboxes drop column subscribed;

alter table mailboxes add column recent_uid bigint not null default 1;
-- Messages that exist now were seen by earlier sessions: none is recent.
update mailboxes set recent_uid = uidnext;

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

    insert into users (tenant_id, local_part, domain, password_secret)
        values (tid, lp, dom, scram_sha256_secret(password))
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
