#pragma once
// Log-linear latency histogram: 64 buckets per power of two (under 1.6 %
// error), fixed memory however many samples.
#include <array>
#include <bit>
#include <cstdint>

namespace rk::bench {

class LatencyHistogram {
 public:
  void record(std::uint64_t micros) {
    ++counts_[bucket_of(micros)];
    ++total_;
    if (micros > max_) max_ = micros;
    sum_ += micros;
  }
  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return max_; }
  double mean() const { return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0; }
  // Upper bound of the bucket holding the q-quantile.
  std::uint64_t quantile(double q) const {
    if (total_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < counts_.size(); ++b) {
      seen += counts_[b];
      if (seen >= rank) return upper_of(b);
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 6;
  static std::size_t bucket_of(std::uint64_t v) {
    if (v < (1u << kSubBits)) return static_cast<std::size_t>(v);
    const int exponent = std::bit_width(v) - 1 - kSubBits;
    return static_cast<std::size_t>(((exponent + 1) << kSubBits) + ((v >> exponent) & ((1u << kSubBits) - 1)));
  }
  static std::uint64_t upper_of(std::size_t b) {
    if (b < (1u << kSubBits)) return b;
    const int exponent = static_cast<int>(b >> kSubBits) - 1;
    const std::uint64_t mantissa = (b & ((1u << kSubBits) - 1)) | (1u << kSubBits);
    return ((mantissa + 1) << exponent) - 1;
  }
  std::array<std::uint64_t, 64 * 64> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

}  // namespace rk::bench
