-- pgcrypto: digests, HMAC and random salts for password secrets computed in SQL.
create extension if not exists pgcrypto;
-- pg_trgm: trigram GIN indexes for case-insensitive substring SEARCH (RFC 3501 6.4.4).
create extension if not exists pg_trgm;
