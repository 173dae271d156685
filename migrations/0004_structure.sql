-- The parsed MIME structure of each message, for FETCH ENVELOPE,
-- BODYSTRUCTURE and sections. Older rows keep NULL; workers parse those.
alter table messages add column structure jsonb;
