#include "admin/rooms_command.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <fstream>
#include <iostream>

#include "admin/room_json.h"
#include "admin/room_transfer.h"
#include "store/open_store.h"

namespace rk::admin {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

void add_store_flags(CLI::App& command, std::string& store, std::string& password_file) {
  command.add_option("--store", store, "sqlite:PATH, mariadb://... or redis://... (as for serve)")->required();
  command.add_option("--store-password-file", password_file,
                     "file with the MariaDB or Redis password when the URL has none; else $ROOMKEY_STORE_PASSWORD");
}

store::StoreOptions options_with(const std::string& password_file, std::int64_t room_ttl_s = 0) {
  store::StoreOptions options;
  options.password_file = password_file;
  options.room_ttl_s = room_ttl_s;
  return options;
}

std::string utc_time(const std::optional<std::int64_t>& seconds) {
  if (!seconds) return "-";
  const std::time_t time = static_cast<std::time_t>(*seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

// Runs `work` and turns what the store layer throws into the exit codes.
template <typename Work>
int guarded(Work&& work) {
  try {
    return work();
  } catch (const store::StoreSpecError& error) {
    std::cerr << "roomkey rooms: " << error.what() << '\n';
    return kUsage;
  } catch (const store::StoreOpenError& error) {
    std::cerr << "roomkey rooms: " << error.what() << '\n';
    return kFailed;
  } catch (const store::StoreError& error) {
    std::cerr << "roomkey rooms: " << error.what() << '\n';
    return kFailed;
  }
}

// A store failed after some batches may have been written: they stay, and a
// second run finishes the job, since rooms already there are skipped.
int failed_midway(std::string_view action, const store::StoreError& error) {
  std::cerr << "roomkey rooms " << action << ": " << error.what() << '\n'
            << "batches written before the failure stay; run it again to finish (rooms already there are skipped)\n";
  return kFailed;
}

}  // namespace

RoomsCommand::RoomsCommand(CLI::App& app) {
  rooms_ = app.add_subcommand("rooms", "Room admin on a store, no server needed: list, count, export, import, copy");
  rooms_->require_subcommand(1);

  list_ = rooms_->add_subcommand("list", "Each room: key, owner, created, last used (UTC; '-': not recorded)");
  add_store_flags(*list_, store_, password_file_);
  list_->add_flag("--json", json_, "The same JSON lines as export");

  count_ = rooms_->add_subcommand("count", "How many rooms the store holds");
  add_store_flags(*count_, store_, password_file_);

  export_ = rooms_->add_subcommand("export", "Every room as a JSON line: {\"join\",\"owner\",\"created_at\",\"last_used\"}");
  add_store_flags(*export_, store_, password_file_);
  export_->add_option("--output", output_, "Write to this file instead of stdout");

  import_ = rooms_->add_subcommand(
      "import", "Add rooms from JSON lines (export's), metadata kept; existing keys are skipped and counted");
  add_store_flags(*import_, store_, password_file_);
  import_->add_option("--input", input_, "Read this file instead of stdin (checked whole before anything is written)");
  import_->add_option("--room-ttl", room_ttl_s_, "Redis target: rooms expire this long after their last use; 0: never")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40))
      ->capture_default_str();

  copy_ = rooms_->add_subcommand("copy", "Copy every room from one store to another (export | import, streamed)");
  copy_->add_option("--from", from_, "Source store")->required();
  copy_->add_option("--from-password-file", from_password_file_, "Password of the source when its URL has none");
  copy_->add_option("--to", to_, "Target store")->required();
  copy_->add_option("--to-password-file", to_password_file_, "Password of the target when its URL has none");
  copy_->add_option("--room-ttl", room_ttl_s_, "Redis target: rooms expire this long after their last use; 0: never")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40))
      ->capture_default_str();
  copy_->footer("$ROOMKEY_STORE_PASSWORD serves either store when neither its URL nor a file gives one.");
}

bool RoomsCommand::parsed() const { return rooms_->parsed(); }

