// The producer side of a pager-backed VMO (Zircon's PageSource and PagerProxy in one object): one
// page source per pager-backed VMO root. It turns "this VMO lacks page N" into a page-request
// packet for the user pager, remembers which ranges have been asked for, and parks the threads that
// wait for those ranges until the pager answers (supply, DIRTY ack, FAIL) or goes away (detach).
//
// Requests. A request covers [offset, offset + len) for one command (READ or DIRTY), of any page
// multiple, and is sent exactly once. Its pending set (sorted intervals) says which of its pages
// are still unresolved. A consumer that needs page N:
//   - attaches to the outstanding request of the same command whose pending set holds N, or
//   - if none does, creates a request starting at N that extends over the whole run of pages the
//     caller says are missing (batching, Zircon's MultiPageRequest), clipped before the first page
//     already pending in another request of that command, and sends its packet.
// A waiter waits for a range that starts at its page: that page only when its consumer asked for
// early wake (multi_page_request.early_wake: it wakes, ZX_OK, and retries as soon as the page is
// resolved), else the rest of the run it asked for inside the request (Zircon's requests without
// early wake: it wakes once none of those pages is pending). It wakes with the error when its
// first page failed; a failure of its other pages counts as resolved (the consumer retries and
// asks for them again, as Zircon's waiter "forgets where the error was"); ZX_ERR_BAD_STATE on
// detach. A request whose pages are all resolved is freed. Requests are never retried by the
// source: a FAIL or a partial supply leaves the unresolved pages to later faults, which ask again.
//
// Packets are byte-exact zx_port_packet_t (zero padding, type ZX_PKT_TYPE_PAGE_REQUEST, status
// ZX_OK, the source's key). COMPLETE (offset 0, length 0) is sent once, after detach, unless the
// detach says the pager itself is gone, through |send_packet|. A request's packet goes through
// |queue_packet| when the source has one (page_source_set_withdrawable_packets): the packet stays
// the request's, and when the request ends (every page resolved or failed, or detach) before the
// pager has read it, |withdraw_packet| takes it back from the port, as Zircon's PagerProxy cancels
// a queued packet; the pager never sees a request that no longer needs an answer. Without those
// callbacks the packet goes through |send_packet| and stays queued.
//
// Locking: the pager lock (|lock|, rank LOCK_RANK_PAGER = 35) guards every (L) field. It is taken
// inside the VMO hierarchy lock (consumers arm requests from the fault path) and may be taken
// without it (the pager answering). Under it the source calls:
//   - send_packet(ctx, packet), queue_packet(ctx, packet), withdraw_packet(ctx, token): the callee
//     must not block for long, must not call back into the VM, and may take only locks ranked
//     above LOCK_RANK_PAGER (a port's own leaf lock). They are called with the pager lock held,
//     and often the VMO lock too.
//   - multi_page_request_arm / _complete, which take the request's leaf lock.
// Nothing else is called under it.
//
// Lifetime: reference counted. The VMO node holds one; a zx pager object or the evictor may hold
// more. The last release frees the source; every request must have been resolved or failed by
// then (detach does it).
#ifndef ZXVM_VM_PAGE_SOURCE_H_
#define ZXVM_VM_PAGE_SOURCE_H_

#include <stdatomic.h>
#include <zircon/syscalls/port.h>

#include "base/list.h"
#include "base/mutex.h"
#include "vm/page_request.h"

#define PAGE_SOURCE_MAGIC ZXVM_MAGIC('P', 'G', 'S', 'R')

// Largest request, in pages: no cap (the pending set is a list of intervals). A request covers the
// whole missing run the access needs, as Zircon's do; the VMO clips runs to this value.
#define PAGE_SOURCE_MAX_BATCH_PAGES (UINT64_MAX >> PAGE_SIZE_SHIFT)

// page_source_create flags.
#define PAGE_SOURCE_FLAG_TRAP_DIRTY (1u << 0)  // writes to clean pages need a DIRTY ack
#define PAGE_SOURCE_FLAGS_MASK PAGE_SOURCE_FLAG_TRAP_DIRTY

