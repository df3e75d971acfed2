// Per-mapping protection runs (Zircon's MappingProtectionRanges). A mapping covers
// [base, base + size); this object splits that range into maximal runs of equal arch MMU flags.
// It stores the flags of the run starting at |base| inline and one heap node per later run start,
// in an intrusive WAVL tree keyed by the run's start address. A node's run extends to the next
// node's start or to the mapping's end. The mapping's base and size are not stored: every call
// takes them, so a mapping whose geometry changes (split, merge, partial unmap) moves the runs
// over with split/merge/discard instead of rebasing them. A fresh object holds no nodes.
//
// Invariants (mpr_check):
//   1. no node starts at |base|, and none at or after the mapping's end;
//   2. the first node's flags differ from the first-region flags;
//   3. adjacent nodes have different flags (runs are maximal);
//   4. every run has the same cache bits (flags & MPR_CACHE_MASK).
//
// Locking: the object lives inside a mapping and is guarded by the aspace lock of the owning
// address space; every function below expects the caller to hold it (the object itself has no
// lock and cannot name it, so the requirement is documented rather than annotated).
//
// Address arithmetic uses last bytes (base + size - 1), so a mapping may end exactly at the top of
// the 64-bit address space; |size| is never 0.
#ifndef ZXVM_VM_MAPPING_PROTECTION_RANGES_H_
#define ZXVM_VM_MAPPING_PROTECTION_RANGES_H_

#include "base/compiler.h"
#include "base/wavl.h"

// The cache-policy bits of an arch MMU flags word; equals ARCH_MMU_FLAG_CACHE_MASK
// (src/arch/arch_aspace.h), tied to it by a _Static_assert in mapping_protection_ranges.c.
#define MPR_CACHE_MASK 0x3u

// One run start after the mapping's base. Heap-allocated and owned by the tree it is in.
struct mpr_node {
  struct wavl_node node;    // (A) link in mapping_protection_ranges.tree
  vaddr_t region_start;     // (A) first byte of the run; the tree key
  uint32_t arch_mmu_flags;  // (A) flags of the run
};

// Legend: (A) guarded by the aspace lock of the owning address space.
struct mapping_protection_ranges {
  uint32_t first_region_arch_mmu_flags;  // (A) flags from base up to the first node (or the end)
  struct wavl_tree tree;                 // (A) struct mpr_node, keyed by region_start
};

// The flags at an address and where the run holding it ends.
struct flags_range {
  uint32_t mmu_flags;
  // Exclusive end of the run. Computed modulo 2^64: 0 when the run ends at the top of the address
  // space (base + size == 2^64).
  vaddr_t region_top;
};

// Enumeration callback: one call per run, clipped to the requested range. Returns ZX_ERR_NEXT to
// continue, ZX_ERR_STOP to end the walk early (the walk then returns ZX_OK), any other status to
// abort (returned by the walk).
typedef zx_status_t (*mpr_enumerate_fn)(void* ctx, vaddr_t region_base, size_t region_len,
                                        uint32_t arch_mmu_flags);
// Update callback: one call per old run (clipped to the updated range) whose flags change.
typedef void (*mpr_update_fn)(void* ctx, vaddr_t run_base, size_t run_len, uint32_t old_flags);

// Initializes |mpr| as one run with |flags|. Holds no memory.
void mpr_init(struct mapping_protection_ranges* mpr, uint32_t flags);

// Frees every node, leaving a single run with the current first-region flags. Cannot fail.
// Caller holds the owning aspace lock.
void mpr_clear(struct mapping_protection_ranges* mpr);

// True when the whole mapping has one set of flags (no nodes). Caller holds the aspace lock.
static inline bool mpr_is_single_region(const struct mapping_protection_ranges* mpr) {
  return wavl_is_empty(&mpr->tree);
}

// The flags of the run starting at the mapping's base. Caller holds the aspace lock.
static inline uint32_t mpr_first_region_flags(const struct mapping_protection_ranges* mpr) {
  return mpr->first_region_arch_mmu_flags;
}

// Sets the first run's flags to |flags|. Only meaningful on a single-region object (asserted in
// debug builds), e.g. to fix up cache bits when a mapping is activated. Caller holds the aspace
// lock.
void mpr_set_first_region_flags(struct mapping_protection_ranges* mpr, uint32_t flags);

// Number of heap nodes (runs minus one). Caller holds the aspace lock.
static inline size_t mpr_node_count(const struct mapping_protection_ranges* mpr) {
  return wavl_count(&mpr->tree);
}

// Returns the flags in effect at |va| and the exclusive end of the run containing it, for the
// mapping [|base|, |base| + |size|). |va| must lie inside the mapping (asserted in debug builds).
// Caller holds the aspace lock.
struct flags_range mpr_flags_range_at_addr(const struct mapping_protection_ranges* mpr,
                                           vaddr_t base, size_t size, vaddr_t va);