int RoomsCommand::run() {
  // stdout carries the rooms: every log line goes to stderr, warnings and worse only.
  auto logger = spdlog::stderr_color_st("roomkey-rooms");
  logger->set_level(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  std::ios::sync_with_stdio(false);  // rooms stream through std::cin and std::cout
  if (list_->parsed()) return guarded([&] { return list(); });
  if (count_->parsed()) return guarded([&] { return count(); });
  if (export_->parsed()) return guarded([&] { return export_to_output(); });
  if (import_->parsed()) return guarded([&] { return import_from_input(); });
  if (copy_->parsed()) return guarded([&] { return copy(); });
  return kUsage;
}

int RoomsCommand::list() {
  auto catalog = store::open_catalog(store_, options_with(password_file_), store::CatalogUse::kRead);
  catalog->for_each_room([&](const store::RoomRecord& room) {
    if (json_) {
      std::cout << to_json_line(room) << '\n';
    } else {
      std::cout << json_escaped(room.key) << '\t' << (room.owner ? json_escaped(*room.owner) : "-") << '\t' << utc_time(room.created_at) << '\t'
                << utc_time(room.last_used) << '\n';
    }
  });
  std::cout.flush();
  return kOk;
}

int RoomsCommand::count() {
  auto catalog = store::open_catalog(store_, options_with(password_file_), store::CatalogUse::kRead);
  std::cout << catalog->room_count() << std::endl;
  return kOk;
}

int RoomsCommand::export_to_output() {
  auto catalog = store::open_catalog(store_, options_with(password_file_), store::CatalogUse::kRead);
  std::ofstream file;
  if (!output_.empty()) {
    file.open(output_, std::ios::trunc);
    if (!file) {
      std::cerr << "roomkey rooms export: cannot write '" << output_ << "'\n";
      return kUsage;
    }
  }
  std::ostream& out = output_.empty() ? std::cout : file;
  const std::uint64_t rooms = export_rooms(*catalog, out);
  if (!out) {
    std::cerr << "roomkey rooms export: writing failed after " << rooms << " rooms\n";
    return kFailed;
  }
  std::cerr << "exported " << rooms << " rooms\n";
  return kOk;
}

int RoomsCommand::import_from_input() {
  std::ifstream file;
  if (!input_.empty()) {
    file.open(input_);
    if (!file) {
      std::cerr << "roomkey rooms import: cannot read '" << input_ << "'\n";
      return kUsage;
    }
  }
  std::istream& in = input_.empty() ? std::cin : file;
  try {
    if (!input_.empty()) {
      check_lines(file);  // a file can be read twice: a bad line then writes nothing at all
      file.clear();
      file.seekg(0);
    }
    auto catalog = store::open_catalog(store_, options_with(password_file_, room_ttl_s_), store::CatalogUse::kWrite);
    std::cout << import_rooms(in, *catalog).summary() << std::endl;
    return kOk;
  } catch (const store::StoreError& error) {
    return failed_midway("import", error);
  } catch (const ImportStopped& stopped) {
    std::cerr << "roomkey rooms import: " << stopped.what() << '\n';
    if (stopped.first_unwritten_line == 1) {
      std::cerr << "nothing was imported\n";
    } else {
      std::cerr << "lines before " << stopped.first_unwritten_line << " were imported (" << stopped.done.summary()
                << "); nothing from line " << stopped.first_unwritten_line
                << " on was. Mend the line and import again: rooms already there are skipped\n";
    }
    return kUsage;
  }
}

int RoomsCommand::copy() {
  auto from = store::open_catalog(from_, options_with(from_password_file_), store::CatalogUse::kRead);
  auto to = store::open_catalog(to_, options_with(to_password_file_, room_ttl_s_), store::CatalogUse::kWrite);
  try {
    std::cout << copy_rooms(*from, *to).summary() << std::endl;
  } catch (const store::StoreError& error) {
    return failed_midway("copy", error);
  }
  return kOk;
}

}  // namespace rk::admin
