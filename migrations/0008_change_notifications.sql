-- Push between workers: every committed change to a mailbox (APPEND,
-- delivery, STORE, COPY/MOVE into it, EXPUNGE, create, delete, rename) moves
-- its row in mailboxes (uidnext, highestmodseq or name), and this trigger
-- turns that into a NOTIFY on the one channel postimap_changes with the
-- payload "user_id mailbox_id highestmodseq" (deleted: modseq 0).
-- Subscription changes say "user_id 0 0". NOTIFY is sent at COMMIT, in
-- commit order, and identical payloads within a transaction are folded.
--
-- One channel for all users, not one per user: a worker then holds one
-- LISTEN however many users it serves and filters in memory, and the
-- server's per-backend list of channels (searched linearly on every
-- notification before PostgreSQL 17) stays at one entry.
create function notify_mailbox_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform pg_notify('postimap_changes', old.user_id || ' ' || old.id || ' 0');
        return old;
    end if;
    if tg_op = 'UPDATE' and new.highestmodseq = old.highestmodseq
       and new.uidnext = old.uidnext and new.name = old.name then
        return new;  -- nothing a client sees (recent_uid claims, say)
    end if;
    perform pg_notify('postimap_changes', new.user_id || ' ' || new.id || ' ' || new.highestmodseq);
    return new;
end $$;

create trigger mailboxes_notify after insert or update or delete on mailboxes
    for each row execute function notify_mailbox_change();

create function notify_subscription_change() returns trigger language plpgsql as $$
begin
    perform pg_notify('postimap_changes',
                      coalesce(new.user_id, old.user_id) || ' 0 0');
    return null;
end $$;

create trigger subscriptions_notify after insert or update or delete on subscriptions
    for each row execute function notify_subscription_change();
