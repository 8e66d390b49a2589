#include "tui.hpp"

#include <curses.h>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>

#include "cpmu/selector.hpp"
#include "cpmu/text_glyphs.hpp"
#include "frame_model.hpp"
#include "live_feed.hpp"
#include "screen.hpp"
#include "terminal_guard.hpp"

namespace cpmu::top {

namespace {

constexpr int kEscape = 27;
constexpr std::array kKindOrder = {ComponentKind::kRootPort, ComponentKind::kSwitchUpstreamPort,
                                   ComponentKind::kSwitchDownstreamPort, ComponentKind::kEndpoint};
// Setup items: the columns but the name, then tree, units, colour, interval,
// then the events of each kind.
constexpr std::size_t kSetupColumns = kAllColumns.size() - 1;
constexpr std::size_t kSetupItems = kSetupColumns + 4 + kKindOrder.size();

class Tui {
 public:
  Tui(Feed& feed, Settings& settings, const Options& options, RecordingWriter* recording, const std::string& rc_path)
      : feed_(feed), settings_(settings), options_(options), recording_(recording) {
    state_.rc_path = rc_path;
    style_.color = settings.color;
    style_.ascii = options.ascii || !locale_is_utf8();
  }

  int run(const std::string& notice) {
    state_.notice = notice;
    initscr();
    set_screen_active(true);
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED, nullptr);
    mouseinterval(200);
    init_style(style_);
    if (!settings_.color) style_.color = false;
    int status = loop();
    endwin();
    set_screen_active(false);
    if (!error_.empty()) fmt::print(stderr, "cpmutop: {}\n", error_);
    return status;
  }

 private:
  int loop() {
    if (auto started = feed_.start(); !started) {
      error_ = started.error().message();
      return kExitError;
    }
    for (;;) {
      if (termination_signal() != 0) return 128 + termination_signal();
      pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {termination_fd(), POLLIN, 0}, {feed_.wait_fd(), POLLIN, 0}};
      poll(fds, feed_.wait_fd() >= 0 ? 3 : 2, std::clamp(feed_.wait_ms(), 0, 250));
      auto next = feed_.next();
      if (!next) {
        if (feed_.live() == nullptr) {
          error_ = next.error().message();
          return kExitError;
        }
        state_.message = next.error().message();
      } else if (*next) {
        if (recording_) {
          if (auto written = recording_->write(**next); !written) state_.message = written.error().message();
        }
        ++frames_;
        if (!state_.paused || !shown_) shown_ = *next;
        dirty_ = true;
      }
      for (std::string& m : feed_.take_messages()) state_.message = std::move(m), dirty_ = true;
      for (int ch = getch(); ch != ERR; ch = getch()) {
        state_.notice.clear();
        if (!key(ch)) return kExitOk;
        dirty_ = true;
      }
      if (dirty_ && shown_) render();
      if (options_.iterations && frames_ >= *options_.iterations) return kExitOk;
      if (feed_.ended() && !ended_noted_) {
        state_.message = "End of the recording (q to quit)";
        ended_noted_ = dirty_ = true;
      }
    }
  }

  void rebuild() {
    FrameInput in;
    in.snapshot = shown_.get();
    in.source = std::string(feed_.source());
    if (LiveFeed* live = feed_.live()) in.idle = &live->idle();
    in.settings = &settings_;
    in.alerts = &options_.alerts;
    in.collapsed = &state_.collapsed;
    in.filter = state_.filter;
    in.ascii = style_.ascii;
    const std::string selected = state_.selected < frame_.rows.size() ? frame_.rows[state_.selected].id : "";
    frame_ = build_frame(in);
    for (std::size_t i = 0; i < frame_.rows.size(); ++i) {
      if (frame_.rows[i].id == selected) state_.selected = i;
    }
    if (state_.selected >= frame_.rows.size()) state_.selected = frame_.rows.empty() ? 0 : frame_.rows.size() - 1;
  }

  void render() {
    rebuild();
    int height = 0, width = 0;
    getmaxyx(stdscr, height, width);
    const std::size_t rows = static_cast<std::size_t>(std::max(1, table_rows(frame_, height, width)));
    if (state_.selected < state_.scroll) state_.scroll = state_.selected;
    if (state_.selected >= state_.scroll + rows) state_.scroll = state_.selected - rows + 1;
    DetailData detail;
    if (state_.view == View::kDetail) detail = detail_data();
    draw(stdscr, frame_, settings_, state_, detail, style_);
    wnoutrefresh(stdscr);
    doupdate();
    dirty_ = false;
  }

