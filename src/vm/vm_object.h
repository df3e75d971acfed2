// The VMO base object (Zircon's VmObject): what every kind of VMO shares. It owns the reference
// count, the hierarchy lock pointer (the VMO lock), the tree of mappings that map the VMO, the
// cache policy, the name and the user id (koid) slot. Concrete kinds (vm_object_paged today,
// physical later) embed it first and supply a small ops table.
//
// Main invariant: the mapping tree holds exactly the mappings currently mapping this object, each
// once, ordered by {object_offset, node address}, each node's subtree_max_last_offset equal to the
// largest object_offset + size - 1 in its subtree. Mappings are raw (non-owning) pointers: a
// mapping removes itself, under the VMO lock, before it dies.
//
// Locking: the hierarchy lock (rank LOCK_RANK_VMO) guards every (O) field. One hierarchy lock is
// shared by every VMO (and every vm_cow_pages node) of a clone tree: a child joins its parent's.
#ifndef ZXVM_VM_VM_OBJECT_H_
#define ZXVM_VM_VM_OBJECT_H_

#include <stdatomic.h>

#include "base/assert.h"
#include "base/mutex.h"
#include "base/wavl.h"

// ---- hierarchy lock -----------------------------------------------------------------------------

// The lock shared by all VMOs of one clone hierarchy; reference counted by the VMOs using it.
// Legend: (c) const after create, (a) atomic.
struct vm_hierarchy_lock {
  uint32_t magic;             // (c) VM_HIERARCHY_LOCK_MAGIC
  _Atomic uint32_t refcount;  // (a)
  struct mutex lock;          // the VMO lock itself
};

// Creates a lock with one reference. ZX_ERR_NO_MEMORY.
zx_status_t vm_hierarchy_lock_create(struct vm_hierarchy_lock** out) WARN_UNUSED;
void vm_hierarchy_lock_acquire(struct vm_hierarchy_lock* h);
// Drops a reference; frees the lock with the last one (it must not be held).
void vm_hierarchy_lock_release(struct vm_hierarchy_lock* h);

// ---- mapping tree -------------------------------------------------------------------------------

// What a range change asks the mappings to do (Zircon's RangeChangeOp).
enum vm_range_change_op {
  RANGE_CHANGE_OP_UNMAP = 0,
  RANGE_CHANGE_OP_UNMAP_ZERO_PAGE = 1,
  RANGE_CHANGE_OP_UNMAP_AND_HARVEST = 2,
  RANGE_CHANGE_OP_REMOVE_WRITE = 3,
  RANGE_CHANGE_OP_DEBUG_UNPIN = 4,
};

// A mapping's node in its VMO's mapping tree, embedded in the mapping. Fields are (O): set by the
// mapping before vm_object_add_mapping_locked and unchanged while in the tree.
struct vm_object_mapping_node {
  struct wavl_node node;
  uint64_t object_offset;            // first VMO byte mapped
  uint64_t size;                     // bytes mapped, > 0; object_offset + size - 1 must not wrap
  uint64_t subtree_max_last_offset;  // maintained by the tree
  // Called under the VMO lock for each mapping intersecting a changed range; |offset|, |len| is
  // the whole changed range (the callee intersects it with its own). Must not add or remove
  // mappings of this VMO.
  void (*range_change)(struct vm_object_mapping_node* n, uint32_t op, uint64_t offset,
                       uint64_t len);
};

// ---- attribution (spec §6) ----------------------------------------------------------------------

// Bytes with a 63-bit fixed-point fractional part (fraction < 2^63 means < 1 byte).
struct fractional_bytes {
  uint64_t integral;
  uint64_t fraction;
};
#define FRACTIONAL_BYTES_ONE ((uint64_t)1 << 63)

struct vm_attribution_counts {
  uint64_t uncompressed_bytes;
  uint64_t compressed_bytes;
  uint64_t private_uncompressed_bytes;
  uint64_t private_compressed_bytes;
  struct fractional_bytes scaled_uncompressed_bytes;
  struct fractional_bytes scaled_compressed_bytes;
};

