#include "server/imap/flag_names.hpp"

#include <algorithm>
#include <cctype>

#include "server/imap/reader.hpp"

namespace postimap::imap {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

storage::Flags parse_settable_flags(const std::vector<std::string>& names) {
    storage::Flags flags;
    auto& s = flags.system;
    for (const auto& n : names) {
        if (iequals(n, "\\Seen"))
            s.seen = true;
        else if (iequals(n, "\\Answered"))
            s.answered = true;
        else if (iequals(n, "\\Flagged"))
            s.flagged = true;
        else if (iequals(n, "\\Deleted"))
            s.deleted = true;
        else if (iequals(n, "\\Draft"))
            s.draft = true;
        else if (n.starts_with('\\'))
            throw imap::SyntaxError("Flag " + n + " cannot be set");
        else if (std::none_of(flags.keywords.begin(), flags.keywords.end(),
                              [&](const std::string& k) { return iequals(k, n); }))
            flags.keywords.push_back(n);
    }
    return flags;
}

std::string format_flags(const storage::Flags& flags, bool recent) {
    std::string out;
    auto add = [&](bool on, const char* name) {
        if (!on)
            return;
        if (!out.empty())
            out += ' ';
        out += name;
    };
    add(flags.system.seen, "\\Seen");
    add(flags.system.answered, "\\Answered");
    add(flags.system.flagged, "\\Flagged");
    add(flags.system.deleted, "\\Deleted");
    add(flags.system.draft, "\\Draft");
    add(recent, "\\Recent");
    for (const auto& k : flags.keywords)
        add(true, k.c_str());
    return out;
}

std::string format_defined_flags(const std::vector<std::string>& keywords) {
    std::string out = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
    for (const auto& k : keywords)
        out += " " + k;
    return out;
}

}  // namespace postimap::imap
