// line_plot: a small SVG line-plot writer (axes, ticks, linear or log scales, several series, a
// legend) for the pictures the examples draw; plain text out, no dependencies.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ctgrad {

/// One curve of a line_plot: points (x[i], y[i]) joined in order. A point that is not finite, or
/// not positive on a log axis, is left out and breaks the line there.
struct plot_series {
    std::string name;        // shown in the legend (empty: not listed)
    std::vector<double> x;
    std::vector<double> y;
    std::string color{};     // any SVG colour; empty takes the next colour of the palette
    double width = 1.8;      // stroke width in pixels
    bool dashed = false;
};

/// Where a line_plot puts its legend, inside the frame.
enum class legend_position { top_right, top_left, bottom_right, bottom_left, none };

/// An SVG line plot: plot.add("f", xs, ys); plot.save("f.svg"). Axes take the range of the data
/// (or x_range / y_range) rounded out to ticks at 1, 2 or 5 times a power of ten; a log axis has
/// a tick per decade. Example: examples/approximate_f.cpp, docs/gallery.md.
class line_plot {
public:
    explicit line_plot(std::string title = {}) : title_(std::move(title)) {}

    line_plot& x_label(std::string text) { x_label_ = std::move(text); return *this; }
    line_plot& y_label(std::string text) { y_label_ = std::move(text); return *this; }
    line_plot& log_x(bool on = true) { x_.log = on; return *this; }
    line_plot& log_y(bool on = true) { y_.log = on; return *this; }
    line_plot& x_range(double lo, double hi) { x_.fixed = {lo, hi}; x_.has_fixed = true; return *this; }
    line_plot& y_range(double lo, double hi) { y_.fixed = {lo, hi}; y_.has_fixed = true; return *this; }
    line_plot& legend(legend_position where) { legend_ = where; return *this; }
    /// The picture's size in pixels (default 720 x 440).
    line_plot& size(int width, int height) { width_ = width; height_ = height; return *this; }

    line_plot& add(plot_series s) {
        if (s.x.size() != s.y.size()) {
            throw std::invalid_argument("ctgrad: line_plot::add: series '" + s.name + "' has " +
                                        std::to_string(s.x.size()) + " x values but " + std::to_string(s.y.size()) +
                                        " y values");
        }
        if (s.color.empty()) s.color = palette(series_.size());
        series_.push_back(std::move(s));
        return *this;
    }
    line_plot& add(std::string name, std::vector<double> x, std::vector<double> y) {
        return add(plot_series{std::move(name), std::move(x), std::move(y)});
    }

    const std::vector<plot_series>& series() const { return series_; }

    /// The SVG document.
    std::string str() const {
        const double left = 78, right = 24, top = title_.empty() ? 20 : 44, bottom = 58;
        const double pw = width_ - left - right, ph = height_ - top - bottom;
        const scale xs = x_.resolve(series_, true), ys = y_.resolve(series_, false);
        auto px = [&](double v) { return left + pw * xs.fraction(v); };
        auto py = [&](double v) { return top + ph * (1 - ys.fraction(v)); };

        std::string out;
        out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width_) + "\" height=\"" + num(height_) +
               "\" viewBox=\"0 0 " + num(width_) + " " + num(height_) +
               "\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n";
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
        if (!title_.empty()) {
            out += "<text class=\"title\" x=\"" + num(width_ / 2.0) + "\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">" +
                   escape(title_) + "</text>\n";
        }