static inline struct fractional_bytes fractional_bytes_add(struct fractional_bytes a,
                                                           struct fractional_bytes b) {
  struct fractional_bytes r = {a.integral + b.integral, a.fraction + b.fraction};
  if (r.fraction >= FRACTIONAL_BYTES_ONE) {
    r.fraction -= FRACTIONAL_BYTES_ONE;
    r.integral++;
  }
  return r;
}
static inline bool fractional_bytes_equal(struct fractional_bytes a, struct fractional_bytes b) {
  return a.integral == b.integral && a.fraction == b.fraction;
}
static inline void vm_attribution_counts_add(struct vm_attribution_counts* acc,
                                             const struct vm_attribution_counts* b) {
  acc->uncompressed_bytes += b->uncompressed_bytes;
  acc->compressed_bytes += b->compressed_bytes;
  acc->private_uncompressed_bytes += b->private_uncompressed_bytes;
  acc->private_compressed_bytes += b->private_compressed_bytes;
  acc->scaled_uncompressed_bytes =
      fractional_bytes_add(acc->scaled_uncompressed_bytes, b->scaled_uncompressed_bytes);
  acc->scaled_compressed_bytes =
      fractional_bytes_add(acc->scaled_compressed_bytes, b->scaled_compressed_bytes);
}
static inline bool vm_attribution_counts_equal(const struct vm_attribution_counts* a,
                                               const struct vm_attribution_counts* b) {
  return a->uncompressed_bytes == b->uncompressed_bytes &&
         a->compressed_bytes == b->compressed_bytes &&
         a->private_uncompressed_bytes == b->private_uncompressed_bytes &&
         a->private_compressed_bytes == b->private_compressed_bytes &&
         fractional_bytes_equal(a->scaled_uncompressed_bytes, b->scaled_uncompressed_bytes) &&
         fractional_bytes_equal(a->scaled_compressed_bytes, b->scaled_compressed_bytes);
}
static inline uint64_t vm_attribution_counts_total_bytes(const struct vm_attribution_counts* a) {
  return a->uncompressed_bytes + a->compressed_bytes;
}
static inline uint64_t vm_attribution_counts_total_private_bytes(
    const struct vm_attribution_counts* a) {
  return a->private_uncompressed_bytes + a->private_compressed_bytes;
}
static inline struct fractional_bytes vm_attribution_counts_total_scaled_bytes(
    const struct vm_attribution_counts* a) {
  return fractional_bytes_add(a->scaled_uncompressed_bytes, a->scaled_compressed_bytes);
}

// ---- the object ---------------------------------------------------------------------------------

enum vm_object_type {
  VM_OBJECT_TYPE_PAGED = 1,
  VM_OBJECT_TYPE_PHYSICAL = 2,
};

#define VM_OBJECT_MAGIC ZXVM_MAGIC('V', 'M', 'O', '_')
#define VM_HIERARCHY_LOCK_MAGIC ZXVM_MAGIC('V', 'M', 'H', 'L')

struct vm_object;

// Per-kind behaviour. Called by vm_object.c only.
struct vm_object_ops {
  // Frees the concrete object (last reference gone; no lock held, no mapping left).
  void (*destroy)(struct vm_object* obj);
  // Attribution of the pages in [offset, offset+len) (clipped to the object), lock held.
  void (*attributed_memory_in_range_locked)(struct vm_object* obj, uint64_t offset, uint64_t len,
                                            struct vm_attribution_counts* out);
  // Bytes of committed pages, lock held (cache-policy rules).
  uint64_t (*committed_bytes_locked)(struct vm_object* obj);
};

// Legend: (c) const after create, (a) atomic, (O) hierarchy (VMO) lock.
struct vm_object {
  uint32_t magic;                       // (c) VM_OBJECT_MAGIC
  enum vm_object_type type;             // (c)
  const struct vm_object_ops* ops;      // (c)
  _Atomic uint64_t refcount;            // (a)
  struct vm_hierarchy_lock* hierarchy;  // (c) one reference held by the object
  struct wavl_tree mapping_tree;        // (O) of vm_object_mapping_node
  uint32_t cache_policy;                // (O) ZX_CACHE_POLICY_*
  char name[ZX_MAX_NAME_LEN];           // (O) always NUL-terminated
  _Atomic uint64_t user_id;             // (a) koid slot, set by the zx layer
};

// Initializes |obj| with one reference, taking over the caller's reference to |hierarchy|.
void vm_object_init(struct vm_object* obj, enum vm_object_type type,
                    const struct vm_object_ops* ops, struct vm_hierarchy_lock* hierarchy);
// Releases what vm_object_init set up (the hierarchy reference); for ops->destroy.
void vm_object_fini(struct vm_object* obj);

void vm_object_acquire(struct vm_object* obj);
// Takes a reference unless the object is already dying (refcount 0): false then.
bool vm_object_try_acquire(struct vm_object* obj) WARN_UNUSED;
// Drops a reference; the last one destroys the object (ops->destroy). No lock may be held.
void vm_object_release(struct vm_object* obj);

