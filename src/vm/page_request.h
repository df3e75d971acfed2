// Page requests: how a fault (or a VMO read) that needs pages from a producer (a user pager)
// waits for them. The consumer owns a struct multi_page_request on its stack; a VMO that cannot
// supply a page arms it (vm_page_request_arm: which VMO range is wanted) and returns
// ZX_ERR_SHOULD_WAIT; the consumer drops every lock and calls multi_page_request_wait; the
// producer side (the pager, issue #4) resolves the request with multi_page_request_complete
// (ZX_OK: retry; an error: fail the access with it). Batching: one request covers a run of
// contiguous missing pages.
//
// Locking: the request's own leaf lock (rank LOCK_RANK_LEAF) guards its state; it is never held
// while calling out.
#ifndef ZXVM_VM_PAGE_REQUEST_H_
#define ZXVM_VM_PAGE_REQUEST_H_

#include "base/mutex.h"

enum page_request_state {
  PAGE_REQUEST_IDLE = 0,   // not armed
  PAGE_REQUEST_ARMED = 1,  // waiting for the producer
  PAGE_REQUEST_DONE = 2,   // completed with |result|
};

struct multi_page_request {
  struct mutex lock;
  struct cond cond;
  enum page_request_state state;  // (lock)
  zx_status_t result;             // (lock) valid in DONE
  void* source;                   // (lock) the producer's object (opaque here)
  uint64_t offset;                // (lock) first byte wanted
  uint64_t len;                   // (lock) bytes wanted (page multiple)
  // (consumer) Bytes, from the page being looked up, that the consumer's access still covers: a
  // producer that sends a new request batches at most this far (a fault: one page; a VMO read or
  // write: the rest of its range, as Zircon's MultiPageRequest). PAGE_SIZE after init; the
  // consumer sets it before each lookup that may ask for pages. Read only by the thread that owns
  // the request, under the VMO lock it holds while looking up.
  uint64_t access_len;
  // (consumer) Early wake (Zircon's PageRequest early_wake_): the consumer is woken as soon as the
  // page it asked for is resolved, and retries. Without it, it waits until every page of the run
  // it asked for (inside the request it joined) is resolved, and an error reaches it only when the
  // first page failed (page_source.h). true after init; the owner thread sets it before the
  // lookups, and it is read only by that thread.
  bool early_wake;
};

void multi_page_request_init(struct multi_page_request* r);
void multi_page_request_fini(struct multi_page_request* r);
// Marks |r| armed for [|offset|, |offset|+|len|) of |source|. Called by the VMO before returning
// ZX_ERR_SHOULD_WAIT.
void multi_page_request_arm(struct multi_page_request* r, void* source, uint64_t offset,
                            uint64_t len);
bool multi_page_request_is_armed(struct multi_page_request* r);
// Resolves an armed request (producer side): waiters wake up and get |status|.
void multi_page_request_complete(struct multi_page_request* r, zx_status_t status);
// Waits until the request is resolved or |deadline_ns| (platform time; INT64_MAX forever) passes.
// Returns the producer's status (ZX_OK: retry the access), ZX_ERR_TIMED_OUT, or ZX_ERR_BAD_STATE
// if the request was never armed. The request is idle again afterwards. No lock may be held.
zx_status_t multi_page_request_wait(struct multi_page_request* r, int64_t deadline_ns) WARN_UNUSED;

#endif  // ZXVM_VM_PAGE_REQUEST_H_