  DetailData detail_data() {
    DetailData d;
    d.snapshot = shown_.get();
    for (std::size_t i = 0; i < shown_->sources.size(); ++i) {
      if (shown_->sources[i].identity->name.to_string() == state_.detail) d.source = i;
    }
    if (!d.source) return d;
    for (std::size_t i = 0; i < shown_->series.size(); ++i) {
      if (shown_->series[i].info->source == *d.source) d.history.push_back(feed_.history(i));
    }
    if (LiveFeed* live = feed_.live()) {
      d.capabilities = live->capabilities(state_.detail);
      d.can_choose = d.capabilities != nullptr;
    }
    return d;
  }

  const Row* selected_row() const {
    return state_.selected < frame_.rows.size() ? &frame_.rows[state_.selected] : nullptr;
  }

  void move(long by) {
    if (frame_.rows.empty()) return;
    const long last = static_cast<long>(frame_.rows.size()) - 1;
    state_.selected = static_cast<std::size_t>(std::clamp(static_cast<long>(state_.selected) + by, 0L, last));
  }

  int page() const {
    int height = 0, width = 0;
    getmaxyx(stdscr, height, width);
    return std::max(1, table_rows(frame_, height, width));
  }

  void find_next(std::size_t from) {
    if (state_.search.empty()) return;
    std::string needle = state_.search;
    for (std::size_t k = 0; k < frame_.rows.size(); ++k) {
      const std::size_t i = (from + k) % frame_.rows.size();
      const Row& r = frame_.rows[i];
      if (r.id.find(needle) != std::string::npos || r.label.find(needle) != std::string::npos ||
          r.memdev.find(needle) != std::string::npos || r.kind.find(needle) != std::string::npos) {
        state_.selected = i;
        state_.message.clear();
        return;
      }
    }
    state_.message = fmt::format("Search: no row matches '{}'", needle);
  }

  void sort_by(int step) {
    std::vector<Column> order{Column::kName};
    for (Column c : settings_.columns) {
      if (c != Column::kEvents && c != Column::kFlags) order.push_back(c);
    }
    auto at = std::find(order.begin(), order.end(), settings_.sort);
    const long i = at == order.end() ? 0 : at - order.begin();
    const long n = static_cast<long>(order.size());
    settings_.sort = order[static_cast<std::size_t>(((i + step) % n + n) % n)];
    state_.message = fmt::format("Sorted by {}", column_title(settings_.sort));
  }

  void open_detail() {
    const Row* r = selected_row();
    if (!r) return;
    if (r->type == RowType::kHostBridge) {
      state_.message = "A host bridge has no CPMU of its own";
      return;
    }
    if (r->type == RowType::kCpmu) {
      state_.detail = r->id;
    } else if (r->source && shown_) {
      state_.detail = shown_->sources[*r->source].identity->name.to_string();
    } else {
      state_.detail = r->id;
    }
    state_.view = View::kDetail;
  }

  void save_setup() {
    if (auto saved = write_rc_file(state_.rc_path, settings_); !saved) {
      state_.message = saved.error().message();
    } else {
      state_.message = "Setup saved to " + state_.rc_path;
    }
  }

  void replan() {
    LiveFeed* live = feed_.live();
    if (!live) return;
    if (auto planned = live->replan(settings_); !planned) state_.message = planned.error().message();
  }

  // Returns false to quit.
  bool key(int ch) {
    if (ch == KEY_RESIZE) return true;
    if (state_.prompt != ViewState::Prompt::kNone) return prompt_key(ch);
    switch (state_.view) {
      case View::kHelp: state_.view = View::kMain; return true;
      case View::kSetup: return setup_key(ch);
      case View::kEvents: return events_key(ch);
      case View::kDetail: return detail_key(ch);
      case View::kMain: return main_key(ch);
    }
    return true;
  }

  bool prompt_key(int ch) {
    std::string& text = state_.prompt == ViewState::Prompt::kSearch   ? state_.search
                        : state_.prompt == ViewState::Prompt::kFilter ? state_.filter
                                                                      : state_.prompt_text;
    if (ch == kEscape) {
      if (state_.prompt == ViewState::Prompt::kFilter) state_.filter.clear();
      state_.prompt = ViewState::Prompt::kNone;
    } else if (ch == '\n' || ch == KEY_ENTER) {
      if (state_.prompt == ViewState::Prompt::kEvents) {
        std::vector<std::string> events;
        std::string item;
        for (char c : state_.prompt_text + ",") {
          if (c == ',' || c == ' ') {
            if (!item.empty()) events.push_back(std::move(item));
            item.clear();
          } else {
            item.push_back(c);
          }
        }
        if (events.empty()) {
          settings_.events.erase(state_.prompt_kind);
        } else {
          settings_.events[state_.prompt_kind] = events;
        }
        setup_changed_ = true;
      }
      state_.prompt = ViewState::Prompt::kNone;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
      if (!text.empty()) text.pop_back();
    } else if (ch >= 32 && ch < 127) {
      text.push_back(static_cast<char>(ch));
    }
    if (state_.prompt == ViewState::Prompt::kSearch) find_next(0);
    return true;
  }

