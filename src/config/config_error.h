#pragma once
#include <stdexcept>

namespace rk::config {

// A setting that cannot be used, with where it came from (a flag, a ROOMKEY_*
// variable, a key of the --config file) in its message: exit code 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rk::config
