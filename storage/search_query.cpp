#include "storage/search_query.hpp"

#include "storage/mime/utf8.hpp"
#include "storage/uid_ranges.hpp"

namespace postimap::storage {
namespace {

using Kind = SearchNode::Kind;

std::string placeholder(pg::Params& params) {
    return "$" + std::to_string(params.size());
}

template <typename T>
std::string bind(pg::Params& params, const T& value) {
    params.add(value);
    return placeholder(params);
}

const char* flag_column(SearchNode::SystemFlag f) {
    switch (f) {
        case SearchNode::SystemFlag::seen:
            return "mm.seen";
        case SearchNode::SystemFlag::answered:
            return "mm.answered";
        case SearchNode::SystemFlag::flagged:
            return "mm.flagged";
        case SearchNode::SystemFlag::deleted:
            return "mm.deleted";
        case SearchNode::SystemFlag::draft:
            return "mm.draft";
    }
    return "false";
}

// Search strings arrive as the client's bytes; stored text is valid UTF-8.
std::string pattern_param(pg::Params& params, const std::string& text) {
    return bind(params, contains_pattern(mime::to_valid_utf8(text)));
}

// HEADER field string (RFC 3501 6.4.4): the named field contains the
// string; an empty string matches every message that has the field.
// Substring conditions call the search functions of schema/security.sql:
// uncorrelated, so PostgreSQL runs each once through its trigram index and
// probes the result as a hash, instead of reading the header rows or the
// body of every message in the mailbox; they stay within the acting user's
// tenant.
std::string header_condition(const SearchNode& n, pg::Params& params) {
    if (n.text.empty())
        return "exists (select 1 from message_headers h where h.tenant_id = mm.tenant_id"
               " and h.message_id = mm.message_id and h.name = " +
               bind(params, n.field) + ")";
    const std::string name = bind(params, n.field);
    return "mm.message_id in (select header_field_matches(" + name + ", " +
           pattern_param(params, n.text) + "))";
}

// BODY: the decoded text of the body parts.
std::string body_condition(const std::string& pattern) {
    return "mm.message_id in (select body_matches(" + pattern + "))";
}

// TEXT looks at whole header lines ("Name: value") and at the body.
std::string text_condition(const SearchNode& n, pg::Params& params) {
    std::string p = pattern_param(params, n.text);
    return "(" + body_condition(p) + " or mm.message_id in (select header_line_matches(" + p +
           ")))";
}

std::string date_condition(const SearchNode& n, pg::Params& params) {
    // INTERNALDATE compares in UTC days; the Date: header by its own day.
    const bool internal = n.date_field == SearchNode::DateField::internal;
    const std::string column = internal ? "mm.internal_date" : "m.sent_day";
    const std::string at = "to_timestamp(" + bind(params, n.number) + ")";
    const std::string day = internal ? at : "(" + at + " at time zone 'UTC')::date";
    const std::string next = internal ? day + " + interval '1 day'" : day + " + 1";
    switch (n.relation) {
        case SearchNode::DateRelation::before:
            return column + " < " + day;
        case SearchNode::DateRelation::since:
            return column + " >= " + day;
        case SearchNode::DateRelation::on:
            return column + " >= " + day + " and " + column + " < " + next;
    }
    return "false";
}

std::string condition(const SearchNode& n, pg::Params& params) {
    switch (n.kind) {
        case Kind::all:
            return "true";
        case Kind::none:
            return "false";
        case Kind::flag:
            return flag_column(n.flag);
        case Kind::keyword:  // keywords are case-insensitive, as STORE treats them
            return "exists (select 1 from unnest(mm.keywords) k where lower(k) = lower(" +
                   bind(params, n.text) + "))";
        case Kind::uid_in: {
            auto [lows, highs] = split_ranges(n.ranges);
            std::string lo = bind(params, lows);
            std::string hi = bind(params, highs);
            return "exists (select 1 from unnest(" + lo + "::bigint[], " + hi +
                   "::bigint[]) as r(lo, hi) where mm.uid between r.lo and r.hi)";
        }
        case Kind::header:
            return header_condition(n, params);
        case Kind::body:
            return body_condition(pattern_param(params, n.text));
        case Kind::text:
            return text_condition(n, params);
        case Kind::date:
            return date_condition(n, params);
        case Kind::larger:
            return "m.size > " + bind(params, n.number);
        case Kind::smaller:
            return "m.size < " + bind(params, n.number);
        case Kind::modseq:
            return "mm.modseq >= " + bind(params, n.number);
        // NULL (a message without a Date header, say) matches neither a key
        // nor, after NOT, its negation: coalesce makes NOT take it. Only
        // here: elsewhere NULL already acts as no match, and a bare column
        // test keeps its index usable.
        case Kind::not_:
            return "not coalesce(" + search_condition(n.children.at(0), params) + ", false)";
        case Kind::or_:
            return "(" + search_condition(n.children.at(0), params) + " or " +
                   search_condition(n.children.at(1), params) + ")";
        case Kind::and_: {
            if (n.children.empty())
                return "true";
            std::string sql = "(";
            for (std::size_t i = 0; i < n.children.size(); ++i)
                sql += (i ? " and " : "") + search_condition(n.children[i], params);
            return sql + ")";
        }
    }
    return "false";
}

}  // namespace

std::string contains_pattern(std::string_view text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '\\' || c == '%' || c == '_')
            out += '\\';
        out += c;
    }
    return out + "%";
}

std::string search_condition(const SearchNode& node, pg::Params& params) {
    return "(" + condition(node, params) + ")";
}

bool search_needs_message_row(const SearchNode& node) {
    switch (node.kind) {
        case Kind::larger:
        case Kind::smaller:
            return true;
        case Kind::date:
            return node.date_field != SearchNode::DateField::internal;
        default:
            break;
    }
    for (const auto& child : node.children)
        if (search_needs_message_row(child))
            return true;
    return false;
}

}  // namespace postimap::storage
