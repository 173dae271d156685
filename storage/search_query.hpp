// Builds the SQL of a search. Internal to storage; separate so it can be
// unit-tested without a database.
#pragma once

#include <string>

#include "storage/pg/params.hpp"
#include "storage/search.hpp"

namespace postimap::storage {

// A boolean SQL expression over `mm` (mailbox_messages) and `m` (messages)
// that is true exactly for matching messages (NULL counts as no match). Values go to
// `params`, numbered after those already there.
std::string search_condition(const SearchNode& node, pg::Params& params);

// Whether the condition reads `m` (size, Date: header); without it, the
// query need not join messages at all.
bool search_needs_message_row(const SearchNode& node);

// ILIKE pattern matching `text` anywhere, with \, % and _ taken literally.
std::string contains_pattern(std::string_view text);

}  // namespace postimap::storage
