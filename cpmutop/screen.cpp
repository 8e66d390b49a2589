#include "screen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "cells.hpp"
#include "cpmu/counting.hpp"
#include "cpmu/discovered_machine.hpp"
#include "cpmu/selector.hpp"
#include "cpmu/value_text.hpp"

namespace cpmu::top {

namespace {

enum Pair : short { kHeaderPair = 1, kSelectedPair, kAlertPair, kSaturatedPair, kMeterPair, kErrorPair, kKeyPair };

// Cut or padded to `width` cells (display_width()).
std::string fit(const std::string& text, int width, bool right = false) {
  if (width <= 0) return {};
  std::string out;
  int n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xc0) != 0x80) {
      if (n == width) break;
      ++n;
    }
    out.push_back(text[i]);
  }
  const std::string pad(static_cast<std::size_t>(width - n), ' ');
  return right ? pad + out : out + pad;
}

void put(WINDOW* w, int y, int x, const std::string& text, attr_t attr = A_NORMAL) {
  if (attr != A_NORMAL) wattron(w, attr);
  mvwaddstr(w, y, x, text.c_str());
  if (attr != A_NORMAL) wattroff(w, attr);
}

attr_t pair(const Style& s, Pair p, attr_t mono) { return s.color ? COLOR_PAIR(p) : mono; }

int meter_lines(const Frame& f, int width) {
  const int per_line = width >= 80 ? 2 : 1;
  return (static_cast<int>(f.meters.size()) + per_line - 1) / per_line;
}

void draw_meters(WINDOW* w, const Frame& f, int width, const Style& s) {
  const int per_line = width >= 80 ? 2 : 1;
  const int meter_width = width / per_line;
  for (std::size_t i = 0; i < f.meters.size(); ++i) {
    const Meter& m = f.meters[i];
    const int y = 2 + static_cast<int>(i) / per_line;
    const int x = static_cast<int>(i) % per_line * meter_width;
    const std::string label = fit(m.label, 22);
    const std::string value = fmt::format("{:.1f}%", m.util * 100);
    const int bar = std::max(1, meter_width - 22 - 4);
    const int filled = std::clamp(static_cast<int>(std::lround(m.util * bar)), 0, bar);
    put(w, y, x, label + " [", A_BOLD);
    const Pair p = m.util >= kSaturated ? kSaturatedPair : kMeterPair;
    // The value over the bar's right end, as htop draws its meters.
    std::string bars =
        std::string(static_cast<std::size_t>(filled), '|') + std::string(static_cast<std::size_t>(bar - filled), ' ');
    if (static_cast<int>(value.size()) <= bar) bars.replace(bars.size() - value.size(), value.size(), value);
    put(w, y, x + 24, bars, pair(s, p, m.util >= kSaturated ? A_BOLD : A_NORMAL));
    put(w, y, x + 24 + bar, "]", A_BOLD);
  }
}

void draw_key_bar(WINDOW* w, int y, int width, const Style& s,
                  const std::vector<std::pair<std::string, std::string>>& keys) {
  int x = 0;
  wmove(w, y, 0);
  for (const auto& [key, label] : keys) {
    if (x + static_cast<int>(key.size() + label.size()) > width) break;
    put(w, y, x, key, A_BOLD);
    x += static_cast<int>(key.size());
    put(w, y, x, fit(label, static_cast<int>(label.size())), pair(s, kKeyPair, A_REVERSE));
    x += static_cast<int>(label.size());
  }
  if (x < width) put(w, y, x, std::string(static_cast<std::size_t>(width - x), ' '), pair(s, kKeyPair, A_REVERSE));
}

