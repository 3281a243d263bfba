#pragma once
// Lines from standard input, read on a thread of their own so that a tty, a
// pipe and a regular file all work alike (epoll refuses regular files). The
// reader blocks once kMaxUnhandled lines wait to be handled, so a big file
// piped in is read as fast as it is sent, not into memory.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace rk::connect {

struct InputLine {
  std::string text;       // without its '\n' (and a '\r' before it)
  bool too_long = false;  // longer than kMaxLineBytes: `text` is empty, the line skipped
};

class StdinLines {
 public:
  static constexpr std::size_t kMaxUnhandled = 256;
  static constexpr std::size_t kMaxLineBytes = 1 << 20;  // the server's default message limit

  // Called on the reader thread with each line, then once with nullopt at the
  // end of input (or a read error).
  using Sink = std::function<void(std::optional<InputLine>)>;

  StdinLines();
  ~StdinLines();  // stop()s; the thread may stay blocked in read() until exit
  StdinLines(const StdinLines&) = delete;
  StdinLines& operator=(const StdinLines&) = delete;

  void start(Sink sink);
  // One line was handled: the reader may have one more waiting.
  void handled();
  // From now on the sink is never called again (the thread is detached).
  void stop();

 private:
  struct Shared;
  static void read_lines(const std::shared_ptr<Shared>& shared);  // the thread's body
  std::shared_ptr<Shared> shared_;
};

}  // namespace rk::connect