  bool main_key(int ch) {
    switch (ch) {
      case KEY_UP: move(-1); break;
      case KEY_DOWN: move(1); break;
      case KEY_PPAGE: move(-page()); break;
      case KEY_NPAGE: move(page()); break;
      case KEY_HOME: state_.selected = 0; break;
      case KEY_END: move(static_cast<long>(frame_.rows.size())); break;
      case 'q':
      case KEY_F(10): return false;
      case 'h':
      case '?':
      case KEY_F(1): state_.view = View::kHelp; break;
      case 'S':
      case KEY_F(2):
        state_.view = View::kSetup;
        state_.cursor = 0;
        setup_changed_ = false;
        delay_before_ = settings_.delay_tenths;
        break;
      case '/':
      case KEY_F(3):
        state_.prompt = ViewState::Prompt::kSearch;
        state_.search.clear();
        break;
      case 'n': find_next(state_.selected + 1); break;
      case '\\':
      case KEY_F(4): state_.prompt = ViewState::Prompt::kFilter; break;
      case 't':
      case KEY_F(5): settings_.tree = !settings_.tree; break;
      case '>':
      case '.':
      case KEY_F(6): sort_by(1); break;
      case '<':
      case ',': sort_by(-1); break;
      case 'I': settings_.invert = !settings_.invert; break;
      case ' ':
        if (const Row* r = selected_row()) {
          if (!state_.tagged.erase(r->id)) state_.tagged.insert(r->id);
          move(1);
        }
        break;
      case '\n':
      case KEY_ENTER: open_detail(); break;
      case '+':
      case '=':
        if (const Row* r = selected_row()) state_.collapsed.erase(r->id);
        break;
      case '-':
        if (const Row* r = selected_row(); r && r->has_children) state_.collapsed.insert(r->id);
        break;
      case 'p':
        state_.paused = !state_.paused;
        state_.message = state_.paused ? "Paused (p to resume)" : "";
        break;
      case 'u': {
        auto at = std::find(kAllByteUnits.begin(), kAllByteUnits.end(), settings_.units);
        settings_.units =
            kAllByteUnits[static_cast<std::size_t>(at - kAllByteUnits.begin() + 1) % kAllByteUnits.size()];
        state_.message = fmt::format("Units: {}", byte_units_name(settings_.units));
        break;
      }
      case kEscape:
        state_.filter.clear();
        state_.search.clear();
        state_.message.clear();
        break;
      case KEY_MOUSE: mouse(); break;
      default: break;
    }
    return true;
  }

  void mouse() {
    MEVENT event;
    if (getmouse(&event) != OK) return;
    int height = 0, width = 0;
    getmaxyx(stdscr, height, width);
    const int top = table_top(frame_, width);
    if (event.y == top) {
      for (const ColumnSpan& span : layout(width, settings_)) {
        if (event.x >= span.x && event.x < span.x + span.width + 1) {
          if (span.column == Column::kEvents || span.column == Column::kFlags) return;
          if (settings_.sort == span.column) {
            settings_.invert = !settings_.invert;
          } else {
            settings_.sort = span.column;
          }
          state_.message = fmt::format("Sorted by {}", column_title(settings_.sort));
        }
      }
      return;
    }
    const int line = event.y - top - 1;
    if (line < 0 || line >= table_rows(frame_, height, width)) return;
    const std::size_t index = state_.scroll + static_cast<std::size_t>(line);
    if (index >= frame_.rows.size()) return;
    state_.selected = index;
    if (event.bstate & BUTTON1_DOUBLE_CLICKED) open_detail();
  }

  bool detail_key(int ch) {
    if (ch == 'q' || ch == kEscape || ch == KEY_LEFT || ch == KEY_F(10) || ch == KEY_BACKSPACE) {
      state_.view = View::kMain;
    } else if (ch == 'e') {
      LiveFeed* live = feed_.live();
      if (!live || !live->capabilities(state_.detail)) {
        state_.message = "Events can be chosen only on a machine's own CPMUs (not a recording or a remote feed)";
        return true;
      }
      state_.choices = live->choices(state_.detail, live->counting(state_.detail));
      state_.cursor = 0;
      state_.view = View::kEvents;
    }
    return true;
  }

  std::vector<std::string> chosen() const {
    std::vector<std::string> out;
    for (const EventChoice& c : state_.choices) {
      if (c.chosen) out.push_back(c.name);
    }
    return out;
  }