static inline struct mutex* vm_object_lock_ptr(struct vm_object* obj) {
  return &obj->hierarchy->lock;
}
void vm_object_lock(struct vm_object* obj) ACQUIRE(&obj->hierarchy->lock);
void vm_object_unlock(struct vm_object* obj) RELEASE(&obj->hierarchy->lock);
void vm_object_assert_held(const struct vm_object* obj) ASSERT_CAPABILITY(&obj->hierarchy->lock);

// Name: copies at most ZX_MAX_NAME_LEN - 1 bytes of |name| (stopping at a NUL within |len|) and
// NUL-terminates. Takes the lock.
void vm_object_set_name(struct vm_object* obj, const char* name, size_t len);
// Copies the NUL-terminated name into |out| (ZX_MAX_NAME_LEN bytes). Takes the lock.
void vm_object_get_name(struct vm_object* obj, char out[ZX_MAX_NAME_LEN]);

static inline uint64_t vm_object_user_id(const struct vm_object* obj) {
  return atomic_load_explicit(&obj->user_id, memory_order_relaxed);
}
static inline void vm_object_set_user_id(struct vm_object* obj, uint64_t id) {
  atomic_store_explicit(&obj->user_id, id, memory_order_relaxed);
}

// Cache policy. Set: ZX_ERR_INVALID_ARGS when |policy| > ZX_CACHE_POLICY_MASK; ZX_ERR_BAD_STATE
// when the object is mapped, or has committed pages while its current policy is not CACHED
// (committed pages may only leave CACHED). Takes the lock; the _locked form expects it held. A
// paged VMO adds the clone and pin rules (vm_object_paged_set_cache_policy).
zx_status_t vm_object_set_cache_policy(struct vm_object* obj, uint32_t policy) WARN_UNUSED;
zx_status_t vm_object_set_cache_policy_locked(struct vm_object* obj, uint32_t policy)
    REQUIRES(&obj->hierarchy->lock) WARN_UNUSED;
uint32_t vm_object_get_cache_policy(struct vm_object* obj);

// Mapping tree. |node| must not be in any tree; its object_offset/size/range_change are set.
void vm_object_add_mapping_locked(struct vm_object* obj, struct vm_object_mapping_node* node)
    REQUIRES(&obj->hierarchy->lock);
void vm_object_remove_mapping_locked(struct vm_object* obj, struct vm_object_mapping_node* node)
    REQUIRES(&obj->hierarchy->lock);
// Calls |fn(ctx, node)| for every mapping of |obj| in key order; |fn| returns ZX_ERR_NEXT to go
// on, ZX_ERR_STOP to end (→ ZX_OK), anything else ends the walk and is returned. |fn| must not add
// or remove mappings. VMO lock held.
typedef zx_status_t (*vm_object_mapping_fn)(void* ctx, struct vm_object_mapping_node* node);
zx_status_t vm_object_for_each_mapping_locked(struct vm_object* obj, vm_object_mapping_fn fn,
                                              void* ctx) REQUIRES(&obj->hierarchy->lock);
uint64_t vm_object_mapping_count_locked(const struct vm_object* obj)
    REQUIRES(&obj->hierarchy->lock);
// [*out_offset, *out_offset + *out_len) = from the lowest mapped offset to the highest mapped
// byte. False (outputs untouched) when there are no mappings.
bool vm_object_get_maximal_mapped_range_locked(const struct vm_object* obj, uint64_t* out_offset,
                                               uint64_t* out_len) REQUIRES(&obj->hierarchy->lock);
// Calls node->range_change(node, op, offset, len) on exactly the mappings whose
// [object_offset, object_offset + size) intersects [offset, offset + len), in key order. O(log n +
// k). |len| == 0 visits nothing; a range running past 2^64 is clipped.
void vm_object_range_change_update_locked(struct vm_object* obj, uint64_t offset, uint64_t len,
                                          enum vm_range_change_op op)
    REQUIRES(&obj->hierarchy->lock);

// Attribution of the pages intersecting [offset, offset + len) (clipped to the object). Takes the
// lock.
struct vm_attribution_counts vm_object_get_attributed_memory_in_range(struct vm_object* obj,
                                                                      uint64_t offset,
                                                                      uint64_t len);
struct vm_attribution_counts vm_object_get_attributed_memory(struct vm_object* obj);

// Checks the base object's invariants: magic, mapping tree (wavl_check incl. augmentation, node
// ranges), name termination. Panics on violation.
void vm_object_check_locked(const struct vm_object* obj) REQUIRES(&obj->hierarchy->lock);

#endif  // ZXVM_VM_VM_OBJECT_H_
