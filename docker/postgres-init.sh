#!/bin/bash
# Run once by the postgres image when its volume is new
# (/docker-entrypoint-initdb.d), as the superuser, before the server
# listens on TCP. Creates:
#   postimap         owns the database and the schema; `postimap migrate`
#                    and provisioning (psql) use it
#   postimap_app     the role workers act as (SET ROLE), under row-level
#                    security; migration 0007 grants it privileges
#   postimap_worker  the workers' login: no rights of its own, a member of
#                    postimap_app
#   the database postimap, UTF-8 with the C.UTF-8 locale (case-insensitive
#   SEARCH over all of Unicode)
set -euo pipefail

psql -v ON_ERROR_STOP=1 -X -q --username "$POSTGRES_USER" --dbname postgres \
     -v owner_password="$PG_OWNER_PASSWORD" -v worker_password="$PG_WORKER_PASSWORD" <<'SQL'
create role postimap login password :'owner_password';
create role postimap_app nologin;
grant postimap_app to postimap;
create role postimap_worker login password :'worker_password';
grant postimap_app to postimap_worker;
create database postimap owner postimap encoding 'UTF8' locale 'C.UTF-8' template template0;
SQL