// Commands a request can carry: index into page_source.requests.
enum page_source_command {
  PAGE_SOURCE_READ = 0,
  PAGE_SOURCE_DIRTY = 1,
  PAGE_SOURCE_COMMAND_COUNT_,
};

// Delivers one packet to the pager. See "Locking" above for what it may do.
typedef void (*page_source_send_fn)(void* ctx, const zx_port_packet_t* packet);
// Called once with the send context when the source is freed. The last release often happens
// under a VMO lock (the VMO's root dying): the callee may only drop objects whose destruction
// takes leaf locks at most (a port).
typedef void (*page_source_release_fn)(void* ctx);
// Queues a request's packet so that it can be withdrawn: returns a token for withdraw_packet, or
// NULL if the packet could not be queued (it is lost, as a send_packet without memory loses it).
typedef void* (*page_source_queue_fn)(void* ctx, const zx_port_packet_t* packet);
// Takes the packet of |token| back from the port if the pager has not read it yet (returns true
// then) and frees the token. Called once per token.
typedef bool (*page_source_withdraw_fn)(void* ctx, void* token);

// Counters (L), for tests and dumps.
struct page_source_stats {
  uint64_t packets[PAGE_SOURCE_COMMAND_COUNT_];      // READ / DIRTY packets sent
  uint64_t complete_packets;                         // 0 or 1
  uint64_t waits;                                    // waiters parked (attached or new)
  uint64_t outstanding[PAGE_SOURCE_COMMAND_COUNT_];  // requests currently outstanding
  uint64_t withdrawn;  // packets taken back before the pager read them
};

// Legend: (c) const after create, (a) atomic, (L) the pager lock |lock|, (E) the evictor's
// registry lock (evictor.c), (O) the hierarchy lock of the VMO root that holds the source.
struct page_source {
  uint32_t magic;                      // (c) PAGE_SOURCE_MAGIC
  uint32_t flags;                      // (c) PAGE_SOURCE_FLAG_*
  _Atomic uint32_t refcount;           // (a)
  _Atomic bool modified;               // (a) written since the last stats reset (query_vmo_stats)
  uint64_t key;                        // (c) zx_port_packet_t.key
  page_source_send_fn send_packet;     // (c)
  void* send_ctx;                      // (c)
  page_source_release_fn release_ctx;  // (c) may be NULL
  page_source_queue_fn queue_packet;   // (c) may be NULL (then request packets use send_packet)
  page_source_withdraw_fn withdraw_packet;  // (c) set with queue_packet
  struct mutex lock;                        // the pager lock
  bool detached;                            // (L) no more requests; every wait fails with BAD_STATE
  struct list_node requests[PAGE_SOURCE_COMMAND_COUNT_];  // (L) page_source_request, by offset
  struct page_source_stats stats;                         // (L)
  // (O) The root's dirty zero intervals (vm_pager.h: struct vm_pager_zero_interval, by offset).
  // They belong to the root node, not to the pager protocol: kept here because a source exists
  // exactly for a pager-backed root. Freed when the root dies (vm_cow_pages_pager_destroy_locked).
  struct list_node zero_intervals;
  struct list_node evictor_node;  // (E) in the evictor's registry while registered
  void* evictor_owner;            // (E) the node whose pages the evictor may scan (see evictor.h)
};

// Creates a source with one reference. |flags|: PAGE_SOURCE_FLAG_*. |send_packet| must not be
// NULL. ZX_ERR_INVALID_ARGS (unknown flags, NULL callback), ZX_ERR_NO_MEMORY.
zx_status_t page_source_create(uint32_t flags, uint64_t key, page_source_send_fn send_packet,
                               void* send_ctx, struct page_source** out) WARN_UNUSED;
// Sets the callback that disposes of the send context with the source (before the source is
// shared with anyone).
void page_source_set_release_ctx(struct page_source* src, page_source_release_fn fn);
// Makes request packets withdrawable (see "Packets" above): |queue| and |withdraw| both set or
// both NULL, with the send context. Before the source is shared with anyone.
void page_source_set_withdrawable_packets(struct page_source* src, page_source_queue_fn queue,
                                          page_source_withdraw_fn withdraw);
