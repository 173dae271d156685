// The operator's command line: thin wrappers over the provisioning
// functions of schema/provisioning.sql, reading the same configuration as
// `serve` (so in the project directory they reach the embedded database).
#pragma once

#include <string>
#include <vector>

#include "storage/pg/pool.hpp"

namespace postimap {

// True when `verb` is an admin verb (tenant, user, quota).
bool is_admin_verb(const std::string& verb);
// Runs one admin command; prints what it did, or a one-line error on
// stderr. Returns the process exit status (0 done, 1 refused, 2 usage).
int run_admin_command(const std::string& verb, const std::vector<std::string>& args,
                      const std::string& dsn);

}  // namespace postimap