void draw_table(WINDOW* w, const Frame& f, const Settings& settings, const ViewState& st, const Style& s, int top,
                int rows, int width) {
  const auto spans = layout(width, settings);
  std::string header(static_cast<std::size_t>(width), ' ');
  for (const ColumnSpan& c : spans) {
    std::string title(column_title(c.column));
    if (c.column == settings.sort) title += settings.invert ? "^" : "v";
    const bool left = c.column == Column::kName || c.column == Column::kEvents || c.column == Column::kFlags;
    const std::string text = fit(title, c.width, !left);
    header.replace(static_cast<std::size_t>(c.x), text.size(), text);
  }
  put(w, top, 0, fit(header, width), pair(s, kHeaderPair, A_REVERSE));
  for (int i = 0; i < rows; ++i) {
    const std::size_t index = st.scroll + static_cast<std::size_t>(i);
    if (index >= f.rows.size()) break;
    const Row& r = f.rows[index];
    const bool selected = index == st.selected;
    attr_t attr = A_NORMAL;
    if (r.flags.find('!') != std::string::npos) attr = pair(s, kErrorPair, A_BOLD);
    if (r.flags.find('S') != std::string::npos || r.flags.find('C') != std::string::npos)
      attr = pair(s, kSaturatedPair, A_BOLD);
    if (r.alert) attr = pair(s, kAlertPair, A_UNDERLINE);
    if (selected) attr = pair(s, kSelectedPair, A_REVERSE);
    if (r.type == RowType::kHostBridge && !selected) attr |= A_BOLD;
    std::string line;
    for (const ColumnSpan& c : spans) {
      std::string cell = cell_text(r, c.column, settings.units);
      if (c.column == Column::kName && st.tagged.count(r.id)) cell = "*" + cell;
      const bool left = c.column == Column::kName || c.column == Column::kEvents || c.column == Column::kFlags;
      line += fit(cell, c.width, !left) + " ";
    }
    put(w, top + 1 + i, 0, fit(line, width), attr);
  }
}

std::string capabilities_text(const CpmuCapabilities& c, bool ascii) {
  unsigned fixed = 0, free_running = 0, configurable = 0;
  for (const CounterInfo& k : c.counters) {
    fixed += k.type == CounterType::kFixed;
    free_running += k.type == CounterType::kFreeRunning;
    configurable += k.type == CounterType::kConfigurable;
  }
  return fmt::format("{} counters {} {} bit ({} configurable, {} fixed, {} free-running), {} event capabilities{}{}{}",
                     c.counter_count, ascii ? "x" : "\u00d7", c.counter_width, configurable, fixed, free_running,
                     c.event_capability_count, c.interrupt ? ", overflow interrupt" : "", c.freeze ? ", freeze" : "",
                     c.hdm_filter() ? ", HDM filter" : "");
}

std::string bandwidth(std::optional<std::uint64_t> v) {
  return v ? si_scaled(static_cast<double>(*v), 1) + "B/s" : "-";
}

