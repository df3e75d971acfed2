// Page sources (see page_source.h): outstanding requests, their waiters and packet generation.
//
// State of one page P of a pager-backed VMO, as this file sees it, per command:
//   idle --consumer needs P, no request pending P--> pending (packet sent, waiter parked)
//   pending --another consumer needs P--> pending (waiter parked, no packet)
//   pending --resolved (supply / DIRTY ack)--> idle (its waiters wake with ZX_OK)
//   pending --failed--> idle (its waiters wake with the error)
//   any --detach--> detached (every waiter wakes with ZX_ERR_BAD_STATE; no new request)
//
// Invariants (page_source_check): each command's request list is sorted by offset; a request has
// 1..PAGE_SOURCE_MAX_BATCH_PAGES pages and a non-empty pending bitmap within them; no page is
// pending in two requests of one command; each waiter waits for a page pending in its request;
// the outstanding counters equal the list lengths; a detached source has no request.
#include "vm/page_source.h"

#include <string.h>

#include "base/checked_math.h"
#include "base/platform.h"

static const struct lock_class page_source_lock_class = {"pager", LOCK_RANK_PAGER};

_Static_assert(PAGE_SOURCE_MAX_BATCH_PAGES <= 64, "pending set is a 64-bit bitmap");
_Static_assert((int)PAGE_SOURCE_READ == 0 && (int)PAGE_SOURCE_DIRTY == 1, "request list index");

// One request sent to the pager.
struct page_source_request {
  struct list_node node;     // in src->requests[command]
  uint64_t offset;           // first byte, page aligned
  uint32_t page_count;       // 1..PAGE_SOURCE_MAX_BATCH_PAGES
  uint64_t pending;          // bit i: page offset + i pages not resolved yet
  struct list_node waiters;  // of page_source_waiter
};

// One consumer parked on a request.
struct page_source_waiter {
  struct list_node node;           // in request->waiters
  struct multi_page_request* req;  // the consumer's rendezvous
  uint64_t offset;                 // the page it needs
};

static inline void source_assert_held(struct page_source* src) REQUIRES(&src->lock) {
  ZX_DEBUG_ASSERT_MAGIC(src, PAGE_SOURCE_MAGIC);
  mutex_assert_held(&src->lock);
}

static inline uint64_t request_end(const struct page_source_request* r) {
  return r->offset + (uint64_t)r->page_count * PAGE_SIZE;
}

// Bit of the page at |offset| in |r| (which must contain it).
static inline uint64_t request_bit(const struct page_source_request* r, uint64_t offset) {
  return (uint64_t)1 << ((offset - r->offset) >> PAGE_SIZE_SHIFT);
}

static inline bool request_pending(const struct page_source_request* r, uint64_t offset) {
  return offset >= r->offset && offset < request_end(r) && (r->pending & request_bit(r, offset));
}

static const uint16_t kPacketCommand[PAGE_SOURCE_COMMAND_COUNT_] = {
    [PAGE_SOURCE_READ] = ZX_PAGER_VMO_READ,
    [PAGE_SOURCE_DIRTY] = ZX_PAGER_VMO_DIRTY,
};

zx_status_t page_source_create(uint32_t flags, uint64_t key, page_source_send_fn send_packet,
                               void* send_ctx, struct page_source** out) {
  if ((flags & ~PAGE_SOURCE_FLAGS_MASK) != 0 || send_packet == NULL) return ZX_ERR_INVALID_ARGS;
  struct page_source* src = heap_calloc(1, sizeof(*src));
  if (src == NULL) return ZX_ERR_NO_MEMORY;
  src->magic = PAGE_SOURCE_MAGIC;
  src->flags = flags;
  atomic_init(&src->refcount, 1);
  atomic_init(&src->modified, false);
  src->key = key;
  src->send_packet = send_packet;
  src->send_ctx = send_ctx;
  mutex_init(&src->lock, &page_source_lock_class);
  src->detached = false;
  for (int c = 0; c < PAGE_SOURCE_COMMAND_COUNT_; c++) list_initialize(&src->requests[c]);
  list_initialize(&src->zero_intervals);
  list_node_init(&src->evictor_node);
  src->evictor_owner = NULL;
  *out = src;
  return ZX_OK;
}

