// Drawing (draw, as btop splits it from collect): a Frame and the view's
// state onto an ncurses window - the header with totals and meters, the
// table, the detail, help, setup and event views, the key bar. Nothing
// here reads a feed; the same calls draw to an off-screen window in bench/.
#pragma once

#include <curses.h>

#include <set>
#include <string>
#include <vector>

#include "cpmu/cpmu_capabilities.hpp"
#include "cpmu/snapshot.hpp"
#include "frame_model.hpp"
#include "live_feed.hpp"
#include "settings.hpp"

namespace cpmu::top {

enum class View { kMain, kDetail, kHelp, kSetup, kEvents };

struct ViewState {
  View view = View::kMain;
  std::size_t selected = 0;  // index into Frame::rows
  std::size_t scroll = 0;    // first row shown
  std::set<std::string> tagged;
  std::set<std::string> collapsed;
  bool paused = false;
  std::string message;  // the status line
  std::string notice;   // shown before any message until a key is pressed (a corrupt rc file)
  enum class Prompt { kNone, kSearch, kFilter, kEvents } prompt = Prompt::kNone;
  std::string prompt_text;                               // kEvents: the list being edited
  ComponentKind prompt_kind = ComponentKind::kEndpoint;  // kEvents: whose
  std::string search;
  std::string filter;
  std::string detail;      // the CPMU (or component) the detail view shows
  std::size_t cursor = 0;  // setup and event views
  std::vector<EventChoice> choices;
  std::string rc_path;
};

// What the detail view shows beyond the frame.
struct DetailData {
  const Snapshot* snapshot = nullptr;
  std::optional<std::size_t> source;
  std::vector<std::vector<HistoryPoint>> history;  // per series of the source, in series order
  const CpmuCapabilities* capabilities = nullptr;  // live feeds only
  bool can_choose = false;
};

struct Style {
  bool color = true;
  bool ascii = false;
};
// Starts colours where the terminal and NO_COLOR allow.
void init_style(Style& style);

// Where each column sits on a line of `width` (the name column first).
struct ColumnSpan {
  Column column;
  int x = 0;
  int width = 0;
};
std::vector<ColumnSpan> layout(int width, const Settings& settings);
// The window line the table's first row is on, and its header line.
int table_top(const Frame& frame, int width);
// The number of table rows that fit.
int table_rows(const Frame& frame, int height, int width);

void draw(WINDOW* w, const Frame& frame, const Settings& settings, const ViewState& state, const DetailData& detail,
          const Style& style);

// A series' history as a sparkline of `width` cells: block elements, or
// " .:-=+*#" in ASCII.
std::string sparkline(const std::vector<HistoryPoint>& points, std::size_t width, bool ascii);

}  // namespace cpmu::top