  bool events_key(int ch) {
    LiveFeed* live = feed_.live();
    switch (ch) {
      case KEY_UP: state_.cursor = state_.cursor > 0 ? state_.cursor - 1 : 0; break;
      case KEY_DOWN:
        state_.cursor = std::min(state_.cursor + 1, state_.choices.empty() ? 0 : state_.choices.size() - 1);
        break;
      case KEY_PPAGE: state_.cursor = state_.cursor > 10 ? state_.cursor - 10 : 0; break;
      case KEY_NPAGE:
        state_.cursor = std::min(state_.cursor + 10, state_.choices.empty() ? 0 : state_.choices.size() - 1);
        break;
      case ' ':
        if (state_.cursor < state_.choices.size()) {
          state_.choices[state_.cursor].chosen = !state_.choices[state_.cursor].chosen;
          // The plan of every event with the new choice.
          const std::size_t cursor = state_.cursor;
          state_.choices = live->choices(state_.detail, chosen());
          state_.cursor = cursor;
        }
        break;
      case '\n':
      case KEY_ENTER: {
        const std::vector<std::string> events = chosen();
        if (events.empty()) {
          state_.message = "Choose at least one event (space)";
          break;
        }
        settings_.cpmu_events[state_.detail] = events;
        replan();
        if (state_.message.rfind("Setup", 0) != 0) save_setup();
        state_.message =
            fmt::format("Counting {} event{} on {}", events.size(), events.size() == 1 ? "" : "s", state_.detail);
        shown_.reset();
        state_.view = View::kDetail;
        break;
      }
      case kEscape:
      case 'q': state_.view = View::kDetail; break;
      default: break;
    }
    return true;
  }

  bool setup_key(int ch) {
    const std::size_t c = state_.cursor;
    switch (ch) {
      case KEY_UP: state_.cursor = c > 0 ? c - 1 : 0; break;
      case KEY_DOWN: state_.cursor = std::min(c + 1, kSetupItems - 1); break;
      case KEY_LEFT:
      case KEY_RIGHT:
        if (c == kSetupColumns + 3) {
          const int step = ch == KEY_RIGHT ? 1 : -1;
          settings_.delay_tenths =
              static_cast<unsigned>(std::clamp(static_cast<int>(settings_.delay_tenths) + step, 1, 36000));
        }
        break;
      case ' ':
      case '\n':
      case KEY_ENTER:
        if (c < kSetupColumns) {
          const Column column = kAllColumns[c + 1];
          auto at = std::find(settings_.columns.begin(), settings_.columns.end(), column);
          if (at != settings_.columns.end()) {
            settings_.columns.erase(at);
          } else {
            // Keep the setup's column order: insert before the first later column.
            auto before = std::find_if(settings_.columns.begin(), settings_.columns.end(), [&](Column other) {
              return static_cast<int>(other) > static_cast<int>(column);
            });
            settings_.columns.insert(before, column);
          }
        } else if (c == kSetupColumns) {
          settings_.tree = !settings_.tree;
        } else if (c == kSetupColumns + 1) {
          auto at = std::find(kAllByteUnits.begin(), kAllByteUnits.end(), settings_.units);
          settings_.units =
              kAllByteUnits[static_cast<std::size_t>(at - kAllByteUnits.begin() + 1) % kAllByteUnits.size()];
        } else if (c == kSetupColumns + 2) {
          settings_.color = !settings_.color;
          style_.color = settings_.color && has_colors() && !std::getenv("NO_COLOR");
          if (style_.color) init_style(style_);
        } else if (c >= kSetupColumns + 4) {
          state_.prompt_kind = kKindOrder[c - kSetupColumns - 4];
          const auto it = settings_.events.find(state_.prompt_kind);
          state_.prompt_text.clear();
          for (const std::string& e : it == settings_.events.end() ? default_events() : it->second) {
            state_.prompt_text += (state_.prompt_text.empty() ? "" : ",") + e;
          }
          state_.prompt = ViewState::Prompt::kEvents;
        }
        break;
      case kEscape:
      case 'q':
      case KEY_F(2):
      case KEY_F(10):
        state_.view = View::kMain;
        if (setup_changed_ || settings_.delay_tenths != delay_before_) replan();
        save_setup();
        break;
      default: break;
    }
    return true;
  }

  Feed& feed_;
  Settings& settings_;
  const Options& options_;
  RecordingWriter* recording_;
  ViewState state_;
  Style style_;
  std::shared_ptr<const Snapshot> shown_;
  Frame frame_;
  unsigned long frames_ = 0;
  bool dirty_ = true;
  bool ended_noted_ = false;
  bool setup_changed_ = false;
  unsigned delay_before_ = 0;
  std::string error_;
};

}  // namespace

int run_tui(Feed& feed, Settings& settings, const Options& options, RecordingWriter* recording,
            const std::string& rc_path, const std::string& notice) {
  Tui tui(feed, settings, options, recording, rc_path);
  return tui.run(notice);
}

}  // namespace cpmu::top