void page_source_set_release_ctx(struct page_source* src, page_source_release_fn fn) {
  ZX_DEBUG_ASSERT_MAGIC(src, PAGE_SOURCE_MAGIC);
  src->release_ctx = fn;
}

void page_source_acquire(struct page_source* src) {
  ZX_DEBUG_ASSERT_MAGIC(src, PAGE_SOURCE_MAGIC);
  uint32_t old = atomic_fetch_add_explicit(&src->refcount, 1, memory_order_relaxed);
  ZX_ASSERT_MSG(old > 0, "acquire of dead page source %p", (void*)src);
}

void page_source_release(struct page_source* src) {
  ZX_DEBUG_ASSERT_MAGIC(src, PAGE_SOURCE_MAGIC);
  uint32_t old = atomic_fetch_sub_explicit(&src->refcount, 1, memory_order_acq_rel);
  ZX_ASSERT_MSG(old > 0, "page source %p refcount underflow", (void*)src);
  if (old != 1) return;
  // Last reference: no other thread can reach the source, the lock only satisfies the contracts.
  mutex_lock(&src->lock);
  for (int c = 0; c < PAGE_SOURCE_COMMAND_COUNT_; c++) {
    ZX_ASSERT_MSG(list_is_empty(&src->requests[c]),
                  "page source %p freed with outstanding requests (detach first)", (void*)src);
  }
  ZX_ASSERT_MSG(!list_in_list(&src->evictor_node), "page source %p freed while registered",
                (void*)src);
  ZX_ASSERT_MSG(list_is_empty(&src->zero_intervals),
                "page source %p freed with zero intervals (its root never died)", (void*)src);
  mutex_unlock(&src->lock);
  mutex_destroy(&src->lock);
  if (src->release_ctx != NULL) src->release_ctx(src->send_ctx);
  src->magic = 0;
  heap_free(src);
}

// READ and DIRTY requests sent since start, every source together (zxvm_get_stats): relaxed.
static uint64_t g_requests_sent;

uint64_t page_source_requests_sent(void) {
  return __atomic_load_n(&g_requests_sent, __ATOMIC_RELAXED);
}

// Builds and sends one packet. Pager lock held (see page_source.h for what the callee may do).
static void send_packet_locked(struct page_source* src, uint16_t command, uint64_t offset,
                               uint64_t len) REQUIRES(&src->lock) {
  source_assert_held(src);
  zx_port_packet_t packet;
  memset(&packet, 0, sizeof(packet));  // padding and reserved fields are zero on the wire
  packet.key = src->key;
  packet.type = ZX_PKT_TYPE_PAGE_REQUEST;
  packet.status = ZX_OK;
  packet.page_request.command = command;
  packet.page_request.flags = 0;
  packet.page_request.offset = offset;
  packet.page_request.length = len;
  if (command != ZX_PAGER_VMO_COMPLETE) __atomic_add_fetch(&g_requests_sent, 1, __ATOMIC_RELAXED);
  src->send_packet(src->send_ctx, &packet);
}

// The request of |command| in which page |offset| is pending, or NULL.
static struct page_source_request* find_pending_locked(struct page_source* src, int command,
                                                       uint64_t offset) REQUIRES(&src->lock) {
  list_for_every(&src->requests[command], n) {
    struct page_source_request* r = list_entry(n, struct page_source_request, node);
    if (r->offset > offset) break;
    if (request_pending(r, offset)) return r;
  }
  return NULL;
}

