// The global handle table (see handle_table.h): a growable array of slots, a FIFO queue of free
// slots threaded through them, and one mutex.
#include "zx/handle_table.h"

#include <string.h>

#include "base/mutex.h"
#include "zx/object.h"

#define HANDLE_INDEX_SHIFT 2u
#define HANDLE_INDEX_MASK ((1u << HANDLE_INDEX_BITS) - 1u)
#define HANDLE_GEN_SHIFT (HANDLE_INDEX_SHIFT + HANDLE_INDEX_BITS)
#define HANDLE_GEN_MASK ((1u << HANDLE_GEN_BITS) - 1u)
#define HANDLE_NO_SLOT UINT32_MAX
#define HANDLE_TABLE_INITIAL_SLOTS 64u

_Static_assert(HANDLE_GEN_SHIFT + HANDLE_GEN_BITS == 32, "handle bits must fill 32 bits");
_Static_assert(ZX_HANDLE_FIXED_BITS_MASK == 0x3, "fixed bits are the low two");

// Legend: (T) the table lock.
struct handle_slot {
  struct dispatcher* obj;  // (T) NULL when free
  zx_rights_t rights;      // (T)
  uint32_t gen;            // (T) generation of the current (or next) handle in this slot
  uint32_t next_free;      // (T) free queue link, HANDLE_NO_SLOT at the tail
};

static const struct lock_class handle_table_lock_class = {"handle_table", LOCK_RANK_HANDLE_TABLE};

struct handle_table {
  _Atomic bool initialized;
  struct mutex lock;
  struct handle_slot* slots;  // (T)
  uint32_t capacity;          // (T)
  uint32_t live;              // (T)
  uint32_t free_head;         // (T) oldest free slot
  uint32_t free_tail;         // (T)
};

static struct handle_table table;

// The table is initialized by the library's once-init (kernel_ensure_init) before any handle is
// made; this is a second guard for direct users (tests of this file).
static void table_init_once(void) {
  if (atomic_load_explicit(&table.initialized, memory_order_acquire)) return;
  static _Atomic int state = 0;  // 0 none, 1 running, 2 done
  int expected = 0;
  if (atomic_compare_exchange_strong(&state, &expected, 1)) {
    mutex_init(&table.lock, &handle_table_lock_class);
    table.free_head = table.free_tail = HANDLE_NO_SLOT;
    atomic_store_explicit(&table.initialized, true, memory_order_release);
    atomic_store(&state, 2);
    return;
  }
  while (atomic_load(&state) != 2) platform_yield();
}

static inline zx_handle_t handle_make(uint32_t index, uint32_t gen) {
  return ((gen & HANDLE_GEN_MASK) << HANDLE_GEN_SHIFT) | (index << HANDLE_INDEX_SHIFT) |
         ZX_HANDLE_FIXED_BITS_MASK;
}

