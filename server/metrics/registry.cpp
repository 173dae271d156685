#include "server/metrics/registry.hpp"

#include <cmath>
#include <cstdio>

namespace postimap::metrics {
namespace {

std::string number(double v) {
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

// The labels of a histogram's bucket: its own plus le="bound".
std::string with_le(const std::string& labels, const std::string& le) {
    std::string inner = labels.empty() ? "" : labels.substr(1, labels.size() - 2) + ",";
    return "{" + inner + "le=\"" + le + "\"}";
}

}  // namespace

std::string render_labels(const Labels& labels) {
    if (labels.empty())
        return "";
    std::string out = "{";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i)
            out += ',';
        out += labels[i].first;
        out += "=\"";
        for (char c : labels[i].second) {
            if (c == '\\' || c == '"')
                out += '\\', out += c;
            else if (c == '\n')
                out += "\\n";
            else
                out += c;
        }
        out += '"';
    }
    return out + "}";
}

void Registry::describe_counter(std::string name, std::string help) {
    auto& f = family(name);
    f.type = "counter";
    f.help = std::move(help);
}

void Registry::describe_gauge(std::string name, std::string help) {
    auto& f = family(name);
    f.type = "gauge";
    f.help = std::move(help);
}

void Registry::describe_histogram(std::string name, std::string help, std::vector<double> bounds) {
    auto& f = family(name);
    f.type = "histogram";
    f.help = std::move(help);
    f.bounds = std::move(bounds);
}

Registry::Family& Registry::family(std::string_view name) {
    auto it = families_.find(name);
    if (it == families_.end())
        it = families_.emplace(std::string(name), Family{}).first;
    return it->second;
}

void Registry::add(std::string_view name, const Labels& labels, double value) {
    family(name).values[render_labels(labels)] += value;
}

void Registry::set_gauge(std::string_view name, const Labels& labels, double value) {
    family(name).values[render_labels(labels)] = value;
}

void Registry::observe(std::string_view name, const Labels& labels, double value) {
    auto& f = family(name);
    auto& h = f.histograms[render_labels(labels)];
    if (h.buckets.empty())
        h.buckets.assign(f.bounds.size(), 0);
    for (std::size_t i = 0; i < f.bounds.size(); ++i)
        if (value <= f.bounds[i]) {
            ++h.buckets[i];
            break;
        }
    ++h.count;
    h.sum += value;
}

void Registry::add_collector(std::function<void(Registry&)> collector) {
    collectors_.push_back(std::move(collector));
}

std::string Registry::render() {
    for (auto& [name, f] : families_)
        if (f.type == "gauge")
            f.values.clear();  // collectors set what exists now
    for (auto& c : collectors_)
        c(*this);
    std::string out;
    for (const auto& [name, f] : families_) {
        if (!f.help.empty())
            out += "# HELP " + name + " " + f.help + "\n";
        out += "# TYPE " + name + " " + (f.type.empty() ? "untyped" : f.type) + "\n";
        for (const auto& [labels, v] : f.values)
            out += name + labels + " " + number(v) + "\n";
        for (const auto& [labels, h] : f.histograms) {
            unsigned long long cumulative = 0;
            for (std::size_t i = 0; i < f.bounds.size(); ++i) {
                cumulative += h.buckets[i];
                out += name + "_bucket" + with_le(labels, number(f.bounds[i])) + " " +
                       std::to_string(cumulative) + "\n";
            }
            out +=
                name + "_bucket" + with_le(labels, "+Inf") + " " + std::to_string(h.count) + "\n";
            out += name + "_sum" + labels + " " + number(h.sum) + "\n";
            out += name + "_count" + labels + " " + std::to_string(h.count) + "\n";
        }
    }
    return out;
}

}  // namespace postimap::metrics