// Pages of a new request at |offset|: |run_len| clipped to the cap and to the first page already
// pending in another request of |command| (|offset| itself is not pending anywhere).
static uint32_t new_request_pages_locked(struct page_source* src, int command, uint64_t offset,
                                         uint64_t run_len) REQUIRES(&src->lock) {
  uint64_t pages = min_u64(run_len >> PAGE_SIZE_SHIFT, PAGE_SOURCE_MAX_BATCH_PAGES);
  if (pages == 0) pages = 1;
  uint64_t end;
  if (!add_u64(offset, pages * PAGE_SIZE, &end)) end = UINT64_MAX & ~(uint64_t)PAGE_MASK;
  list_for_every(&src->requests[command], n) {
    struct page_source_request* r = list_entry(n, struct page_source_request, node);
    if (r->offset >= end) break;
    if (request_end(r) <= offset) continue;
    for (uint64_t p = max_u64(r->offset, offset + PAGE_SIZE); p < end && p < request_end(r);
         p += PAGE_SIZE) {
      if (r->pending & request_bit(r, p)) {
        end = p;
        break;
      }
    }
  }
  return (uint32_t)((end - offset) >> PAGE_SIZE_SHIFT);
}

// Inserts |r| keeping the list sorted by offset.
static void insert_request_locked(struct page_source* src, int command,
                                  struct page_source_request* r) REQUIRES(&src->lock) {
  struct list_node* at = &src->requests[command];
  list_for_every(&src->requests[command], n) {
    if (list_entry(n, struct page_source_request, node)->offset > r->offset) break;
    at = n;
  }
  list_add_after(at, &r->node);
  src->stats.outstanding[command]++;
}

zx_status_t page_source_request_page(struct page_source* src, enum page_source_command command,
                                     uint64_t offset, uint64_t run_len,
                                     struct multi_page_request* req) {
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(offset) && command < PAGE_SOURCE_COMMAND_COUNT_);
  struct page_source_waiter* w = heap_alloc(sizeof(*w));
  if (w == NULL) return ZX_ERR_NO_MEMORY;
  struct page_source_request* fresh = NULL;
  zx_status_t status = ZX_ERR_SHOULD_WAIT;
  mutex_lock(&src->lock);
  if (src->detached) {
    status = ZX_ERR_BAD_STATE;
    goto out_unlock;
  }
  struct page_source_request* r = find_pending_locked(src, command, offset);
  if (r == NULL) {
    fresh = heap_alloc(sizeof(*fresh));
    if (fresh == NULL) {
      status = ZX_ERR_NO_MEMORY;
      goto out_unlock;
    }
    r = fresh;
    r->offset = offset;
    r->page_count = new_request_pages_locked(src, command, offset, run_len);
    r->pending = r->page_count == 64 ? UINT64_MAX : ((uint64_t)1 << r->page_count) - 1;
    list_initialize(&r->waiters);
    insert_request_locked(src, command, r);
  }
  w->req = req;
  w->offset = offset;
  list_add_tail(&r->waiters, &w->node);
  w = NULL;
  src->stats.waits++;
  multi_page_request_arm(req, src, offset, PAGE_SIZE);
  if (fresh != NULL) {
    src->stats.packets[command]++;
    send_packet_locked(src, kPacketCommand[command], r->offset,
                       (uint64_t)r->page_count * PAGE_SIZE);
  }
out_unlock:
  mutex_unlock(&src->lock);
  heap_free(w);
  return status;
}

bool page_source_cancel_wait(struct page_source* src, struct multi_page_request* req) {
  bool found = false;
  mutex_lock(&src->lock);
  for (int c = 0; c < PAGE_SOURCE_COMMAND_COUNT_ && !found; c++) {
    list_for_every(&src->requests[c], n) {
      struct page_source_request* r = list_entry(n, struct page_source_request, node);
      list_for_every_safe(&r->waiters, wn, tmp) {
        struct page_source_waiter* w = list_entry(wn, struct page_source_waiter, node);
        if (w->req != req) continue;
        list_delete(&w->node);
        heap_free(w);
        found = true;
        break;
      }
      if (found) break;
    }
  }
  mutex_unlock(&src->lock);
  return found;
}

