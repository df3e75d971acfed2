// The lock wrapper every zxvm lock uses. In debug builds a mutex records its owner, so
// mutex_assert_held really checks, and a lock-order checker (lock_order.c) ranks lock classes:
// acquiring a lock whose class rank is not strictly greater than every lock the thread already
// holds panics at the first inversion, naming both classes. The global order is in
// docs/locking.md: handle table (5) -> region (10) -> aspace (20) -> VMO hierarchy (30) -> pager
// (35) -> arch page tables (38) -> pmm (40) -> leaf locks (50).
#ifndef ZXVM_BASE_MUTEX_H_
#define ZXVM_BASE_MUTEX_H_

#include "base/assert.h"
#include "base/platform.h"
#include "base/thread_annotations.h"

// A class of locks sharing a rank in the global order. Declared once, static, per kind of lock.
struct lock_class {
  const char* name;
  uint32_t rank;
};

#define LOCK_RANK_HANDLE_TABLE 5u
#define LOCK_RANK_REGION 10u
#define LOCK_RANK_ASPACE 20u
#define LOCK_RANK_VMO 30u
#define LOCK_RANK_PAGER 35u
#define LOCK_RANK_ARCH 38u
#define LOCK_RANK_PMM 40u
#define LOCK_RANK_LEAF 50u

struct CAPABILITY("mutex") mutex {
  struct platform_mutex raw;
  const struct lock_class* cls;  // (c)
  uint64_t owner;                // thread id of the holder, 0 when free (debug bookkeeping)
};

void mutex_init(struct mutex* m, const struct lock_class* cls);
void mutex_destroy(struct mutex* m);
void mutex_lock(struct mutex* m) ACQUIRE(m);
// Same as mutex_lock, for a lock nested inside another of the same class (e.g. a VMO hierarchy
// lock taken while walking a clone chain): |subclass| > 0 raises the effective rank, so the
// checker still sees a strict order.
void mutex_lock_nested(struct mutex* m, uint32_t subclass) ACQUIRE(m);
bool mutex_trylock(struct mutex* m) TRY_ACQUIRE(true, m);
void mutex_unlock(struct mutex* m) RELEASE(m);
// Panics unless the calling thread holds |m| (debug builds; no-op otherwise).
void mutex_assert_held(const struct mutex* m) ASSERT_CAPABILITY(m);
// True when the calling thread holds |m| (debug builds; always true otherwise).
bool mutex_held(const struct mutex* m);

// Condition variable paired with a struct mutex.
struct cond {
  struct platform_cond raw;
};
void cond_init(struct cond* c);
void cond_destroy(struct cond* c);
void cond_wait(struct cond* c, struct mutex* m) REQUIRES(m);
// Returns false on timeout; |deadline_ns| in platform_now_ns() time, INT64_MAX = forever.
bool cond_wait_deadline(struct cond* c, struct mutex* m, int64_t deadline_ns) REQUIRES(m);
void cond_broadcast(struct cond* c);
void cond_signal(struct cond* c);

#endif  // ZXVM_BASE_MUTEX_H_
