#include "server/commands/handlers.hpp"
#include "server/imap/flag_names.hpp"
#include "server/imap/response.hpp"
#include "server/imap/sequence_set.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {
namespace {

// QRESYNC's parameter (RFC 7162 3.2.5): what the client last knew.
struct QresyncParam {
    std::uint32_t uidvalidity = 0;
    std::uint64_t modseq = 0;
    std::optional<imap::SequenceSet> known_uids;
};

struct SelectParams {
    bool condstore = false;
    std::optional<QresyncParam> qresync;
};

// [SP "(" select-param *(SP select-param) ")"], RFC 4466 and RFC 7162.
// Sequence-match data is read and ignored: every tombstone is kept, so the
// exact answer is always known.
SelectParams read_select_params(imap::Reader& args) {
    SelectParams p;
    if (args.at_end())
        return p;
    args.space();
    args.expect('(');
    do {
        std::string name = imap::ascii_upper(args.atom());
        if (name == "CONDSTORE") {
            p.condstore = true;
        } else if (name == "QRESYNC") {
            QresyncParam q;
            args.space();
            args.expect('(');
            q.uidvalidity = args.nz_number();
            args.space();
            q.modseq = args.number64();
            if (args.accept(' ')) {
                if (!args.peek('(')) {
                    q.known_uids = args.sequence_set();
                    if (args.accept(' ') && !args.peek('('))
                        throw imap::SyntaxError("Expected sequence match data");
                }
                if (args.accept('(')) {
                    args.sequence_set();
                    args.space();
                    args.sequence_set();
                    args.expect(')');
                }
            }
            args.expect(')');
            p.qresync = std::move(q);
        } else {
            throw imap::SyntaxError("Unknown SELECT parameter " + name);
        }
    } while (args.accept(' '));
    args.expect(')');
    return p;
}

}  // namespace

// Opens a mailbox read-write (SELECT, RFC 3501 section 6.3.1) or read-only
// (EXAMINE, section 6.3.2), with the CONDSTORE and QRESYNC parameters of
// RFC 7162. A failed SELECT leaves no mailbox selected.
Awaitable select(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string name = args.mailbox();
    SelectParams params = read_select_params(args);
    args.expect_end();
    const bool read_only = ctx.name == "EXAMINE";

    auto& session = ctx.session;
    if (params.qresync && !session.qresync())
        co_return Completion::bad("QRESYNC must be enabled first (ENABLE QRESYNC)");
    if (params.condstore)
        session.enable_condstore();
    session.unselect();
    auto snapshot = co_await session.store().open_mailbox(session.user().id, name, !read_only);
    if (!snapshot)
        co_return Completion::no("Mailbox does not exist", "NONEXISTENT");

    const std::string defined = imap::format_defined_flags(snapshot->keywords);
    session.write(imap::untagged("FLAGS (" + defined + ")"));
    session.write(imap::untagged_status(
        imap::Status::ok, "PERMANENTFLAGS (" + (read_only ? std::string() : defined + " \\*") + ")",
        read_only ? "No permanent flags permitted" : "Flags permitted"));
    session::SelectedMailbox selected{snapshot->id,
                                      snapshot->name,
                                      read_only,
                                      snapshot->uidvalidity,
                                      std::move(snapshot->uids),
                                      {},
                                      snapshot->highestmodseq};
    selected.claim_recent(snapshot->recent, selected.uids.cbegin());
    session.write(imap::untagged(std::to_string(selected.exists()) + " EXISTS"));
    session.write(imap::untagged(std::to_string(selected.recent()) + " RECENT"));
    if (snapshot->first_unseen) {
        if (auto msn = selected.msn_of(*snapshot->first_unseen))
            session.write(imap::untagged_status(
                imap::Status::ok, "UNSEEN " + std::to_string(msn->value), "First unseen"));
    }
    session.write(imap::untagged_status(
        imap::Status::ok, "UIDVALIDITY " + std::to_string(snapshot->uidvalidity), "UIDs valid"));
    session.write(imap::untagged_status(imap::Status::ok,
                                        "UIDNEXT " + std::to_string(snapshot->uidnext.value),
                                        "Predicted next UID"));
    if (session.condstore())
        session.write(imap::untagged_status(
            imap::Status::ok, "HIGHESTMODSEQ " + std::to_string(snapshot->highestmodseq.value),
            "Highest"));
    const auto user = session.user().id;
    const auto box_id = snapshot->id;
    session.select(std::move(selected));
    if (params.qresync && params.qresync->uidvalidity == snapshot->uidvalidity) {
        // What happened since the client's MODSEQ: VANISHED (EARLIER) for
        // the UIDs it knew that are gone, then the changed messages' flags.
        const storage::ModSeq since{params.qresync->modseq};
        auto delta =
            co_await session.store().changes_since(user, box_id, since, storage::Uid{0xffffffffu});
        auto& box = session.selected();
        const std::uint32_t largest = snapshot->uidnext.value > 0 ? snapshot->uidnext.value - 1 : 0;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> vanished;
        for (auto uid : delta.expunged)
            if (!params.qresync->known_uids ||
                params.qresync->known_uids->contains(uid.value, largest))
                vanished.emplace_back(uid.value, uid.value);
        if (!vanished.empty())
            session.write(imap::untagged("VANISHED (EARLIER) " + imap::format_sequence(vanished)));
        for (const auto& c : delta.changed)
            if (auto msn = box.msn_of(c.uid))
                session.write(imap::untagged(std::to_string(msn->value) + " FETCH (UID " +
                                             std::to_string(c.uid.value) + " FLAGS (" +
                                             imap::format_flags(c.flags, box.is_recent(c.uid)) +
                                             ") MODSEQ (" + std::to_string(c.modseq.value) + "))"));
    }
    co_return Completion::ok(std::string(ctx.name) + " completed",
                             read_only ? "READ-ONLY" : "READ-WRITE");
}

}  // namespace postimap::commands