        // Grid and tick labels.
        out += "<g class=\"grid\" stroke=\"#dddddd\" stroke-width=\"1\">\n";
        for (double t : xs.ticks) out += line(px(t), top, px(t), top + ph);
        for (double t : ys.ticks) out += line(left, py(t), left + pw, py(t));
        out += "</g>\n<g class=\"ticks\" fill=\"#333333\">\n";
        for (double t : xs.ticks) {
            out += "<text x=\"" + num(px(t)) + "\" y=\"" + num(top + ph + 18) + "\" text-anchor=\"middle\">" +
                   tick_text(t, xs.log) + "</text>\n";
        }
        for (double t : ys.ticks) {
            out += "<text x=\"" + num(left - 8) + "\" y=\"" + num(py(t) + 4) + "\" text-anchor=\"end\">" +
                   tick_text(t, ys.log) + "</text>\n";
        }
        out += "</g>\n";
        out += "<rect class=\"frame\" x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) +
               "\" height=\"" + num(ph) + "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
        if (!x_label_.empty()) {
            out += "<text class=\"x-label\" x=\"" + num(left + pw / 2) + "\" y=\"" + num(height_ - 14.0) +
                   "\" text-anchor=\"middle\">" + escape(x_label_) + "</text>\n";
        }
        if (!y_label_.empty()) {
            out += "<text class=\"y-label\" x=\"18\" y=\"" + num(top + ph / 2) + "\" text-anchor=\"middle\" transform=\"rotate(-90 18 " +
                   num(top + ph / 2) + ")\">" + escape(y_label_) + "</text>\n";
        }

        // The curves, clipped to the frame.
        out += "<defs><clipPath id=\"plot-area\"><rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) +
               "\" height=\"" + num(ph) + "\"/></clipPath></defs>\n";
        for (const plot_series& s : series_) {
            out += "<g class=\"series\" data-name=\"" + escape(s.name) + "\" clip-path=\"url(#plot-area)\" fill=\"none\" stroke=\"" +
                   escape(s.color) + "\" stroke-width=\"" + num(s.width) + "\" stroke-linejoin=\"round\"" +
                   (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + ">\n";
            std::string points;
            auto flush = [&] {
                if (!points.empty()) out += "<polyline points=\"" + points + "\"/>\n";
                points.clear();
            };
            for (std::size_t i = 0; i < s.x.size(); ++i) {
                if (!xs.usable(s.x[i]) || !ys.usable(s.y[i])) {
                    flush();
                    continue;
                }
                if (!points.empty()) points += ' ';
                points += num(px(s.x[i])) + "," + num(py(s.y[i]));
            }
            flush();
            out += "</g>\n";
        }

        // Legend, in a corner of the frame.
        std::size_t named = 0, longest = 0;
        for (const plot_series& s : series_) {
            if (s.name.empty()) continue;
            ++named;
            longest = std::max(longest, s.name.size());
        }
        if (named > 0 && legend_ != legend_position::none) {
            const double row = 18, lw = 44 + 7.0 * double(longest), lh = 10 + row * double(named);
            const bool on_left = legend_ == legend_position::top_left || legend_ == legend_position::bottom_left;
            const bool at_bottom = legend_ == legend_position::bottom_left || legend_ == legend_position::bottom_right;
            const double lx = on_left ? left + 10 : left + pw - lw - 10;
            const double ly = at_bottom ? top + ph - lh - 10 : top + 10;
            out += "<g class=\"legend\">\n<rect x=\"" + num(lx) + "\" y=\"" + num(ly) + "\" width=\"" + num(lw) +
                   "\" height=\"" + num(lh) + "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999999\"/>\n";
            double y = ly + 5 + row / 2;
            for (const plot_series& s : series_) {
                if (s.name.empty()) continue;
                out += "<line x1=\"" + num(lx + 8) + "\" y1=\"" + num(y) + "\" x2=\"" + num(lx + 32) + "\" y2=\"" + num(y) +
                       "\" stroke=\"" + escape(s.color) + "\" stroke-width=\"" + num(std::max(s.width, 2.0)) + "\"" +
                       (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
                out += "<text x=\"" + num(lx + 38) + "\" y=\"" + num(y + 4) + "\">" + escape(s.name) + "</text>\n";
                y += row;
            }
            out += "</g>\n";
        }
        out += "</svg>\n";
        return out;
    }

    /// Writes str() to `path`; throws std::runtime_error when the file cannot be written.
    void save(const std::string& path) const {
        std::ofstream file(path, std::ios::binary);
        file << str();
        file.close();
        if (!file) throw std::runtime_error("ctgrad: line_plot::save: cannot write " + path);
    }

    /// Replaces & < > " ' by XML entities.
    static std::string escape(const std::string& text) {
        std::string out;
        for (char c : text) {
            switch (c) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '"': out += "&quot;"; break;
                case '\'': out += "&apos;"; break;
                default: out += c;
            }
        }
        return out;
    }

private:
    /// A resolved axis: its bounds (log10 of them on a log axis) and tick positions.
    struct scale {
        bool log = false;
        double lo = 0, hi = 1;
        std::vector<double> ticks;

