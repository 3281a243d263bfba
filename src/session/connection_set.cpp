#include "session/connection_set.h"

#include <utility>

#include "session/connection.h"

namespace rk::session {

void ConnectionSet::add(ConnectionPtr connection) {
  connection->set_index_ = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back(std::move(connection));
}

ConnectionPtr ConnectionSet::remove(Connection* connection) {
  const std::uint32_t index = connection->set_index_;
  if (index >= entries_.size() || entries_[index].get() != connection) return nullptr;
  ConnectionPtr removed = std::move(entries_[index]);
  if (index + 1 != entries_.size()) {
    entries_[index] = std::move(entries_.back());
    entries_[index]->set_index_ = index;
  }
  entries_.pop_back();
  return removed;
}

}  // namespace rk::session
