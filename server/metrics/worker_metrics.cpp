#include "server/metrics/worker_metrics.hpp"

namespace postimap::metrics {

void describe_worker_metrics(Registry& r) {
    r.describe_counter(kConnectionsAccepted, "Connections accepted, by protocol.");
    r.describe_gauge(kConnections, "Open connections, by protocol and state.");
    r.describe_counter(kCommands, "IMAP commands answered, by command and result.");
    r.describe_histogram(
        kCommandSeconds, "Time from a command's last byte to its tagged reply.",
        {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    r.describe_counter(kLogins, "Successful logins, by mechanism.");
    r.describe_counter(kLoginFailures, "Failed or refused logins, by mechanism.");
    r.describe_counter(kTlsHandshakes, "TLS handshakes, by result.");
    r.describe_counter(kBytesReceived, "Bytes read from clients, by protocol.");
    r.describe_counter(kBytesSent, "Bytes written to clients, by protocol.");
    r.describe_histogram(kNotificationLag,
                         "From the start of a changing transaction to its notification "
                         "reaching this worker.",
                         {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5});
    r.describe_counter(kNotifications, "Change notifications received.");
    r.describe_gauge(kPoolConnections, "Database connections of this worker, by state.");
    r.describe_gauge(kPoolWaiting, "Callers waiting for a database connection.");
    r.describe_counter(kPoolAcquires, "Database connections handed out.");
    r.describe_counter(kPoolWaitSeconds, "Time spent waiting for a database connection.");
    r.describe_counter(kLmtpDeliveries, "LMTP recipients answered after DATA, by result.");
    r.describe_counter(kProxyHeaders, "PROXY protocol headers, by result.");
    r.describe_gauge(kDatabaseUp, "1 when the last health check reached the database.");
}

}  // namespace postimap::metrics
