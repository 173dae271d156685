#include <algorithm>
#include <cctype>

#include "server/commands/handlers.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Turns on extensions that change what the server sends, RFC 5161: here
// CONDSTORE and QRESYNC (RFC 7162; QRESYNC implies CONDSTORE). Unknown
// names are ignored; ENABLED lists only what this command newly enabled.
Awaitable enable(CommandContext& ctx, imap::Reader& args) {
    std::vector<std::string> names;
    do {
        args.space();
        std::string name = imap::ascii_upper(args.atom());
        names.push_back(std::move(name));
    } while (!args.at_end());
    args.expect_end();

    auto& session = ctx.session;
    std::string enabled;
    auto mark = [&enabled](const char* name) { enabled += std::string(" ") + name; };
    for (const auto& name : names) {
        if (name == "CONDSTORE" && !session.condstore()) {
            session.enable_condstore();
            mark("CONDSTORE");
        } else if (name == "QRESYNC" && !session.qresync()) {
            if (!session.condstore())
                mark("CONDSTORE");
            session.enable_qresync();
            mark("QRESYNC");
        }
    }
    session.write(imap::untagged("ENABLED" + enabled));
    co_return Completion::ok("ENABLE completed");
}

}  // namespace postimap::commands