// The live slot |handle| names, or NULL.
static struct handle_slot* slot_lookup_locked(zx_handle_t handle) REQUIRES(&table.lock) {
  if ((handle & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK) return NULL;
  uint32_t index = (handle >> HANDLE_INDEX_SHIFT) & HANDLE_INDEX_MASK;
  uint32_t gen = (handle >> HANDLE_GEN_SHIFT) & HANDLE_GEN_MASK;
  if (index >= table.capacity) return NULL;
  struct handle_slot* slot = &table.slots[index];
  if (slot->obj == NULL || slot->gen != gen) return NULL;
  return slot;
}

static void free_queue_push_locked(uint32_t index) REQUIRES(&table.lock) {
  table.slots[index].next_free = HANDLE_NO_SLOT;
  if (table.free_tail == HANDLE_NO_SLOT) {
    table.free_head = index;
  } else {
    table.slots[table.free_tail].next_free = index;
  }
  table.free_tail = index;
}

// Doubles the slot array, queueing the new slots. ZX_ERR_NO_RESOURCES at the index limit.
static zx_status_t table_grow_locked(void) REQUIRES(&table.lock) {
  if (table.capacity >= HANDLE_TABLE_MAX_HANDLES) return ZX_ERR_NO_RESOURCES;
  uint32_t new_capacity = table.capacity ? table.capacity * 2 : HANDLE_TABLE_INITIAL_SLOTS;
  if (new_capacity > HANDLE_TABLE_MAX_HANDLES) new_capacity = HANDLE_TABLE_MAX_HANDLES;
  struct handle_slot* slots = heap_calloc(new_capacity, sizeof(*slots));
  if (slots == NULL) return ZX_ERR_NO_MEMORY;
  if (table.slots != NULL) memcpy(slots, table.slots, table.capacity * sizeof(*slots));
  heap_free(table.slots);
  table.slots = slots;
  uint32_t old = table.capacity;
  table.capacity = new_capacity;
  // Generations start at 1 so that no handle value is the same across slots and small values.
  for (uint32_t i = old; i < new_capacity; i++) {
    table.slots[i].gen = 1;
    free_queue_push_locked(i);
  }
  return ZX_OK;
}

// Installs |obj| (whose reference the slot takes over) in a free slot.
static zx_status_t slot_alloc_locked(struct dispatcher* obj, zx_rights_t rights, zx_handle_t* out)
    REQUIRES(&table.lock) {
  if (table.free_head == HANDLE_NO_SLOT) {
    zx_status_t status = table_grow_locked();
    if (status != ZX_OK) return status;
  }
  uint32_t index = table.free_head;
  struct handle_slot* slot = &table.slots[index];
  table.free_head = slot->next_free;
  if (table.free_head == HANDLE_NO_SLOT) table.free_tail = HANDLE_NO_SLOT;
  slot->next_free = HANDLE_NO_SLOT;
  slot->obj = obj;
  slot->rights = rights;
  table.live++;
  *out = handle_make(index, slot->gen);
  return ZX_OK;
}

// Frees |slot|, returning the object whose reference it held.
static struct dispatcher* slot_free_locked(struct handle_slot* slot) REQUIRES(&table.lock) {
  struct dispatcher* obj = slot->obj;
  uint32_t index = (uint32_t)(slot - table.slots);
  slot->obj = NULL;
  slot->rights = 0;
  slot->gen = (slot->gen + 1) & HANDLE_GEN_MASK;
  if (slot->gen == 0) slot->gen = 1;
  table.live--;
  free_queue_push_locked(index);
  return obj;
}

zx_status_t handle_table_add(struct dispatcher* obj, zx_rights_t rights, zx_handle_t* out) {
  table_init_once();
  dispatcher_acquire(obj);
  mutex_lock(&table.lock);
  zx_status_t status = slot_alloc_locked(obj, rights, out);
  mutex_unlock(&table.lock);
  if (status != ZX_OK) dispatcher_release(obj);
  return status;
}

zx_status_t handle_table_get(zx_handle_t handle, struct dispatcher** out_obj,
                             zx_rights_t* out_rights) {
  table_init_once();
  mutex_lock(&table.lock);
  struct handle_slot* slot = slot_lookup_locked(handle);
  if (slot == NULL) {
    mutex_unlock(&table.lock);
    return ZX_ERR_BAD_HANDLE;
  }
  struct dispatcher* obj = slot->obj;
  zx_rights_t rights = slot->rights;
  dispatcher_acquire(obj);
  mutex_unlock(&table.lock);
  *out_obj = obj;
  if (out_rights != NULL) *out_rights = rights;
  return ZX_OK;
}

zx_status_t handle_table_remove(zx_handle_t handle, struct dispatcher** out_obj) {
  table_init_once();
  mutex_lock(&table.lock);
  struct handle_slot* slot = slot_lookup_locked(handle);
  if (slot == NULL) {
    mutex_unlock(&table.lock);
    return ZX_ERR_BAD_HANDLE;
  }
  *out_obj = slot_free_locked(slot);
  mutex_unlock(&table.lock);
  return ZX_OK;
}

zx_status_t handle_table_duplicate(zx_handle_t handle, zx_rights_t rights, bool consume,
                                   zx_handle_t* out, struct dispatcher** out_consumed) {
  table_init_once();
  if (out_consumed != NULL) *out_consumed = NULL;
  mutex_lock(&table.lock);
  struct handle_slot* slot = slot_lookup_locked(handle);
  if (slot == NULL) {
    mutex_unlock(&table.lock);
    return ZX_ERR_BAD_HANDLE;
  }
  struct dispatcher* obj = slot->obj;
  if (consume) {
    // The removed slot's reference goes to the caller; the new slot takes another.
    *out_consumed = slot_free_locked(slot);
  }
  dispatcher_acquire(obj);
  zx_status_t status = slot_alloc_locked(obj, rights, out);
  mutex_unlock(&table.lock);
  if (status != ZX_OK) dispatcher_release(obj);
  return status;
}

void handle_table_for_each(handle_table_visit_fn fn, void* ctx) {
  table_init_once();
  mutex_lock(&table.lock);
  for (uint32_t i = 0; i < table.capacity; i++) {
    if (table.slots[i].obj != NULL) fn(ctx, table.slots[i].obj, table.slots[i].rights);
  }
  mutex_unlock(&table.lock);
}

size_t handle_table_count(void) {
  table_init_once();
  mutex_lock(&table.lock);
  size_t live = table.live;
  mutex_unlock(&table.lock);
  return live;
}

void handle_table_check(void) {
  table_init_once();
  mutex_lock(&table.lock);
  uint32_t live = 0;
  for (uint32_t i = 0; i < table.capacity; i++) {
    const struct handle_slot* slot = &table.slots[i];
    ZX_ASSERT_MSG(slot->gen != 0 && slot->gen <= HANDLE_GEN_MASK, "slot %u gen %u", i, slot->gen);
    if (slot->obj == NULL) continue;
    live++;
    ZX_ASSERT_MSG(slot->obj->magic == DISPATCHER_MAGIC, "slot %u bad object", i);
    ZX_ASSERT_MSG(atomic_load(&slot->obj->refcount) > 0, "slot %u object without references", i);
  }
  ZX_ASSERT_MSG(live == table.live, "live %u counted %u", table.live, live);
  uint32_t free_count = 0;
  for (uint32_t i = table.free_head; i != HANDLE_NO_SLOT; i = table.slots[i].next_free) {
    ZX_ASSERT_MSG(table.slots[i].obj == NULL, "live slot %u on the free queue", i);
    ZX_ASSERT_MSG(++free_count <= table.capacity, "free queue cycles");
  }
  ZX_ASSERT_MSG(free_count + live == table.capacity, "free %u + live %u != capacity %u", free_count,
                live, table.capacity);
  mutex_unlock(&table.lock);
}
