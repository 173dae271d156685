// APPEND and delivery: parse once, store the bytes once per tenant, link
// them into the mailbox under its next UID, all in one transaction.
#include <openssl/evp.h>

#include "storage/error.hpp"
#include "storage/mail_store.hpp"
#include "storage/mime/date.hpp"
#include "storage/mime/encoded_word.hpp"
#include "storage/mime/header.hpp"
#include "storage/mime/message.hpp"
#include "storage/mime/part_json.hpp"
#include "storage/mime/search_text.hpp"
#include "storage/mime/utf8.hpp"
#include "storage/pg/transaction.hpp"

namespace postimap::storage {
namespace {

// Locks the mailbox row: concurrent appends to one mailbox queue here, so
// UIDs commit in ascending order (design.md, storage rules).
const pg::Statement kLockMailbox{"ingest_lock_mailbox",
                                 "select id, uidvalidity, uidnext, highestmodseq from mailboxes"
                                 " where user_id = $1 and name = $2 for update"};

// Returns the message's id whether it is new or already stored for the
// tenant. A concurrent insert of the same bytes waits for the other
// transaction and then finds its row.
const pg::Statement kStoreMessage{
    "ingest_store_message",
    "with ins as ("
    "  insert into messages (tenant_id, sha256, size, raw, header_size, sent_date, subject,"
    "                        message_id, body_text, structure, sent_day)"
    "  values ($1, $2, $3, $4, $5, to_timestamp($6), $7, $8, $9, $10::jsonb,"
    "          (to_timestamp($11) at time zone 'UTC')::date)"
    "  on conflict (tenant_id, sha256) do nothing returning id)"
    " select id, true from ins"
    " union all select id, false from messages where tenant_id = $1 and sha256 = $2"
    " limit 1"};

// When the same bytes were being stored by a concurrent transaction, the
// insert above waited for it and did nothing, but its statement's snapshot
// predates that commit: a new statement sees the row.
const pg::Statement kFindMessage{
    "ingest_find_message", "select id, false from messages where tenant_id = $1 and sha256 = $2"};

const pg::Statement kStoreHeaders{
    "ingest_store_headers",
    "insert into message_headers (tenant_id, message_id, position, name, value)"
    " select $1, $2, t.ord, lower(t.name), t.value"
    " from unnest($3::text[], $4::text[]) with ordinality as t(name, value, ord)"};

const pg::Statement kLinkMessage{
    "ingest_link_message",
    "insert into mailbox_messages (user_id, mailbox_id, uid, tenant_id, message_id, modseq,"
    "  seen, answered, flagged, deleted, draft, keywords, internal_date)"
    " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
    "         array(select distinct k from unnest($12::text[]) k order by k), to_timestamp($13))"};

// After the mailbox lock: appends to one mailbox are serialized, so only
// concurrent appends to the user's other mailboxes can pass the check
// together (each overshooting by at most its own message).
const pg::Statement kQuotaRoom{"ingest_quota_room",
                               "select quota_bytes - used_bytes from users where id = $1"};

const pg::Statement kAdvanceMailbox{
    "ingest_advance_mailbox",
    "update mailboxes set uidnext = $3, highestmodseq = $4 where user_id = $1 and id = $2"};

std::string sha256(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<char*>(digest), len);
}

std::optional<std::string> field_text(const mime::HeaderBlock& header, std::string_view name) {
    const auto* f = header.find(name);
    if (!f)
        return std::nullopt;
    return mime::to_valid_utf8(mime::decode_header_text(f->value));
}

}  // namespace

PreparedMessage prepare_message(std::string_view raw) {
    PreparedMessage p;
    const auto header = mime::parse_header(raw);
    const auto structure = mime::parse_message(raw);
    if (const auto* date = header.find("Date")) {
        if (auto parts = mime::parse_rfc5322_date_parts(date->value)) {
            p.sent_date = parts->instant;
            p.sent_day = parts->written_day;
        }
    }
    p.digest = sha256(raw);
    p.header_size = static_cast<std::int64_t>(header.header_size);
    p.subject = field_text(header, "Subject");
    p.message_id = field_text(header, "Message-ID");
    p.search_text = mime::to_valid_utf8(mime::search_text(structure, raw));
    p.structure_json = mime::to_json(structure);
    for (const auto& f : header.fields) {
        p.header_names.push_back(mime::to_valid_utf8(f.name));
        p.header_values.push_back(mime::to_valid_utf8(mime::decode_header_text(f.value)));
    }
    return p;
}

asio::awaitable<AppendResult> MailStore::append(const AppendRequest& req) {
    std::optional<PreparedMessage> made_here;
    if (!req.prepared)
        made_here = prepare_message(req.raw);
    const PreparedMessage& msg = req.prepared ? *req.prepared : *made_here;
    const std::string& digest = msg.digest;

    auto lease = co_await acquire_for(req.user);
    auto tx = co_await pg::Transaction::begin(std::move(lease));
    auto mailbox = co_await tx.exec(kLockMailbox, pg::Params(req.user.value, req.mailbox));
    if (mailbox.empty())
        throw Error(ErrorKind::not_found, "no such mailbox");
    const auto row = mailbox[0];
    const std::int64_t mailbox_id = row.int64(0);
    const std::int64_t uidvalidity = row.int64(1);
    const std::int64_t uid = row.int64(2);
    const std::int64_t modseq = row.int64(3) + 1;
    if (uid > 4294967295LL)
        throw Error(ErrorKind::invalid, "the mailbox has run out of UIDs");
    auto room = co_await tx.exec(kQuotaRoom, pg::Params(req.user.value));
    if (!room.empty() && !room[0].is_null(0) &&
        room[0].int64(0) < static_cast<std::int64_t>(req.raw.size()))
        throw Error(ErrorKind::over_quota, "quota exceeded");

    // Bytes the tenant most likely has already (the second recipient of a
    // delivery) are looked up first rather than sent again.
    pg::Result stored;
    if (req.probably_stored)
        stored = co_await tx.exec(kFindMessage, pg::Params(req.tenant.value, pg::Bytea{digest}));
    if (stored.empty())
        stored = co_await tx.exec(
            kStoreMessage, pg::Params(req.tenant.value, pg::Bytea{digest},
                                      static_cast<std::int64_t>(req.raw.size()), pg::Bytea{req.raw},
                                      msg.header_size, msg.sent_date, msg.subject, msg.message_id,
                                      msg.search_text, msg.structure_json, msg.sent_day));
    if (stored.empty())
        stored = co_await tx.exec(kFindMessage, pg::Params(req.tenant.value, pg::Bytea{digest}));
    if (stored.empty())
        throw Error(ErrorKind::unavailable, "the message row vanished while being stored");
    const std::int64_t message_id = stored[0].int64(0);
    if (stored[0].boolean(1))
        co_await tx.exec(kStoreHeaders, pg::Params(req.tenant.value, message_id, msg.header_names,
                                                   msg.header_values));
    const auto& flags = req.flags.system;
    co_await tx.exec(kLinkMessage,
                     pg::Params(req.user.value, mailbox_id, uid, req.tenant.value, message_id,
                                modseq, flags.seen, flags.answered, flags.flagged, flags.deleted,
                                flags.draft, req.flags.keywords, req.internal_date));
    co_await tx.exec(kAdvanceMailbox, pg::Params(req.user.value, mailbox_id, uid + 1, modseq));
    co_await tx.commit();
    co_return AppendResult{MailboxId{mailbox_id}, static_cast<std::uint32_t>(uidvalidity),
                           Uid{static_cast<std::uint32_t>(uid)}};
}

}  // namespace postimap::storage
