// `postimap serve`: run one worker until SIGTERM or SIGINT (then drain).
#pragma once

#include <string>

#include "server/config.hpp"

namespace postimap {

// `config_path`: where the configuration came from (as load_config takes
// it), read again on SIGHUP.
int serve_command(const Config& config, const std::string& config_path);

}  // namespace postimap
