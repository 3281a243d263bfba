#pragma once
// One prepared statement of MariaDB Connector/C (mysql_stmt_*): the values of
// a request travel as bound parameters, never spliced into SQL text, so no
// key or owner needs escaping. Results are read as text (NULL as nothing);
// a page of them is buffered on the client, so the connection is free for
// other statements while it is read.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct st_mysql;
struct st_mysql_stmt;
struct st_mysql_bind;

namespace rk::store {

class PreparedStatement {
 public:
  PreparedStatement() = default;
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  // False if the server refused it (see error_code()); the connection's error then says why.
  bool prepare(st_mysql* db, std::string_view sql);
  void close();
  bool ready() const { return statement_ != nullptr; }

  // Parameters by position, for the next execute(). Text is not copied: it
  // must live until execute() returns.
  void bind_text(std::size_t index, std::string_view text);
  void bind_integer(std::size_t index, std::optional<std::int64_t> value);  // nothing: NULL
  void bind_null(std::size_t index);

  // Runs it with the bound parameters; a result set is fetched whole.
  bool execute();
  // The next row of the result, each column as text or nothing for NULL.
  // False after the last row (or on an error: error_code() is then set).
  bool fetch(std::vector<std::optional<std::string>>& columns);
  std::uint64_t affected_rows() const;

  unsigned error_code() const;
  std::string error() const;

 private:
  st_mysql_stmt* statement_ = nullptr;
  std::vector<st_mysql_bind> parameters_;
  std::vector<unsigned long> lengths_;
  std::vector<long long> integers_;
  std::vector<st_mysql_bind> results_;
  std::vector<unsigned long> result_lengths_;
  std::vector<char> result_nulls_;  // my_bool
  bool has_result_ = false;
};

}  // namespace rk::store
