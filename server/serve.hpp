// `postimap serve`: run one worker until SIGTERM or SIGINT (then drain).
#pragma once

#include "server/config.hpp"

namespace postimap {

int serve_command(const Config& config);

}  // namespace postimap