void draw_detail(WINDOW* w, const Frame& f, const ViewState& st, const DetailData& d, const Style& s, int height,
                 int width) {
  int y = 0;
  const auto line = [&](const std::string& text, attr_t attr = A_NORMAL) {
    if (y < height - 2) put(w, y++, 0, fit(text, width), attr);
  };
  const Row* row = nullptr;
  for (const Row& r : f.rows) {
    if (r.id == st.detail) row = &r;
  }
  line(fmt::format("Detail: {}", st.detail), pair(s, kHeaderPair, A_REVERSE));
  if (!d.snapshot || !d.source) {
    line(row && !row->note.empty() ? "Not counted: " + row->note : "Not counted here.");
    return;
  }
  const SourceStatus& src = d.snapshot->sources[*d.source];
  const SourceIdentity& id = *src.identity;
  line(fmt::format("{}  {}{}  backend {}  health {}", id.name.to_string(), component_kind_title(id.kind),
                   id.memdev.empty() ? "" : "  " + id.memdev, src.backend, source_health_name(src.health)));
  if (!src.error.empty()) line("  " + src.error, pair(s, kErrorPair, A_BOLD));
  if (row) {
    line(fmt::format("Traffic: read {}B/s  write {}B/s  util {}  (capacity from {})",
                     row->read ? si_scaled(*row->read, 1) : "-", row->write ? si_scaled(*row->write, 1) : "-",
                     row->util ? fmt::format("{:.1f}%", *row->util * 100) : "-",
                     row->capacity_from.empty() ? "nothing known" : row->capacity_from));
  }
  if (d.capabilities) line("Capabilities: " + capabilities_text(*d.capabilities, s.ascii));
  for (const CdatRangePerf& r : id.cdat_ranges) {
    line(fmt::format("CDAT DSMAS {}: DPA {:#x} +{}  read {} {} ns  write {} {} ns{}", r.handle, r.dpa_base,
                     byte_size_text(r.dpa_length), bandwidth(r.perf.read_bandwidth),
                     r.perf.read_latency_ns ? std::to_string(*r.perf.read_latency_ns) : "-",
                     bandwidth(r.perf.write_bandwidth),
                     r.perf.write_latency_ns ? std::to_string(*r.perf.write_latency_ns) : "-",
                     r.non_volatile ? "  persistent" : ""));
  }
  for (const CdatPortPerf& p : id.cdat_port_pairs) {
    line(fmt::format("CDAT port {} -> {}: read {}  write {}  latency {} ns", p.port_x, p.port_y,
                     bandwidth(p.perf.read_bandwidth), bandwidth(p.perf.write_bandwidth),
                     p.perf.read_latency_ns ? std::to_string(*p.perf.read_latency_ns) : "-"));
  }
  if (id.link_gt_s && id.link_width) line(fmt::format("Link: {} GT/s x{}", *id.link_gt_s, *id.link_width));
  const int graph = std::max(8, width - 22 - 20 - 12 - 8 - 4);
  line(fmt::format("{:<22} {:>20} {:>12} {:>7}  {}", "EVENT", "TOTAL", "RATE", "SHARE", "HISTORY"),
       pair(s, kHeaderPair, A_REVERSE));
  std::size_t k = 0;
  std::vector<std::string> plan;
  for (const SeriesValue& v : d.snapshot->series) {
    if (v.info->source != *d.source) continue;
    const std::vector<HistoryPoint> none;
    const auto& points = k < d.history.size() ? d.history[k] : none;
    ++k;
    const std::string total = v.total.count.state == CountState::kCounted      ? grouped(v.total.count.raw)
                              : v.total.count.state == CountState::kNotCounted ? "<not counted>"
                                                                               : "<not supported>";
    line(fmt::format("{:<22} {:>20} {:>12} {:>7}  {}", fit(v.info->label, 22),
                     total + (v.total.count.trusted ? "" : "?"),
                     v.interval.rate ? rate_text(v.interval.rate) + "/s" : "-",
                     v.total.running_share ? fmt::format("{:.0f}%", *v.total.running_share * 100) : "-",
                     sparkline(points, static_cast<std::size_t>(graph), s.ascii)),
         v.ended ? A_DIM : A_NORMAL);
    plan.push_back(fmt::format("  {}: {}{}", v.info->label, placement_name(v.info->placement),
                               v.info->placement_reason.empty() ? "" : " (" + v.info->placement_reason + ")"));
  }
  line("Plan:", A_BOLD);
  for (const std::string& p : plan) line(p);
  line(d.can_choose ? "e: choose the events this CPMU counts   Esc: back" : "Esc: back");
}

void draw_events(WINDOW* w, const ViewState& st, const Style& s, int height, int width) {
  put(w, 0, 0, fit(fmt::format("Events for {} (space: choose, Enter: count them, Esc: cancel)", st.detail), width),
      pair(s, kHeaderPair, A_REVERSE));
  const int rows = height - 3;
  const std::size_t first =
      st.cursor >= static_cast<std::size_t>(rows) ? st.cursor - static_cast<std::size_t>(rows) + 1 : 0;
  for (int i = 0; i < rows; ++i) {
    const std::size_t index = first + static_cast<std::size_t>(i);
    if (index >= st.choices.size()) break;
    const EventChoice& c = st.choices[index];
    std::string where = std::string(placement_name(c.planned.placement));
    if (c.planned.counter) where += fmt::format(" counter {}", *c.planned.counter);
    if (c.planned.placement == Placement::kNotSupported || c.planned.placement == Placement::kMultiplexed) {
      where += ": " + c.planned.reason;
    }
    put(w, 1 + i, 0, fit(fmt::format("[{}] {:<24} {}", c.chosen ? "x" : " ", c.name, where), width),
        index == st.cursor ? pair(s, kSelectedPair, A_REVERSE) : A_NORMAL);
  }
}

