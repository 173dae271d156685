// The names of the worker's metrics, described in one place so that
// /metrics lists each with its help text even before it first moves.
#pragma once

#include "server/metrics/registry.hpp"

namespace postimap::metrics {

inline constexpr const char* kConnectionsAccepted = "postimap_connections_accepted_total";
inline constexpr const char* kConnections = "postimap_connections";
inline constexpr const char* kCommands = "postimap_commands_total";
inline constexpr const char* kCommandSeconds = "postimap_command_duration_seconds";
inline constexpr const char* kLogins = "postimap_logins_total";
inline constexpr const char* kLoginFailures = "postimap_login_failures_total";
inline constexpr const char* kTlsHandshakes = "postimap_tls_handshakes_total";
inline constexpr const char* kBytesReceived = "postimap_bytes_received_total";
inline constexpr const char* kBytesSent = "postimap_bytes_sent_total";
inline constexpr const char* kNotificationLag = "postimap_notification_lag_seconds";
inline constexpr const char* kNotifications = "postimap_notifications_total";
inline constexpr const char* kPoolConnections = "postimap_db_pool_connections";
inline constexpr const char* kPoolWaiting = "postimap_db_pool_waiting";
inline constexpr const char* kPoolAcquires = "postimap_db_pool_acquires_total";
inline constexpr const char* kPoolWaitSeconds = "postimap_db_pool_wait_seconds_total";
inline constexpr const char* kLmtpDeliveries = "postimap_lmtp_deliveries_total";
inline constexpr const char* kProxyHeaders = "postimap_proxy_headers_total";
inline constexpr const char* kDatabaseUp = "postimap_database_up";

void describe_worker_metrics(Registry& registry);

}  // namespace postimap::metrics
