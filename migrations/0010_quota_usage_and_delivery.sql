-- Quota and LMTP delivery.
--
-- users.used_bytes: the sum of the sizes of every message in the user's
-- mailboxes (a message in two mailboxes counts twice, as it does for the
-- user's view of the quota). Statement-level triggers keep it exact for
-- every insert and delete of mailbox rows, cascades from a deleted mailbox
-- included. APPEND, COPY and delivery read it after locking the target
-- mailbox and refuse what would go over users.quota_bytes.
alter table users add column used_bytes bigint not null default 0;

update users u set used_bytes = coalesce((
    select sum(m.size) from mailbox_messages mm
      join messages m on m.tenant_id = mm.tenant_id and m.id = mm.message_id
     where mm.user_id = u.id), 0);

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

-- Delivery (LMTP): the one lookup of a recipient before any user acts.
-- SECURITY DEFINER like login_lookup, and without the secrets.
create function delivery_lookup(p_local text, p_domain text)
    returns table (id bigint, tenant_id bigint, disabled boolean, quota_bytes bigint,
                   used_bytes bigint)
    language sql stable security definer set search_path = public, pg_temp as $$
    select u.id, u.tenant_id, u.disabled, u.quota_bytes, u.used_bytes from users u
     where u.local_part = p_local and u.domain = p_domain
$$;

-- Push payloads gain a fourth field: the changing transaction's start in
-- microseconds since the epoch, so a worker can measure notification lag.
-- now() is the same for the whole transaction, so identical payloads are
-- still folded into one NOTIFY.
create or replace function notify_mailbox_change() returns trigger language plpgsql as $$
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

create or replace function notify_subscription_change() returns trigger language plpgsql as $$
begin
    perform pg_notify('postimap_changes', coalesce(new.user_id, old.user_id) || ' 0 0 '
                      || (extract(epoch from now()) * 1000000)::bigint);
    return null;
end $$;
