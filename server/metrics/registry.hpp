// Counters and histograms for /metrics, in Prometheus' text format (0.0.4).
// One registry per worker, touched only from its event loop (no locks).
// Values that exist anyway (open connections, pool use) are read when
// scraped, through collectors, instead of being mirrored here.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postimap::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
  public:
    void describe_counter(std::string name, std::string help);
    void describe_gauge(std::string name, std::string help);
    // Upper bounds of the buckets, ascending (+Inf is added).
    void describe_histogram(std::string name, std::string help, std::vector<double> bounds);

    void add(std::string_view name, const Labels& labels = {}, double value = 1);
    void observe(std::string_view name, const Labels& labels, double value);
    // Called at each scrape to append its gauge samples to the registry's
    // gauges (set_gauge) before rendering.
    void add_collector(std::function<void(Registry&)> collector);
    void set_gauge(std::string_view name, const Labels& labels, double value);

    std::string render();

  private:
    struct Histogram {
        std::vector<unsigned long long> buckets;  // per bound, not cumulative
        unsigned long long count = 0;
        double sum = 0;
    };
    struct Family {
        std::string type;
        std::string help;
        std::vector<double> bounds;
        std::map<std::string, double> values;  // rendered labels -> value
        std::map<std::string, Histogram> histograms;
    };
    Family& family(std::string_view name);

    std::map<std::string, Family, std::less<>> families_;
    std::vector<std::function<void(Registry&)>> collectors_;
};

// {a="x",b="y"}, with \, " and newlines escaped; empty for no labels.
std::string render_labels(const Labels& labels);

}  // namespace postimap::metrics
