#include "server/metrics/registry.hpp"

#include <gtest/gtest.h>

#include "server/http/http_server.hpp"

namespace postimap::metrics {
namespace {

TEST(MetricsRegistry, RendersCountersWithHelpTypeAndEscapedLabels) {
    Registry r;
    r.describe_counter("x_total", "Things.");
    r.add("x_total", {{"command", "FETCH"}, {"result", "OK"}});
    r.add("x_total", {{"command", "FETCH"}, {"result", "OK"}}, 2);
    r.add("x_total", {{"command", "a\"b\\c\nd"}});
    const std::string out = r.render();
    EXPECT_NE(out.find("# HELP x_total Things.\n# TYPE x_total counter\n"), std::string::npos);
    EXPECT_NE(out.find("x_total{command=\"FETCH\",result=\"OK\"} 3\n"), std::string::npos);
    EXPECT_NE(out.find("x_total{command=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos);
}

TEST(MetricsRegistry, HistogramBucketsAreCumulative) {
    Registry r;
    r.describe_histogram("lat_seconds", "Latency.", {0.01, 0.1, 1});
    for (double v : {0.005, 0.05, 0.05, 5.0})
        r.observe("lat_seconds", {{"command", "SELECT"}}, v);
    const std::string out = r.render();
    EXPECT_NE(out.find("lat_seconds_bucket{command=\"SELECT\",le=\"0.01\"} 1\n"),
              std::string::npos);
    EXPECT_NE(out.find("lat_seconds_bucket{command=\"SELECT\",le=\"0.1\"} 3\n"), std::string::npos);
    EXPECT_NE(out.find("lat_seconds_bucket{command=\"SELECT\",le=\"1\"} 3\n"), std::string::npos);
    EXPECT_NE(out.find("lat_seconds_bucket{command=\"SELECT\",le=\"+Inf\"} 4\n"),
              std::string::npos);
    EXPECT_NE(out.find("lat_seconds_count{command=\"SELECT\"} 4\n"), std::string::npos);
    EXPECT_NE(out.find("lat_seconds_sum{command=\"SELECT\"} 5.105\n"), std::string::npos);
}

TEST(MetricsRegistry, GaugesComeFreshFromCollectorsAtEachScrape) {
    Registry r;
    r.describe_gauge("open", "Open.");
    int n = 2;
    r.add_collector([&](Registry& reg) {
        for (int i = 0; i < n; ++i)
            reg.add("open", {{"state", "idle"}});
    });
    EXPECT_NE(r.render().find("open{state=\"idle\"} 2\n"), std::string::npos);
    n = 1;
    EXPECT_NE(r.render().find("open{state=\"idle\"} 1\n"), std::string::npos);
}

TEST(HttpRequestLine, ParsesMethodAndTarget) {
    std::string method, target;
    ASSERT_TRUE(
        http::parse_request_line("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", method, target));
    EXPECT_EQ(method, "GET");
    EXPECT_EQ(target, "/healthz");
    for (const char* bad : {"GET\r\n\r\n", "GET /x\r\n\r\n", "GET x HTTP/1.1\r\n",
                            " / HTTP/1.0\r\n", "GET  HTTP/1.1\r\n", "GET / FTP/1\r\n"})
        EXPECT_FALSE(http::parse_request_line(bad, method, target)) << bad;
}

}  // namespace
}  // namespace postimap::metrics
