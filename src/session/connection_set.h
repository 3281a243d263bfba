#pragma once
// A loop's live connections: a vector of owning pointers, each connection
// keeping its own index, so adding and removing cost no allocation and no
// hash node (a map node and its bucket were about 56 bytes per idle
// connection). Removing swaps the last entry into the hole.
#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <cstdint>
#include <vector>

namespace rk::session {

class Connection;
// A connection counts its own references (one atomic word in place): a
// shared_ptr's control block and enable_shared_from_this's weak pointer
// cost 32 bytes per connection. Defined in connection.cpp.
void intrusive_ptr_add_ref(Connection* connection) noexcept;
void intrusive_ptr_release(Connection* connection) noexcept;
using ConnectionPtr = boost::intrusive_ptr<Connection>;

class ConnectionSet {
 public:
  void add(ConnectionPtr connection);
  // Returns the set's reference (null if the connection is not here).
  ConnectionPtr remove(Connection* connection);

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

  // Visits every connection once, even when a visit closes (removes) the
  // visited one: the walk goes from the back, so what a removal moves into
  // the hole was already visited. Connections added meanwhile are not
  // visited. The visit must remove no other connection than its own.
  template <typename Visit>
  void visit_each(Visit&& visit) {
    for (std::size_t i = entries_.size(); i-- > 0;) {
      if (i < entries_.size()) visit(*entries_[i]);
    }
  }

 private:
  std::vector<ConnectionPtr> entries_;
};

}  // namespace rk::session