// Wakes, with |status|, every waiter of |r| whose page lies in [offset, end); frees |r| if nothing
// is pending any more. The caller has already cleared the resolved pages' bits.
static void wake_waiters_locked(struct page_source* src, int command, struct page_source_request* r,
                                uint64_t offset, uint64_t end, zx_status_t status)
    REQUIRES(&src->lock) {
  list_for_every_safe(&r->waiters, wn, tmp) {
    struct page_source_waiter* w = list_entry(wn, struct page_source_waiter, node);
    if (w->offset < offset || w->offset >= end) continue;
    list_delete(&w->node);
    multi_page_request_complete(w->req, status);
    heap_free(w);
  }
  if (r->pending == 0) {
    ZX_ASSERT(list_is_empty(&r->waiters));
    list_delete(&r->node);
    src->stats.outstanding[command]--;
    heap_free(r);
  }
}

// Resolves [offset, end) of every request of |command|, waking the affected waiters with |status|.
static void resolve_range_locked(struct page_source* src, int command, uint64_t offset,
                                 uint64_t end, zx_status_t status) REQUIRES(&src->lock) {
  list_for_every_safe(&src->requests[command], n, tmp) {
    struct page_source_request* r = list_entry(n, struct page_source_request, node);
    if (r->offset >= end) break;
    if (request_end(r) <= offset) continue;
    uint64_t lo = max_u64(r->offset, offset), hi = min_u64(request_end(r), end);
    for (uint64_t p = lo; p < hi; p += PAGE_SIZE) r->pending &= ~request_bit(r, p);
    wake_waiters_locked(src, command, r, lo, hi, status);
  }
}

// |offset| + |len| clipped to the top page boundary of the 64-bit space.
static uint64_t range_end(uint64_t offset, uint64_t len) {
  uint64_t end;
  if (!add_u64(offset, len, &end)) end = UINT64_MAX & ~(uint64_t)PAGE_MASK;
  return end;
}

void page_source_on_pages_resolved(struct page_source* src, enum page_source_command command,
                                   uint64_t offset, uint64_t len) {
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(offset) && IS_PAGE_ALIGNED(len));
  ZX_DEBUG_ASSERT(command < PAGE_SOURCE_COMMAND_COUNT_);
  if (len == 0) return;
  mutex_lock(&src->lock);
  resolve_range_locked(src, command, offset, range_end(offset, len), ZX_OK);
  mutex_unlock(&src->lock);
}

bool page_source_fail_status_valid(zx_status_t error) {
  switch (error) {
    case ZX_ERR_IO:
    case ZX_ERR_IO_DATA_INTEGRITY:
    case ZX_ERR_BAD_STATE:
    case ZX_ERR_NO_SPACE:
    case ZX_ERR_BUFFER_TOO_SMALL:
      return true;
    default:
      return false;
  }
}

zx_status_t page_source_on_pages_failed(struct page_source* src, uint64_t offset, uint64_t len,
                                        zx_status_t error) {
  if (!page_source_fail_status_valid(error)) return ZX_ERR_INVALID_ARGS;
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(offset) && IS_PAGE_ALIGNED(len));
  if (len == 0) return ZX_OK;
  uint64_t end = range_end(offset, len);
  mutex_lock(&src->lock);
  for (int c = 0; c < PAGE_SOURCE_COMMAND_COUNT_; c++) {
    resolve_range_locked(src, c, offset, end, error);
  }
  mutex_unlock(&src->lock);
  return ZX_OK;
}

