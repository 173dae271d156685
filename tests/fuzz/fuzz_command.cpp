// libFuzzer target: arbitrary bytes through the command framer, then every
// complete command through the argument readers. Anything but a clean
// answer (an event, or SyntaxError/BadCharset for a reader) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/imap/command_framer.hpp"
#include "server/imap/reader.hpp"
#include "server/imap/response.hpp"
#include "server/imap/search_key.hpp"

namespace {

using namespace postimap::imap;

// Tries each reader on the arguments, the way the commands would.
void read_arguments(std::string_view command) {
    for (int how = 0; how < 6; ++how) {
        Reader r(command);
        try {
            r.tag();
            r.space();
            r.command_name();
            if (r.at_end())
                return;
            r.space();
            switch (how) {
                case 0:
                    r.sequence_set();
                    break;
                case 1:
                    r.mailbox();
                    break;
                case 2:
                    r.flag_list();
                    break;
                case 3:
                    read_search_program(r);
                    break;
                case 4:
                    r.list_mailbox();
                    break;
                case 5:
                    r.string();
                    break;
            }
        } catch (const SyntaxError&) {
        } catch (const BadCharset&) {
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    CommandFramer framer({256, 4096, 8192});
    // Feed in two pieces split by the first byte, to vary the cut points.
    std::size_t cut = size ? data[0] % (size + 1) : 0;
    for (auto piece : {input.substr(0, cut), input.substr(cut)}) {
        framer.feed(piece);
        for (;;) {
            auto event = framer.next();
            if (std::holds_alternative<NeedMore>(event))
                break;
            if (auto* done = std::get_if<CompleteCommand>(&event))
                read_arguments(done->bytes);
        }
    }
    // Whatever the bytes, the writer's string must read back as the same bytes.
    std::string out;
    append_string(out, input);
    Reader back(out);
    if (back.string() != input)
        __builtin_trap();
    return 0;
}
