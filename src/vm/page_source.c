// Page sources (see page_source.h): outstanding requests, their waiters and packet generation.
//
// State of one page P of a pager-backed VMO, as this file sees it, per command:
//   idle --consumer needs P, no request pending P--> pending (packet sent, waiter parked)
//   pending --another consumer needs P--> pending (waiter parked, no packet)
//   pending --resolved (supply / DIRTY ack)--> idle (waiters whose range is done wake)
//   pending --failed--> idle (as resolved; a waiter whose first page it is wakes with the error)
//   any --detach--> detached (every waiter wakes with ZX_ERR_BAD_STATE; no new request)
//
// A request's pending set is a sorted array of disjoint, non-adjacent page-aligned intervals
// inside the request, so a request may cover any length at a cost proportional to how
// fragmented its resolution is. Resolving a range inside one interval splits it; when the array
// cannot grow (no memory) the interval is cut short instead: the pages after the resolved range
// count as resolved too, their waiters wake with ZX_OK, retry, and ask again (a spurious wake,
// never a lost one).
//
// Invariants (page_source_check): each command's request list is sorted by offset; a request has a
// non-zero page-aligned length and 1..pending_cap pending intervals, sorted, non-empty, disjoint
// and non-adjacent, inside the request; no page is pending in two requests of one command; each
// waiter's range [offset, end) lies in its request, is page aligned, is one page for an early-wake
// waiter, and still holds a pending page; the outstanding counters equal the list lengths; a
// detached source has no request.
#include "vm/page_source.h"

#include <string.h>

#include "base/checked_math.h"
#include "base/platform.h"

static const struct lock_class page_source_lock_class = {"pager", LOCK_RANK_PAGER};

_Static_assert((int)PAGE_SOURCE_READ == 0 && (int)PAGE_SOURCE_DIRTY == 1, "request list index");

// Pending intervals a new request has room for before it first grows its array.
#define PENDING_INITIAL_CAP 2u

// [start, end): page-aligned bytes of the VMO.
struct page_source_interval {
  uint64_t start, end;
};

// One request sent to the pager.
struct page_source_request {
  struct list_node node;                 // in src->requests[command]
  uint64_t offset;                       // first byte, page aligned
  uint64_t len;                          // bytes, page multiple, > 0
  struct page_source_interval* pending;  // [pending_count] not resolved yet, sorted
  uint32_t pending_count;                // >= 1 while the request is listed
  uint32_t pending_cap;                  // room in |pending|
  struct list_node waiters;              // of page_source_waiter
  void* packet;                          // queue_packet's token while the packet may be queued
};

// One consumer parked on a request.
struct page_source_waiter {
  struct list_node node;           // in request->waiters
  struct multi_page_request* req;  // the consumer's rendezvous
  uint64_t offset;                 // the first page it needs (pending when it attached)
  uint64_t end;                    // it wakes once no page of [offset, end) is pending
  zx_status_t status;              // what it wakes with: how its first page was resolved
  bool early_wake;                 // (c) the consumer's choice: |end| is offset + PAGE_SIZE
};

static inline void source_assert_held(struct page_source* src) REQUIRES(&src->lock) {
  ZX_DEBUG_ASSERT_MAGIC(src, PAGE_SOURCE_MAGIC);
  mutex_assert_held(&src->lock);
}

static inline uint64_t request_end(const struct page_source_request* r) {
  return r->offset + r->len;
}

