#include "connect/stdin_lines.h"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <mutex>
#include <semaphore>
#include <thread>

namespace rk::connect {

struct StdinLines::Shared {
  std::mutex mutex;
  Sink sink;  // empty once stopped
  std::counting_semaphore<kMaxUnhandled> credit{kMaxUnhandled};

  // False once stopped: the reader then ends.
  bool deliver(std::optional<InputLine> line) {
    if (line) credit.acquire();
    std::lock_guard lock(mutex);
    if (!sink) return false;
    sink(std::move(line));
    return true;
  }
};

void StdinLines::read_lines(const std::shared_ptr<Shared>& shared) {
  std::string pending;
  bool skipping = false;  // inside a line past kMaxLineBytes
  char buffer[65536];
  const auto emit = [&](std::string text) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    return shared->deliver(InputLine{std::move(text), false});
  };
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    std::string_view chunk(buffer, static_cast<std::size_t>(got));
    while (!chunk.empty()) {
      const auto end = chunk.find('\n');
      const std::string_view piece = chunk.substr(0, end);
      if (!skipping) {
        if (pending.size() + piece.size() > StdinLines::kMaxLineBytes) {
          skipping = true;
          pending.clear();
          if (!shared->deliver(InputLine{{}, true})) return;
        } else {
          pending.append(piece);
        }
      }
      if (end == std::string_view::npos) break;
      chunk.remove_prefix(end + 1);
      if (!skipping && !emit(std::move(pending))) return;
      pending.clear();
      skipping = false;
    }
  }
  if (!pending.empty() && !skipping && !emit(std::move(pending))) return;  // a last line without '\n'
  shared->deliver(std::nullopt);
}

StdinLines::StdinLines() : shared_(std::make_shared<Shared>()) {}

StdinLines::~StdinLines() { stop(); }

void StdinLines::start(Sink sink) {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->sink = std::move(sink);
  }
  // Signals are the io_context's business: the reader blocks them all, so a
  // Ctrl-C never interrupts its read().
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  std::thread([shared = shared_] { read_lines(shared); }).detach();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void StdinLines::handled() { shared_->credit.release(); }

void StdinLines::stop() {
  std::lock_guard lock(shared_->mutex);
  shared_->sink = nullptr;
}

}  // namespace rk::connect