zx_status_t page_source_detach(struct page_source* src, bool send_complete) {
  mutex_lock(&src->lock);
  zx_status_t status = ZX_OK;
  if (src->detached) {
    status = ZX_ERR_BAD_STATE;
  } else {
    src->detached = true;
    for (int c = 0; c < PAGE_SOURCE_COMMAND_COUNT_; c++) {
      resolve_range_locked(src, c, 0, UINT64_MAX & ~(uint64_t)PAGE_MASK, ZX_ERR_BAD_STATE);
      // The last page of the 64-bit space cannot be in a request: a VMO ends below it.
      ZX_ASSERT(list_is_empty(&src->requests[c]));
    }
    if (send_complete) {
      src->stats.complete_packets++;
      send_packet_locked(src, ZX_PAGER_VMO_COMPLETE, 0, 0);
    }
  }
  mutex_unlock(&src->lock);
  return status;
}

bool page_source_is_detached(struct page_source* src) {
  mutex_lock(&src->lock);
  bool detached = src->detached;
  mutex_unlock(&src->lock);
  return detached;
}

bool page_source_query_modified(struct page_source* src, bool reset) {
  if (reset) return atomic_exchange_explicit(&src->modified, false, memory_order_relaxed);
  return atomic_load_explicit(&src->modified, memory_order_relaxed);
}

void page_source_get_stats(struct page_source* src, struct page_source_stats* out) {
  mutex_lock(&src->lock);
  *out = src->stats;
  mutex_unlock(&src->lock);
}

static void check_request_locked(struct page_source* src, struct page_source_request* r)
    REQUIRES(&src->lock) {
  ZX_ASSERT_MSG(IS_PAGE_ALIGNED(r->offset), "request offset %#lx", (unsigned long)r->offset);
  ZX_ASSERT_MSG(r->page_count >= 1 && r->page_count <= PAGE_SOURCE_MAX_BATCH_PAGES,
                "request pages %u", r->page_count);
  uint64_t mask = r->page_count == 64 ? UINT64_MAX : ((uint64_t)1 << r->page_count) - 1;
  ZX_ASSERT_MSG(r->pending != 0 && (r->pending & ~mask) == 0, "request %#lx pending %#lx",
                (unsigned long)r->offset, (unsigned long)r->pending);
  list_for_every(&r->waiters, wn) {
    struct page_source_waiter* w = list_entry(wn, struct page_source_waiter, node);
    ZX_ASSERT_MSG(request_pending(r, w->offset), "waiter for %#lx not pending in [%#lx, %#lx)",
                  (unsigned long)w->offset, (unsigned long)r->offset,
                  (unsigned long)request_end(r));
  }
}

void page_source_check(struct page_source* src) {
  ZX_ASSERT_MSG(src->magic == PAGE_SOURCE_MAGIC, "page source %p bad magic", (void*)src);
  mutex_lock(&src->lock);
  for (int c = 0; c < PAGE_SOURCE_COMMAND_COUNT_; c++) {
    uint64_t count = 0, prev_offset = 0;
    list_for_every(&src->requests[c], n) {
      struct page_source_request* r = list_entry(n, struct page_source_request, node);
      ZX_ASSERT_MSG(count == 0 || r->offset >= prev_offset, "requests out of order");
      check_request_locked(src, r);
      // No page pending twice: compare with every later request (lists are short).
      for (struct list_node* m = n->next; m != &src->requests[c]; m = m->next) {
        struct page_source_request* o = list_entry(m, struct page_source_request, node);
        for (uint64_t p = o->offset; p < request_end(o); p += PAGE_SIZE) {
          ZX_ASSERT_MSG(!(request_pending(o, p) && request_pending(r, p)),
                        "page %#lx pending twice", (unsigned long)p);
        }
      }
      prev_offset = r->offset;
      count++;
    }
    ZX_ASSERT_MSG(count == src->stats.outstanding[c], "outstanding %lu != %lu",
                  (unsigned long)src->stats.outstanding[c], (unsigned long)count);
    ZX_ASSERT(!src->detached || count == 0);
  }
  mutex_unlock(&src->lock);
}
