#include "util/frame_memory.h"

#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RK_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RK_ASAN 1
#endif
#ifdef RK_ASAN
#include <sanitizer/asan_interface.h>
#define RK_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define RK_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define RK_POISON(p, n) ((void)(p), (void)(n))
#define RK_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace rk::frame_memory {
namespace {

struct FreeBlock {
  FreeBlock* next;
};

// The list is emptied when its thread ends. A frame released after that on
// the same thread (by another thread_local's destructor) bypasses the list:
// `ended` is trivially destructible, so it can still be read then.
struct FreeList {
  FreeBlock* head = nullptr;
  std::size_t count = 0;
  ~FreeList();
};
thread_local FreeList free_list;
thread_local bool ended = false;

FreeList::~FreeList() {
  ended = true;
  while (head) {
    FreeBlock* block = head;
    RK_UNPOISON(block, sizeof(FreeBlock));
    head = block->next;
    ::operator delete(block);
  }
  count = 0;
}

}  // namespace

void* take(std::size_t bytes) {
  if (bytes > kBlockBytes) return ::operator new(bytes);
  if (ended || !free_list.head) return ::operator new(kBlockBytes);
  FreeBlock* block = free_list.head;
  RK_UNPOISON(block, kBlockBytes);
  free_list.head = block->next;
  --free_list.count;
  return block;
}

void give(void* memory, std::size_t bytes) {
  if (bytes > kBlockBytes || ended || free_list.count >= kMaxCachedBlocks) return ::operator delete(memory);
  auto* block = static_cast<FreeBlock*>(memory);
  block->next = free_list.head;
  free_list.head = block;
  ++free_list.count;
  // Under AddressSanitizer a cached block stays poisoned: a frame used after
  // its release is still reported, as it would be with plain malloc.
  RK_POISON(block, kBlockBytes);
}

std::size_t cached_on_this_thread() { return ended ? 0 : free_list.count; }

}  // namespace rk::frame_memory