        bool usable(double v) const { return std::isfinite(v) && (!log || v > 0); }
        double fraction(double v) const { return ((log ? std::log10(v) : v) - lo) / (hi - lo); }
    };

    struct axis {
        bool log = false;
        bool has_fixed = false;
        std::pair<double, double> fixed{0, 1};

        scale resolve(const std::vector<plot_series>& all, bool horizontal) const {
            scale s;
            s.log = log;
            double lo = std::numeric_limits<double>::infinity(), hi = -lo;
            if (has_fixed) {
                lo = fixed.first;
                hi = fixed.second;
            } else {
                for (const plot_series& p : all) {
                    for (std::size_t i = 0; i < p.x.size(); ++i) {
                        const double v = horizontal ? p.x[i] : p.y[i];
                        if (std::isfinite(p.x[i]) && std::isfinite(p.y[i]) && (!log || v > 0)) {
                            lo = std::min(lo, v);
                            hi = std::max(hi, v);
                        }
                    }
                }
            }
            if (!(lo <= hi)) {  // no data
                lo = log ? 1 : 0;
                hi = log ? 10 : 1;
            }
            if (log) {
                double a = std::floor(std::log10(lo)), b = std::ceil(std::log10(hi));
                if (b <= a) b = a + 1;
                s.lo = a;
                s.hi = b;
                const double every = std::ceil((b - a) / 10);  // at most ~10 labelled decades
                for (double k = a; k <= b + 1e-9; k += every) s.ticks.push_back(std::pow(10.0, k));
                return s;
            }
            if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
                lo -= 0.5;
                hi += 0.5;
            }
            const double step = nice_step((hi - lo) / 6);
            s.lo = has_fixed ? lo : std::floor(lo / step + 1e-9) * step;
            s.hi = has_fixed ? hi : std::ceil(hi / step - 1e-9) * step;
            for (double t = std::ceil(s.lo / step - 1e-9) * step; t <= s.hi + 1e-9 * step; t += step) {
                s.ticks.push_back(std::abs(t) < 1e-12 * step ? 0.0 : t);
            }
            return s;
        }

        static double nice_step(double raw) {
            const double power = std::pow(10.0, std::floor(std::log10(raw)));
            const double m = raw / power;
            return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
        }
    };

    static std::string palette(std::size_t i) {
        static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};
        return colors[i % (sizeof colors / sizeof colors[0])];
    }

    static std::string num(double v) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.2f", v);
        std::string s = buffer;
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s == "-0" ? "0" : s;
    }

    static std::string tick_text(double v, bool log) {
        if (log) {
            return "10<tspan dy=\"-6\" font-size=\"9\">" + std::to_string(static_cast<int>(std::lround(std::log10(v)))) +
                   "</tspan>";
        }
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g", v);
        return buffer;
    }

    static std::string line(double x1, double y1, double x2, double y2) {
        return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\"/>\n";
    }

    std::string title_, x_label_, y_label_;
    axis x_, y_;
    int width_ = 720, height_ = 440;
    legend_position legend_ = legend_position::top_right;
    std::vector<plot_series> series_;
};

}  // namespace ctgrad