const char* const kHelp[] = {
    "cpmutop keys (as htop)",
    "",
    "F1 h ?      this help                 F2 S     setup (saved to the rc file)",
    "F3 /        search; n: next match     F4 \\     filter by BDF, memdev, kind",
    "F5 t        tree / flat list          F6 < >   sort column; I: invert",
    "space       tag the row               Enter    detail of the row's CPMU",
    "+ -         expand / collapse         p        pause",
    "u           units (auto, B/s .. GB/s) F10 q    quit",
    "Up Down PgUp PgDn Home End: move      mouse: click a row, click a header to sort",
    "",
    "Flags: ? not exact  M multiplexed  K owned by the kernel driver",
    "       ! device error or removed  S saturated (>= 90% of capacity)",
    "       C conservation check: downstream ports' sum differs from the upstream port",
    "",
    "Press any key to go back.",
};

void draw_setup(WINDOW* w, const Settings& settings, const ViewState& st, const Style& s, int width) {
  put(w, 0, 0, fit("Setup (Enter/space: change, Left/Right: interval, Esc/F10: save and leave)", width),
      pair(s, kHeaderPair, A_REVERSE));
  std::vector<std::string> items;
  for (Column c : kAllColumns) {
    if (c == Column::kName) continue;
    const bool on = std::find(settings.columns.begin(), settings.columns.end(), c) != settings.columns.end();
    items.push_back(fmt::format("[{}] column {}", on ? "x" : " ", column_title(c)));
  }
  items.push_back(fmt::format("[{}] tree view", settings.tree ? "x" : " "));
  items.push_back(fmt::format("    units: {}", byte_units_name(settings.units)));
  items.push_back(fmt::format("[{}] colour", settings.color ? "x" : " "));
  items.push_back(fmt::format("    interval: {:.1f} s", settings.delay_tenths / 10.0));
  for (const char* kind : {"root-port", "upstream-port", "downstream-port", "endpoint"}) {
    std::string list;
    const auto k = parse_component_kind(kind);
    const auto it = settings.events.find(*k);
    for (const std::string& e : it == settings.events.end() ? default_events() : it->second)
      list += (list.empty() ? "" : ",") + e;
    items.push_back(fmt::format("    events {}: {}", kind, list));
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    put(w, 1 + static_cast<int>(i), 0, fit(items[i], width),
        i == st.cursor ? pair(s, kSelectedPair, A_REVERSE) : A_NORMAL);
  }
  put(w, 2 + static_cast<int>(items.size()), 0, fit("rc file: " + st.rc_path, width), A_DIM);
}

}  // namespace

void init_style(Style& style) {
  const char* no_color = std::getenv("NO_COLOR");
  if ((no_color && *no_color) || !has_colors()) style.color = false;
  if (!style.color) return;
  start_color();
  use_default_colors();
  init_pair(kHeaderPair, COLOR_BLACK, COLOR_GREEN);
  init_pair(kSelectedPair, COLOR_BLACK, COLOR_CYAN);
  init_pair(kAlertPair, COLOR_RED, -1);
  init_pair(kSaturatedPair, COLOR_YELLOW, -1);
  init_pair(kMeterPair, COLOR_GREEN, -1);
  init_pair(kErrorPair, COLOR_RED, -1);
  init_pair(kKeyPair, COLOR_BLACK, COLOR_CYAN);
}