// Index of the first pending interval of |r| that ends after |offset| (pending_count if none).
static uint32_t interval_after(const struct page_source_request* r, uint64_t offset) {
  uint32_t lo = 0, hi = r->pending_count;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (r->pending[mid].end <= offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// True if a page of [start, end) is pending in |r|.
static bool request_any_pending(const struct page_source_request* r, uint64_t start, uint64_t end) {
  uint32_t i = interval_after(r, start);
  return i < r->pending_count && r->pending[i].start < end;
}

static inline bool request_pending(const struct page_source_request* r, uint64_t offset) {
  return request_any_pending(r, offset, offset + PAGE_SIZE);
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

void page_source_set_withdrawable_packets(struct page_source* src, page_source_queue_fn queue,
                                          page_source_withdraw_fn withdraw) {
  ZX_DEBUG_ASSERT_MAGIC(src, PAGE_SOURCE_MAGIC);
  ZX_ASSERT((queue == NULL) == (withdraw == NULL));
  src->queue_packet = queue;
  src->withdraw_packet = withdraw;
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

// Builds one packet (zero padding and reserved fields, as on the wire).
static void build_packet(struct page_source* src, uint16_t command, uint64_t offset, uint64_t len,
                         zx_port_packet_t* packet) {
  memset(packet, 0, sizeof(*packet));
  packet->key = src->key;
  packet->type = ZX_PKT_TYPE_PAGE_REQUEST;
  packet->status = ZX_OK;
  packet->page_request.command = command;
  packet->page_request.flags = 0;
  packet->page_request.offset = offset;
  packet->page_request.length = len;
}

// Sends the packet of the new request |r|: withdrawable when the source has queue/withdraw
// callbacks (the token stays in |r| until it is freed), else fire and forget.
static void send_request_packet_locked(struct page_source* src, int command,
                                       struct page_source_request* r) REQUIRES(&src->lock) {
  source_assert_held(src);
  zx_port_packet_t packet;
  build_packet(src, kPacketCommand[command], r->offset, r->len, &packet);
  src->stats.packets[command]++;
  __atomic_add_fetch(&g_requests_sent, 1, __ATOMIC_RELAXED);
  if (src->queue_packet != NULL) {
    r->packet = src->queue_packet(src->send_ctx, &packet);
  } else {
    src->send_packet(src->send_ctx, &packet);
  }
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

// |offset| + |len| clipped to the top page boundary of the 64-bit space.
static uint64_t range_end(uint64_t offset, uint64_t len) {
  uint64_t end;
  if (!add_u64(offset, len, &end)) end = UINT64_MAX & ~(uint64_t)PAGE_MASK;
  return end;
}

// Bytes of a new request at |offset|: |run_len| (at least a page) clipped before the first page
// already pending in another request of |command| (|offset| itself is not pending anywhere).
static uint64_t new_request_len_locked(struct page_source* src, int command, uint64_t offset,
                                       uint64_t run_len) REQUIRES(&src->lock) {
  uint64_t end = range_end(offset, max_u64(ROUNDDOWN_PAGE(run_len), PAGE_SIZE));
  list_for_every(&src->requests[command], n) {
    struct page_source_request* r = list_entry(n, struct page_source_request, node);
    if (r->offset >= end) break;
    uint32_t i = interval_after(r, offset);
    // The interval cannot hold |offset|: it starts after it.
    if (i < r->pending_count && r->pending[i].start < end) end = r->pending[i].start;
  }
  return end - offset;
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

// A request for [offset, offset + len) with everything pending, not listed; NULL without memory.
static struct page_source_request* request_alloc(uint64_t offset, uint64_t len) {
  struct page_source_request* r = heap_alloc(sizeof(*r));
  if (r == NULL) return NULL;
  r->pending = heap_alloc(PENDING_INITIAL_CAP * sizeof(r->pending[0]));
  if (r->pending == NULL) {
    heap_free(r);
    return NULL;
  }
  r->offset = offset;
  r->len = len;
  r->pending[0] = (struct page_source_interval){offset, offset + len};
  r->pending_count = 1;
  r->pending_cap = PENDING_INITIAL_CAP;
  list_initialize(&r->waiters);
  r->packet = NULL;
  return r;
}

// Unlists and frees |r| (no pending page, no waiter), withdrawing its packet if the pager has not
// read it yet.
static void request_free_locked(struct page_source* src, int command, struct page_source_request* r)
    REQUIRES(&src->lock) {
  ZX_ASSERT(list_is_empty(&r->waiters));
  list_delete(&r->node);
  src->stats.outstanding[command]--;
  if (r->packet != NULL) {
    if (src->withdraw_packet(src->send_ctx, r->packet)) src->stats.withdrawn++;
  }
  heap_free(r->pending);
  heap_free(r);
}

zx_status_t page_source_request_page(struct page_source* src, enum page_source_command command,
                                     uint64_t offset, uint64_t run_len,
                                     struct multi_page_request* req) {
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(offset) && command < PAGE_SOURCE_COMMAND_COUNT_);
  struct page_source_waiter* w = heap_alloc(sizeof(*w));
  if (w == NULL) return ZX_ERR_NO_MEMORY;
  // Read by its owner thread only (page_request.h), which is this one.
  bool early_wake = req->early_wake;
  struct page_source_request* fresh = NULL;
  zx_status_t status = ZX_ERR_SHOULD_WAIT;
  mutex_lock(&src->lock);
  if (src->detached) {
    status = ZX_ERR_BAD_STATE;
    goto out_unlock;
  }
  struct page_source_request* r = find_pending_locked(src, command, offset);
  if (r == NULL) {
    fresh = request_alloc(offset, new_request_len_locked(src, command, offset, run_len));
    if (fresh == NULL) {
      status = ZX_ERR_NO_MEMORY;
      goto out_unlock;
    }
    r = fresh;
    insert_request_locked(src, command, r);
  }
  w->req = req;
  w->offset = offset;
  w->end = early_wake ? offset + PAGE_SIZE
                      : min_u64(range_end(offset, max_u64(ROUNDDOWN_PAGE(run_len), PAGE_SIZE)),
                                request_end(r));
  w->status = ZX_OK;
  w->early_wake = early_wake;
  list_add_tail(&r->waiters, &w->node);
  w = NULL;
  src->stats.waits++;
  multi_page_request_arm(req, src, offset, PAGE_SIZE);
  if (fresh != NULL) send_request_packet_locked(src, command, r);
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

// Makes room for one more pending interval in |r|. False without memory.
static bool request_grow_locked(struct page_source* src, struct page_source_request* r)
    REQUIRES(&src->lock) {
  if (r->pending_count < r->pending_cap) return true;
  uint32_t cap = r->pending_cap * 2;
  struct page_source_interval* grown = heap_alloc(cap * sizeof(grown[0]));
  if (grown == NULL) return false;
  memcpy(grown, r->pending, r->pending_count * sizeof(grown[0]));
  heap_free(r->pending);
  r->pending = grown;
  r->pending_cap = cap;
  return true;
}

// Removes [lo, hi) from the pending set of |r|. If an interval strictly containing it cannot be
// split for lack of memory, its part after |hi| is removed too, and reported in [*extra_lo,
// *extra_hi) (empty otherwise): those pages count as resolved without status.
static void request_remove_locked(struct page_source* src, struct page_source_request* r,
                                  uint64_t lo, uint64_t hi, uint64_t* extra_lo, uint64_t* extra_hi)
    REQUIRES(&src->lock) {
  *extra_lo = *extra_hi = hi;
  uint32_t i = interval_after(r, lo);
  if (i == r->pending_count || r->pending[i].start >= hi) return;
  struct page_source_interval* iv = &r->pending[i];
  if (iv->start < lo && iv->end > hi) {
    if (request_grow_locked(src, r)) {
      iv = &r->pending[i];  // the array may have moved
      memmove(&r->pending[i + 2], &r->pending[i + 1],
              (r->pending_count - i - 1) * sizeof(r->pending[0]));
      r->pending[i + 1] = (struct page_source_interval){hi, iv->end};
      r->pending_count++;
    } else {
      *extra_hi = iv->end;
    }
    iv->end = lo;
    return;
  }
  // Trim the first interval's tail, drop the ones inside, trim the last one's head.
  uint32_t first_dropped = i;
  if (iv->start < lo) {
    iv->end = lo;
    first_dropped = i + 1;
  }
  uint32_t j = first_dropped;
  while (j < r->pending_count && r->pending[j].end <= hi) j++;
  if (j < r->pending_count && r->pending[j].start < hi) r->pending[j].start = hi;
  memmove(&r->pending[first_dropped], &r->pending[j],
          (r->pending_count - j) * sizeof(r->pending[0]));
  r->pending_count -= j - first_dropped;
}

// After [lo, hi) of |r| was resolved with |status| (and [extra_lo, extra_hi) with ZX_OK): records
// the status of the waiters whose first page it holds, wakes those with nothing left pending, and
// frees |r| once nothing of it is pending.
static void wake_waiters_locked(struct page_source* src, int command, struct page_source_request* r,
                                uint64_t lo, uint64_t hi, uint64_t extra_lo, uint64_t extra_hi,
                                zx_status_t status) REQUIRES(&src->lock) {
  list_for_every_safe(&r->waiters, wn, tmp) {
    struct page_source_waiter* w = list_entry(wn, struct page_source_waiter, node);
    bool in_range = w->offset < hi && w->end > lo;
    bool in_extra = w->offset < extra_hi && w->end > extra_lo;
    if (!in_range && !in_extra) continue;
    if (w->offset >= lo && w->offset < hi) w->status = status;
    if (request_any_pending(r, w->offset, w->end)) continue;
    list_delete(&w->node);
    multi_page_request_complete(w->req, w->status);
    heap_free(w);
  }
  if (r->pending_count == 0) request_free_locked(src, command, r);
}

// Resolves [offset, end) of every request of |command|, waking the affected waiters with |status|
// (see wake_waiters_locked).
static void resolve_range_locked(struct page_source* src, int command, uint64_t offset,
                                 uint64_t end, zx_status_t status) REQUIRES(&src->lock) {
  list_for_every_safe(&src->requests[command], n, tmp) {
    struct page_source_request* r = list_entry(n, struct page_source_request, node);
    if (r->offset >= end) break;
    if (request_end(r) <= offset) continue;
    uint64_t lo = max_u64(r->offset, offset), hi = min_u64(request_end(r), end);
    if (!request_any_pending(r, lo, hi)) continue;
    uint64_t extra_lo, extra_hi;
    request_remove_locked(src, r, lo, hi, &extra_lo, &extra_hi);
    wake_waiters_locked(src, command, r, lo, hi, extra_lo, extra_hi, status);
  }
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
    // Every waiter fails, whatever its first page became.
    for (int c = 0; c < PAGE_SOURCE_COMMAND_COUNT_; c++) {
      struct list_node* n;
      while ((n = list_peek_head(&src->requests[c])) != NULL) {
        struct page_source_request* r = list_entry(n, struct page_source_request, node);
        struct list_node* wn;
        while ((wn = list_remove_head(&r->waiters)) != NULL) {
          struct page_source_waiter* w = list_entry(wn, struct page_source_waiter, node);
          multi_page_request_complete(w->req, ZX_ERR_BAD_STATE);
          heap_free(w);
        }
        request_free_locked(src, c, r);
      }
    }
    if (send_complete) {
      src->stats.complete_packets++;
      zx_port_packet_t packet;
      build_packet(src, ZX_PAGER_VMO_COMPLETE, 0, 0, &packet);
      src->send_packet(src->send_ctx, &packet);
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
  ZX_ASSERT_MSG(IS_PAGE_ALIGNED(r->offset) && IS_PAGE_ALIGNED(r->len) && r->len > 0 &&
                    request_end(r) > r->offset,
                "request [%#lx, +%#lx)", (unsigned long)r->offset, (unsigned long)r->len);
  ZX_ASSERT_MSG(r->pending_count >= 1 && r->pending_count <= r->pending_cap,
                "request %#lx: %u pending intervals, room for %u", (unsigned long)r->offset,
                r->pending_count, r->pending_cap);
  uint64_t prev_end = r->offset;
  for (uint32_t i = 0; i < r->pending_count; i++) {
    const struct page_source_interval* iv = &r->pending[i];
    ZX_ASSERT_MSG(IS_PAGE_ALIGNED(iv->start) && IS_PAGE_ALIGNED(iv->end) && iv->start < iv->end &&
                      iv->start >= prev_end && (i == 0 || iv->start > prev_end) &&
                      iv->end <= request_end(r),
                  "request [%#lx, %#lx): pending interval %u [%#lx, %#lx) after %#lx",
                  (unsigned long)r->offset, (unsigned long)request_end(r), i,
                  (unsigned long)iv->start, (unsigned long)iv->end, (unsigned long)prev_end);
    prev_end = iv->end;
  }
  list_for_every(&r->waiters, wn) {
    struct page_source_waiter* w = list_entry(wn, struct page_source_waiter, node);
    ZX_ASSERT_MSG(IS_PAGE_ALIGNED(w->offset) && IS_PAGE_ALIGNED(w->end) && w->offset < w->end &&
                      w->offset >= r->offset && w->end <= request_end(r),
                  "waiter [%#lx, %#lx) outside request [%#lx, %#lx)", (unsigned long)w->offset,
                  (unsigned long)w->end, (unsigned long)r->offset, (unsigned long)request_end(r));
    ZX_ASSERT_MSG(!w->early_wake || w->end == w->offset + PAGE_SIZE,
                  "early-wake waiter [%#lx, %#lx) wider than a page", (unsigned long)w->offset,
                  (unsigned long)w->end);
    ZX_ASSERT_MSG(request_any_pending(r, w->offset, w->end),
                  "waiter [%#lx, %#lx) has nothing pending in [%#lx, %#lx)",
                  (unsigned long)w->offset, (unsigned long)w->end, (unsigned long)r->offset,
                  (unsigned long)request_end(r));
  }
}

// No page pending in both |a| and |b|.
static void check_disjoint_locked(struct page_source* src, const struct page_source_request* a,
                                  const struct page_source_request* b) REQUIRES(&src->lock) {
  for (uint32_t i = 0; i < a->pending_count; i++) {
    ZX_ASSERT_MSG(!request_any_pending(b, a->pending[i].start, a->pending[i].end),
                  "pages of [%#lx, %#lx) pending in requests at %#lx and %#lx",
                  (unsigned long)a->pending[i].start, (unsigned long)a->pending[i].end,
                  (unsigned long)a->offset, (unsigned long)b->offset);
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
      // Compare with every later request that starts before this one ends (lists are short).
      for (struct list_node* m = n->next; m != &src->requests[c]; m = m->next) {
        struct page_source_request* o = list_entry(m, struct page_source_request, node);
        if (o->offset >= request_end(r)) break;
        check_disjoint_locked(src, o, r);
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
