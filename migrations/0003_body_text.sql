-- The searchable text of each message's body, with a trigram index, for
-- SEARCH BODY and TEXT. Messages stored before this step get it empty.
alter table messages add column body_text text not null default '';
create index messages_body_text_trgm on messages using gin (body_text gin_trgm_ops);
