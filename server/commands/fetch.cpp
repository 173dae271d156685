#include <algorithm>

#include "server/commands/body_section.hpp"
#include "server/commands/fetch_items.hpp"
#include "server/commands/handlers.hpp"
#include "server/commands/message_set.hpp"
#include "server/commands/structure_writer.hpp"
#include "server/imap/date_time.hpp"
#include "server/imap/flag_names.hpp"
#include "server/imap/response.hpp"
#include "server/imap/sequence_set.hpp"
#include "server/session/session.hpp"
#include "storage/mime/part_json.hpp"

namespace postimap::commands {
namespace {

// Messages per query: bounds the bytes held in memory at once.
constexpr std::uint32_t kBodyBatch = 64;
constexpr std::uint32_t kMetadataBatch = 16384;

// The message's parsed structure: stored at ingest; parsed here only for
// rows stored before that column existed.
std::optional<mime::Part> structure_of(const storage::MessageData& m) {
    if (m.structure)
        if (auto part = mime::part_from_json(*m.structure))
            return part;
    if (m.raw)
        return mime::parse_message(*m.raw);
    return std::nullopt;
}

// Appends one "* n FETCH (...)" response to `out` (a whole batch is built
// in one buffer: a FLAGS sync writes 100 000 of these).
void append_fetch_response(std::string& out, std::uint32_t msn, const storage::MessageData& m,
                           const FetchItems& items, bool flags_changed, bool recent,
                           bool with_modseq) {
    out += "* ";
    out += std::to_string(msn);
    out += " FETCH (";
    auto item = [&](std::string_view name) {
        if (out.back() != '(')
            out += ' ';
        out += name;
    };
    if (items.uid) {
        item("UID ");
        out += std::to_string(m.uid.value);
    }
    if (items.flags || flags_changed) {
        item("FLAGS (");
        out += imap::format_flags(m.flags, recent) + ")";
    }
    if (items.modseq || with_modseq) {
        item("MODSEQ (");
        out += std::to_string(m.modseq.value) + ")";
    }
    if (items.internal_date) {
        item("INTERNALDATE \"");
        out += imap::format_date_time(m.internal_date) + "\"";
    }
    if (items.size) {
        item("RFC822.SIZE ");
        out += std::to_string(m.size);
    }
    std::optional<mime::Part> structure;
    std::optional<mime::Envelope> envelope_alone;
    const mime::Envelope* envelope = nullptr;
    if (items.needs_only_envelope() && m.structure) {
        envelope_alone = mime::envelope_from_json(*m.structure);
        if (envelope_alone)
            envelope = &*envelope_alone;
    } else if (items.needs_structure()) {
        structure = structure_of(m);
        if (structure && structure->envelope)
            envelope = &*structure->envelope;
    }
    if (items.envelope && envelope) {
        item("ENVELOPE ");
        append_envelope(out, *envelope);
    }
    if (items.body && structure) {
        item("BODY ");
        append_body_structure(out, *structure, false);
    }
    if (items.body_structure && structure) {
        item("BODYSTRUCTURE ");
        append_body_structure(out, *structure, true);
    }
    for (const auto& body : items.bodies) {
        if (!m.raw)
            continue;
        std::string bytes =
            structure ? section_bytes(*m.raw, *structure, body) : std::string(*m.raw);
        if (body.partial) {
            item(body.response_name + "<" + std::to_string(body.partial->origin) + "> ");
            bytes = bytes.substr(std::min<std::size_t>(body.partial->origin, bytes.size()),
                                 body.partial->length);
        } else {
            item(body.response_name + " ");
        }
        imap::append_literal(out, bytes);
    }
    out += ")\r\n";
}

}  // namespace

// Retrieves message data, RFC 3501 sections 6.4.5 and 6.4.8 (UID FETCH,
// which always reports UID). BODY[] and RFC822 set \Seen unless the mailbox
// is read-only, and the new flags are reported.
Awaitable fetch(CommandContext& ctx, imap::Reader& args) {
    const bool by_uid = ctx.name == "UID FETCH";
    args.space();
    auto set = args.sequence_set();
    args.space();
    FetchItems items = read_fetch_items(args);
    const FetchModifiers mods = read_fetch_modifiers(args);
    args.expect_end();
    if (by_uid)
        items.uid = true;

    auto& session = ctx.session;
    if (mods.vanished && (!by_uid || !session.qresync()))
        co_return Completion::bad("VANISHED needs UID FETCH with QRESYNC enabled");
    // MODSEQ and CHANGEDSINCE are CONDSTORE enabling (RFC 7162 3.1), and
    // CHANGEDSINCE asks for MODSEQ in every response.
    if (items.modseq || mods.changed_since) {
        session.enable_condstore();
        items.modseq = true;
    }
    auto& box = session.selected();
    const auto user = session.user().id;
    const auto targets = resolve_messages(set, by_uid, box);
    const bool mark_seen = items.sets_seen() && !box.read_only;
    if (mods.vanished) {
        // RFC 7162 3.2.6: the UIDs of the set expunged since CHANGEDSINCE.
        auto delta = co_await session.store().changes_since(
            user, box.id, storage::ModSeq{*mods.changed_since}, storage::Uid{0xffffffffu});
        const std::uint32_t largest = box.uids.empty() ? 0 : box.uids.back().value;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> gone;
        for (auto uid : delta.expunged)
            if (set.contains(uid.value, std::max(largest, uid.value)))
                gone.emplace_back(uid.value, uid.value);
        if (!gone.empty())
            session.write(imap::untagged("VANISHED (EARLIER) " + imap::format_sequence(gone)));
    }
    const std::uint32_t batch = items.needs_raw() ? kBodyBatch : kMetadataBatch;
    // No dates, sizes, MODSEQs or bodies, and no \Seen to set (whose FETCH
    // may carry MODSEQ): the cheap FLAGS read will do.
    const bool only_flags = !items.needs_raw() && !items.needs_structure() && !items.size &&
                            !items.internal_date && !items.modseq && !mods.changed_since &&
                            !mark_seen;

    // Messages of the session's view that another session expunged (not
    // yet reported: no EXPUNGE during FETCH) have no data to send.
    std::uint64_t missing = 0;
    for (auto [first, last] : targets) {
        for (std::uint32_t start = first; start <= last;) {
            std::uint32_t end = std::min(last, start + batch - 1);
            std::vector<storage::UidRange> range{{box.uid_of({start}), box.uid_of({end})}};
            std::vector<storage::Uid> newly_seen;
            if (mark_seen) {
                storage::Flags seen;
                seen.system.seen = true;
                auto changed = co_await session.store().change_flags(
                    user, box.id, range, storage::FlagChange::add, seen);
                for (const auto& c : changed)
                    newly_seen.push_back(c.uid);
                if (!changed.empty())
                    session.note_own_modseq(changed.front().modseq);
            }
            auto rows =
                co_await session.store().fetch(user, box.id, range,
                                               {.raw = items.needs_raw(),
                                                .structure = items.needs_structure(),
                                                .only_envelope = items.needs_only_envelope(),
                                                .size = items.size,
                                                .only_flags = only_flags});
            missing += (end - start + 1) - rows.size();
            // Rows come in UID order, as the view's UIDs are: the next
            // message is nearly always the next in the view (no search).
            std::size_t next = start - 1;
            std::string out;
            for (const auto& m : rows) {
                std::optional<session::Msn> msn;
                if (next < box.uids.size() && box.uids[next] == m.uid)
                    msn = session::Msn{static_cast<std::uint32_t>(++next)};
                else if ((msn = box.msn_of(m.uid)))
                    next = msn->value;
                if (!msn)
                    continue;
                bool changed =
                    std::find(newly_seen.begin(), newly_seen.end(), m.uid) != newly_seen.end();
                if (mods.changed_since && m.modseq.value <= *mods.changed_since && !changed)
                    continue;
                append_fetch_response(out, msn->value, m, items, changed, box.is_recent(m.uid),
                                      changed && session.condstore());
                if (out.size() >= 64 * 1024) {
                    session.write(out);
                    out.clear();
                }
            }
            session.write(out);
            co_await session.flush_if_large();
            if (end == last)
                break;
            start = end + 1;
        }
    }
    if (missing > 0) {
        // RFC 5530; what Dovecot answers too. The NOOP the client sends next
        // brings the EXPUNGE.
        session.note_selected_mailbox_changed();
        co_return Completion::no("Some of the requested messages no longer exist", "EXPUNGEISSUED");
    }
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