// Calls |fn(ctx, ...)| for every run intersecting [|rbase|, |rbase| + |rsize|), in address order,
// each clipped to that range. The range must be non-empty and inside the mapping [|base|,
// |base| + |size|).
// Returns ZX_OK after the last run or when |fn| returned ZX_ERR_STOP; ZX_ERR_INVALID_ARGS for an
// empty or out-of-mapping range; any other status |fn| returned, which aborts the walk.
// |fn| must not modify |mpr|. Caller holds the aspace lock.
zx_status_t mpr_enumerate(const struct mapping_protection_ranges* mpr, vaddr_t base, size_t size,
                          vaddr_t rbase, size_t rsize, mpr_enumerate_fn fn, void* ctx) WARN_UNUSED;

// Sets the flags of [|pbase|, |pbase| + |psize|) to |new_flags| in the mapping [|base|,
// |base| + |size|). Before the tree changes, calls |cb(ctx, run_base, run_len, old_flags)| once for
// every old run (clipped to the range) whose flags differ from |new_flags| -- also when the range
// covers the whole mapping, so no old run's permissions are forgotten. Runs already equal to
// |new_flags| get no call; if no run changes, nothing is modified. |cb| may be NULL and must not
// touch |mpr|.
// The (at most two) nodes the update needs are taken from nodes it erases or allocated before
// anything changes.
// Returns ZX_OK; ZX_ERR_INVALID_ARGS if the range is empty or not inside the mapping, or if a
// partial update would give |new_flags| cache bits different from the mapping's; ZX_ERR_NO_MEMORY
// if a node could not be allocated (nothing changed, no callback made). Caller holds the aspace
// lock.
zx_status_t mpr_update(struct mapping_protection_ranges* mpr, vaddr_t base, size_t size,
                       vaddr_t pbase, size_t psize, uint32_t new_flags, mpr_update_fn cb,
                       void* ctx) WARN_UNUSED;

// Appends the runs of |right| (mapping [|right_base|, |right_base| + |right_size|)) to |left|
// (mapping [|left_base|, |left_base| + |left_size|)), for two mappings merged into |left|. The
// right mapping must start exactly where the left one ends. If the left's last run and the
// right's first run differ, a node is allocated at |right_base| first. Every node of |right| moves
// to |left|; |right| is left empty (single region, first flags unchanged).
// Returns ZX_OK; ZX_ERR_INVALID_ARGS if the mappings are not adjacent or their cache bits differ;
// ZX_ERR_NO_MEMORY (both objects unchanged). Caller holds the aspace lock.
zx_status_t mpr_merge_right_neighbor(struct mapping_protection_ranges* left, vaddr_t left_base,
                                     size_t left_size, struct mapping_protection_ranges* right,
                                     vaddr_t right_base, size_t right_size) WARN_UNUSED;

// Splits the mapping [|base|, |base| + |size|) at |split_addr|: initializes |out| with the runs of
// [|split_addr|, end) (first flags = the flags in effect at |split_addr|; it owns every node that
// started after |split_addr|) and leaves |mpr| with the runs of [|base|, |split_addr|). A node
// starting exactly at |split_addr| is freed. Never allocates.
// Returns ZX_OK; ZX_ERR_INVALID_ARGS (nothing changed, |out| untouched) unless
// |base| < |split_addr| <= the mapping's last byte. Caller holds the aspace lock.
zx_status_t mpr_split_at(struct mapping_protection_ranges* mpr, vaddr_t base, size_t size,
                         vaddr_t split_addr, struct mapping_protection_ranges* out) WARN_UNUSED;

// For a mapping whose new base is |addr|: frees every node starting at or below |addr|, each time
// adopting its flags as the first-region flags. Caller holds the aspace lock.
void mpr_discard_below(struct mapping_protection_ranges* mpr, vaddr_t addr);

// For a mapping whose new end is |addr|: frees every node starting at or above |addr|. Caller
// holds the aspace lock.
void mpr_discard_above(struct mapping_protection_ranges* mpr, vaddr_t addr);

// Returns NULL when |mpr| satisfies every invariant above for the mapping [|base|, |base| +
// |size|), else a static description of the first violation found. Runs wavl_check (which panics
// on a broken tree). O(n). Caller holds the aspace lock.
const char* mpr_check_msg(const struct mapping_protection_ranges* mpr, vaddr_t base, size_t size);

// Panics with the first violation mpr_check_msg finds. Caller holds the aspace lock.
void mpr_check(const struct mapping_protection_ranges* mpr, vaddr_t base, size_t size);

#endif  // ZXVM_VM_MAPPING_PROTECTION_RANGES_H_
