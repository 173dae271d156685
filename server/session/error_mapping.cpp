#include "server/session/error_mapping.hpp"

#include "log/log.hpp"
#include "server/imap/search_key.hpp"
#include "storage/error.hpp"
#include "storage/pg/error.hpp"

namespace postimap::session {

Completion completion_for(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const imap::SyntaxError& e) {
        return Completion::bad(e.what());
    } catch (const imap::BadCharset& e) {
        return Completion::no(e.what(), std::string(imap::BadCharset::kResponseCode));
    } catch (const storage::Error& e) {
        using storage::ErrorKind;
        switch (e.kind()) {
            case ErrorKind::not_found:
                return Completion::no("Mailbox does not exist", "NONEXISTENT");
            case ErrorKind::already_exists:
                return Completion::no("Mailbox already exists", "ALREADYEXISTS");
            case ErrorKind::no_permission:
                return Completion::no("Permission denied", "NOPERM");
            case ErrorKind::over_quota:
                return Completion::no("Quota exceeded", "OVERQUOTA");
            case ErrorKind::invalid:
                return Completion::no(e.what(), "CANNOT");
            case ErrorKind::unavailable:
                return Completion::no("Storage is unavailable, try again later", "UNAVAILABLE");
        }
        return Completion::no(e.what(), "SERVERBUG");
    } catch (const postimap::pg::ConnectionError& e) {
        log::warn("database_unavailable", "error=\"", e.what(), "\"");
        return Completion::no("Database is unavailable, try again later", "UNAVAILABLE");
    } catch (const postimap::pg::Error& e) {
        // Conflicts with concurrent writers (deadlock, serialization): the
        // command changed nothing and may simply be sent again (RFC 5530).
        if (e.sqlstate() == "40P01" || e.sqlstate() == "40001") {
            log::warn("database_conflict", "sqlstate=", e.sqlstate());
            return Completion::no("Conflict with a concurrent change, try again", "INUSE");
        }
        log::error("database_error", "sqlstate=", e.sqlstate(), " error=\"", e.what(), "\"");
        return Completion::no("Internal error", "SERVERBUG");
    } catch (const std::exception& e) {
        log::error("command_failed", "error=\"", e.what(), "\"");
        return Completion::no("Internal error", "SERVERBUG");
    }
}

}  // namespace postimap::session