void page_source_acquire(struct page_source* src);
// Drops a reference; the last frees the source. It must have no outstanding request (detach first).
void page_source_release(struct page_source* src);

// The send context of |src| if its packets go through |fn|, else NULL (how the zx layer recognises
// the sources it created).
static inline void* page_source_send_ctx_if(const struct page_source* src, page_source_send_fn fn) {
  return src->send_packet == fn ? src->send_ctx : NULL;
}

static inline bool page_source_trap_dirty(const struct page_source* src) {
  return (src->flags & PAGE_SOURCE_FLAG_TRAP_DIRTY) != 0;
}

// Consumer side, called by the VMO (VMO lock held by the caller; takes the pager lock).
//
// Asks for page |offset| (page aligned) with |command|: attaches |req| to the request already
// pending for that page, or sends a new request for [offset, offset + run_len) clipped as the file
// comment says (|run_len| >= PAGE_SIZE: the bytes from |offset| the caller found missing, for READ,
// or clean, for DIRTY). |req|->early_wake says what the waiter waits for (file comment). Returns
// ZX_ERR_SHOULD_WAIT with |req| armed (the caller drops every lock and waits on it, then retries);
// ZX_ERR_BAD_STATE once detached (|req| untouched); ZX_ERR_NO_MEMORY (|req| untouched, nothing
// sent).
zx_status_t page_source_request_page(struct page_source* src, enum page_source_command command,
                                     uint64_t offset, uint64_t run_len,
                                     struct multi_page_request* req) WARN_UNUSED;

// Removes |req| from the source if it still waits there (a consumer that gave up waiting, e.g. on
// a timeout, must call this before reusing or freeing |req|). Returns whether it was found.
bool page_source_cancel_wait(struct page_source* src, struct multi_page_request* req);

// Producer side (the pager answering; the VMO lock may or may not be held).
//
// Marks [offset, offset + len) (page aligned) resolved for |command|: READ after a supply, DIRTY
// after a ZX_PAGER_OP_DIRTY. Waiters for those pages wake with ZX_OK; emptied requests are freed.
void page_source_on_pages_resolved(struct page_source* src, enum page_source_command command,
                                   uint64_t offset, uint64_t len);
// Fails [offset, offset + len) for both commands: waiters for those pages wake with |error|.
// ZX_ERR_INVALID_ARGS if |error| is not one a pager may report (page_source_fail_status_valid).
zx_status_t page_source_on_pages_failed(struct page_source* src, uint64_t offset, uint64_t len,
                                        zx_status_t error) WARN_UNUSED;
// The statuses ZX_PAGER_OP_FAIL accepts: IO, IO_DATA_INTEGRITY, BAD_STATE, NO_SPACE,
// BUFFER_TOO_SMALL.
bool page_source_fail_status_valid(zx_status_t error);

// Detaches the source: every outstanding and future request fails with ZX_ERR_BAD_STATE. The first
// detach sends the COMPLETE packet when |send_complete| (false when the pager itself is gone).
// Returns ZX_ERR_BAD_STATE if already detached, else ZX_OK.
zx_status_t page_source_detach(struct page_source* src, bool send_complete);
bool page_source_is_detached(struct page_source* src);

// The "modified" statistic (zx_pager_query_vmo_stats): set by every write to the VMO.
static inline void page_source_mark_modified(struct page_source* src) {
  atomic_store_explicit(&src->modified, true, memory_order_relaxed);
}
// Returns the flag and, if |reset|, clears it.
bool page_source_query_modified(struct page_source* src, bool reset);

// A copy of the counters (takes the pager lock).
void page_source_get_stats(struct page_source* src, struct page_source_stats* out);

// Invariant check (takes the pager lock): requests sorted; each one's pending intervals sorted,
// non-empty, disjoint, non-adjacent and inside it; no page pending twice for one command; every
// waiter's range inside its request (one page with early wake) and not yet resolved; nothing
// outstanding once detached. Panics on violation.
void page_source_check(struct page_source* src);

// Page requests (READ and DIRTY packets) sent since the library started, all sources together.
uint64_t page_source_requests_sent(void);

#endif  // ZXVM_VM_PAGE_SOURCE_H_
