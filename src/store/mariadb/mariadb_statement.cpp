#include "store/mariadb/mariadb_statement.h"

#include <errmsg.h>
#include <mysql.h>

namespace rk::store {

PreparedStatement::~PreparedStatement() { close(); }

void PreparedStatement::close() {
  if (statement_) mysql_stmt_close(statement_);
  statement_ = nullptr;
  has_result_ = false;
}

bool PreparedStatement::prepare(st_mysql* db, std::string_view sql) {
  close();
  statement_ = mysql_stmt_init(db);
  if (!statement_) return false;
  if (mysql_stmt_prepare(statement_, sql.data(), sql.size()) != 0) return false;
  const std::size_t count = mysql_stmt_param_count(statement_);
  parameters_.assign(count, MYSQL_BIND{});
  lengths_.assign(count, 0);
  integers_.assign(count, 0);
  const std::size_t columns = mysql_stmt_field_count(statement_);
  // Bound without a buffer: a fetch reports each column's length, and
  // fetch() then reads it whole with mysql_stmt_fetch_column.
  results_.assign(columns, MYSQL_BIND{});
  result_lengths_.assign(columns, 0);
  result_nulls_.assign(columns, 0);
  for (std::size_t i = 0; i < columns; ++i) {
    results_[i].buffer_type = MYSQL_TYPE_STRING;
    results_[i].length = &result_lengths_[i];
    results_[i].is_null = reinterpret_cast<my_bool*>(&result_nulls_[i]);
  }
  return true;
}

void PreparedStatement::bind_text(std::size_t index, std::string_view text) {
  MYSQL_BIND& bind = parameters_.at(index);
  bind = MYSQL_BIND{};
  lengths_[index] = text.size();
  bind.buffer_type = MYSQL_TYPE_STRING;
  bind.buffer = const_cast<char*>(text.data());
  bind.buffer_length = text.size();
  bind.length = &lengths_[index];
}

void PreparedStatement::bind_integer(std::size_t index, std::optional<std::int64_t> value) {
  if (!value) return bind_null(index);
  MYSQL_BIND& bind = parameters_.at(index);
  bind = MYSQL_BIND{};
  integers_[index] = *value;
  bind.buffer_type = MYSQL_TYPE_LONGLONG;
  bind.buffer = &integers_[index];
}

void PreparedStatement::bind_null(std::size_t index) {
  MYSQL_BIND& bind = parameters_.at(index);
  bind = MYSQL_BIND{};
  bind.buffer_type = MYSQL_TYPE_NULL;
}

bool PreparedStatement::execute() {
  if (has_result_) mysql_stmt_free_result(statement_);
  has_result_ = false;
  if (!parameters_.empty() && mysql_stmt_bind_param(statement_, parameters_.data()) != 0) return false;
  if (mysql_stmt_execute(statement_) != 0) return false;
  if (results_.empty()) return true;
  if (mysql_stmt_bind_result(statement_, results_.data()) != 0 || mysql_stmt_store_result(statement_) != 0)
    return false;
  has_result_ = true;
  return true;
}

bool PreparedStatement::fetch(std::vector<std::optional<std::string>>& columns) {
  if (!has_result_) return false;
  const int rc = mysql_stmt_fetch(statement_);
  if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) return false;  // MYSQL_NO_DATA, or 1: an error
  columns.resize(results_.size());
  for (std::size_t i = 0; i < results_.size(); ++i) {
    if (result_nulls_[i]) {
      columns[i].reset();
      continue;
    }
    std::string& text = columns[i].emplace(result_lengths_[i], '\0');
    if (text.empty()) continue;
    MYSQL_BIND whole{};
    whole.buffer_type = MYSQL_TYPE_STRING;
    whole.buffer = text.data();
    whole.buffer_length = text.size();
    if (mysql_stmt_fetch_column(statement_, &whole, static_cast<unsigned>(i), 0) != 0) return false;
  }
  return true;
}

std::uint64_t PreparedStatement::affected_rows() const { return mysql_stmt_affected_rows(statement_); }

unsigned PreparedStatement::error_code() const { return statement_ ? mysql_stmt_errno(statement_) : CR_OUT_OF_MEMORY; }

std::string PreparedStatement::error() const {
  return statement_ ? mysql_stmt_error(statement_) : "out of memory";
}

}  // namespace rk::store