std::vector<ColumnSpan> layout(int width, const Settings& settings) {
  std::vector<Column> shown = settings.columns;
  const auto fixed = [&] {
    int sum = 0;
    for (Column c : shown) sum += column_width(c) + 1;
    return sum;
  };
  // The name column keeps room for the tree and an address; the events
  // column goes first when the terminal is narrow.
  constexpr int kNameMin = 30;
  while (!shown.empty() && width - fixed() < kNameMin) {
    auto events = std::find(shown.begin(), shown.end(), Column::kEvents);
    shown.erase(events != shown.end() ? events : shown.end() - 1);
  }
  std::vector<ColumnSpan> out{{Column::kName, 0, std::max(1, width - fixed() - 1)}};
  int x = out[0].width + 1;
  for (Column c : shown) {
    out.push_back({c, x, column_width(c)});
    x += column_width(c) + 1;
  }
  return out;
}

int table_top(const Frame& frame, int width) { return 2 + meter_lines(frame, width); }

int table_rows(const Frame& frame, int height, int width) { return std::max(0, height - table_top(frame, width) - 3); }

std::string sparkline(const std::vector<HistoryPoint>& points, std::size_t width, bool ascii) {
  static const char* const kBlocks[] = {" ",      "\u2581", "\u2582", "\u2583", "\u2584",
                                        "\u2585", "\u2586", "\u2587", "\u2588"};
  static const char kAscii[] = " .:-=+*#@";
  std::vector<double> rates;
  for (const HistoryPoint& p : points) rates.push_back(p.rate.value_or(0));
  if (rates.size() > width) rates.erase(rates.begin(), rates.end() - static_cast<std::ptrdiff_t>(width));
  const double top = rates.empty() ? 0 : *std::max_element(rates.begin(), rates.end());
  std::string out;
  for (double r : rates) {
    const int level = top > 0 ? std::clamp(static_cast<int>(std::lround(r / top * 8)), r > 0 ? 1 : 0, 8) : 0;
    if (ascii) {
      out.push_back(kAscii[level]);
    } else {
      out += kBlocks[level];
    }
  }
  return out;
}

void draw(WINDOW* w, const Frame& f, const Settings& settings, const ViewState& st, const DetailData& d,
          const Style& s) {
  int height = 0, width = 0;
  getmaxyx(w, height, width);
  werase(w);
  if (st.view == View::kHelp) {
    int y = 0;
    for (const char* line : kHelp) {
      if (y < height) put(w, y++, 0, fit(line, width));
    }
    return;
  }
  if (st.view == View::kSetup) {
    draw_setup(w, settings, st, s, width);
  } else if (st.view == View::kEvents) {
    draw_events(w, st, s, height, width);
  } else if (st.view == View::kDetail) {
    draw_detail(w, f, st, d, s, height, width);
  } else {
    put(w, 0, 0, fit(std::string(st.paused ? "[PAUSED] " : "cpmutop ") + status_text(f), width), A_BOLD);
    put(w, 1, 0, fit(totals_text(f), width));
    draw_meters(w, f, width, s);
    draw_table(w, f, settings, st, s, table_top(f, width), table_rows(f, height, width), width);
  }
  std::string status = st.notice.empty() ? st.message : st.notice;
  const bool prompting = st.prompt != ViewState::Prompt::kNone;
  if (st.prompt == ViewState::Prompt::kSearch) status = "Search: " + st.search + "_";
  if (st.prompt == ViewState::Prompt::kFilter) status = "Filter: " + st.filter + "_";
  if (st.prompt == ViewState::Prompt::kEvents) {
    status = fmt::format("Events for {} (a,b,..; empty: defaults): {}_", component_kind_name(st.prompt_kind),
                         st.prompt_text);
  } else if (!prompting && status.empty() && !st.filter.empty()) {
    status = "Filter: " + st.filter + " (F4 to change, Esc to clear)";
  }
  // A prompt keeps its end, where the typing is, in view.
  if (prompting && static_cast<int>(status.size()) > width)
    status = status.substr(status.size() - static_cast<std::size_t>(width));
  put(w, height - 2, 0, fit(status, width), prompting ? A_BOLD : A_NORMAL);
  draw_key_bar(w, height - 1, width, s,
               {{"F1", "Help  "},
                {"F2", "Setup "},
                {"F3", "Search"},
                {"F4", "Filter"},
                {"F5", "Tree  "},
                {"F6", "SortBy"},
                {"F10", "Quit  "}});
}

}  // namespace cpmu::top
