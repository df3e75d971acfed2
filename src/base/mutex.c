// Mutex wrapper with owner tracking and the lock-order checker (debug builds).
//
// Each thread keeps a small stack of the locks it holds with their effective rank (class rank
// plus nesting subclass). Acquiring a lock whose effective rank is not strictly greater than the
// highest rank held is an inversion: the checker panics naming both lock classes. Releasing out
// of order is allowed (the entry is removed wherever it sits). In release builds only the raw
// lock operations remain.
#include "base/mutex.h"

#define LOCK_STACK_MAX 32

struct held_lock {
  const struct mutex* m;
  uint32_t rank;
};

static _Thread_local struct held_lock held[LOCK_STACK_MAX];
static _Thread_local uint32_t held_count;

static void lock_order_acquire(struct mutex* m, uint32_t rank) {
  for (uint32_t i = 0; i < held_count; i++) {
    if (held[i].m == m) {
      ZX_PANIC("recursive acquire of lock %p (class %s)", (void*)m, m->cls->name);
    }
    if (held[i].rank >= rank) {
      ZX_PANIC("lock order inversion: acquiring %s (rank %u) while holding %s (rank %u)",
               m->cls->name, rank, held[i].m->cls->name, held[i].rank);
    }
  }
  ZX_ASSERT_MSG(held_count < LOCK_STACK_MAX, "too many locks held (%u)", held_count);
  held[held_count].m = m;
  held[held_count].rank = rank;
  held_count++;
}

static void lock_order_release(struct mutex* m) {
  for (uint32_t i = held_count; i-- > 0;) {
    if (held[i].m == m) {
      for (uint32_t j = i; j + 1 < held_count; j++) held[j] = held[j + 1];
      held_count--;
      return;
    }
  }
  ZX_PANIC("releasing lock %p (class %s) not held by this thread", (void*)m, m->cls->name);
}

void mutex_init(struct mutex* m, const struct lock_class* cls) {
  platform_mutex_init(&m->raw);
  m->cls = cls;
  __atomic_store_n(&m->owner, 0, __ATOMIC_RELAXED);
}

void mutex_destroy(struct mutex* m) {
  ZX_DEBUG_ASSERT_MSG(m->owner == 0, "destroying held lock %s", m->cls->name);
  platform_mutex_destroy(&m->raw);
}

static void mutex_lock_rank(struct mutex* m, uint32_t rank) NO_THREAD_SAFETY_ANALYSIS {
  // The analysis is done by the public wrappers' annotations; this helper is the body.
  if (ZXVM_DEBUG_ENABLED) lock_order_acquire(m, rank);
  platform_mutex_lock(&m->raw);
  if (ZXVM_DEBUG_ENABLED) __atomic_store_n(&m->owner, platform_thread_id(), __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex* m) NO_THREAD_SAFETY_ANALYSIS {
  // Body of the annotated primitive itself.
  mutex_lock_rank(m, m->cls->rank);
}

void mutex_lock_nested(struct mutex* m, uint32_t subclass) NO_THREAD_SAFETY_ANALYSIS {
  // Body of the annotated primitive itself.
  mutex_lock_rank(m, m->cls->rank + subclass);
}

bool mutex_trylock(struct mutex* m) NO_THREAD_SAFETY_ANALYSIS {
  // A trylock cannot deadlock, so it is exempt from the order check but still recorded.
  if (!platform_mutex_trylock(&m->raw)) return false;
  if (ZXVM_DEBUG_ENABLED) {
    ZX_ASSERT(held_count < LOCK_STACK_MAX);
    held[held_count].m = m;
    held[held_count].rank = m->cls->rank;
    held_count++;
    __atomic_store_n(&m->owner, platform_thread_id(), __ATOMIC_RELAXED);
  }
  return true;
}

void mutex_unlock(struct mutex* m) NO_THREAD_SAFETY_ANALYSIS {
  // Body of the annotated primitive itself.
  if (ZXVM_DEBUG_ENABLED) {
    ZX_ASSERT_MSG(m->owner == platform_thread_id(), "unlock of %s by non-owner", m->cls->name);
    __atomic_store_n(&m->owner, 0, __ATOMIC_RELAXED);
    lock_order_release(m);
  }
  platform_mutex_unlock(&m->raw);
}

bool mutex_held(const struct mutex* m) {
  if (!ZXVM_DEBUG_ENABLED) return true;
  return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == platform_thread_id();
}

void mutex_assert_held(const struct mutex* m) {
  if (ZXVM_DEBUG_ENABLED) ZX_ASSERT_MSG(mutex_held(m), "lock %s not held", m->cls->name);
}

void cond_init(struct cond* c) { platform_cond_init(&c->raw); }
void cond_destroy(struct cond* c) { platform_cond_destroy(&c->raw); }

void cond_wait(struct cond* c, struct mutex* m) { (void)cond_wait_deadline(c, m, INT64_MAX); }

bool cond_wait_deadline(struct cond* c, struct mutex* m, int64_t deadline_ns) {
  // The waiting thread gives up ownership while blocked; restore it on wake-up.
  if (ZXVM_DEBUG_ENABLED) __atomic_store_n(&m->owner, 0, __ATOMIC_RELAXED);
  bool ok = platform_cond_timedwait(&c->raw, &m->raw, deadline_ns);
  if (ZXVM_DEBUG_ENABLED) __atomic_store_n(&m->owner, platform_thread_id(), __ATOMIC_RELAXED);
  return ok;
}

void cond_broadcast(struct cond* c) { platform_cond_broadcast(&c->raw); }
void cond_signal(struct cond* c) { platform_cond_signal(&c->raw); }
