-- SENTBEFORE/SENTON/SENTSINCE compare the Date: header's day as written,
-- disregarding its time zone (RFC 3501 6.4.4); sent_date is an instant.
-- Older rows take the UTC day, the best that can be known without parsing.
alter table messages add column sent_day date;
update messages set sent_day = (sent_date at time zone 'UTC')::date where sent_date is not null;
create index messages_sent_day on messages (tenant_id, sent_day);
