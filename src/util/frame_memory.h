#pragma once
// Memory for outgoing frames. Fan-out allocates one frame per message and
// frees it once the last recipient's socket took it, so at full speed a loop
// allocates and frees thousands of ~150-byte blocks a turn: more than malloc's
// per-thread cache holds, and malloc's slow path showed in the W1 profile.
// Small frames therefore come from fixed-size blocks kept on a per-thread free
// list; big ones go to the global allocator. A block freed on another thread
// joins that thread's list, so no lock is ever shared.
#include <cstddef>

namespace rk::frame_memory {

// Blocks of this size serve every request up to it.
inline constexpr std::size_t kBlockBytes = 256;
// A thread keeps at most this many free blocks (256 KiB at most per thread,
// enough for a loop turn at full speed); beyond that they go back to malloc.
inline constexpr std::size_t kMaxCachedBlocks = 1024;

void* take(std::size_t bytes);
void give(void* memory, std::size_t bytes);  // bytes: as passed to take()

// Free blocks cached on the calling thread (for tests).
std::size_t cached_on_this_thread();

}  // namespace rk::frame_memory
