// The children of a VMAR (Zircon's RegionList): an intrusive WAVL tree of disjoint address ranges
// keyed by base, augmented so free space can be found without a linear scan. VMARs and mappings
// embed a struct vm_region_node; the list links them but holds no references and allocates
// nothing: inserting and removing, and keeping the node alive while linked, is the caller's job.
//
// Augmentation, per node, over the node's subtree:
//   subtree_min_first_byte = lowest base,
//   subtree_max_last_byte  = highest last byte (base + size - 1),
//   subtree_max_gap        = largest free gap between two in-order-adjacent nodes of the subtree,
//                            where Gap(left_last, right_first) = right_first - left_last - 1.
// A lone node has its own extents and max gap 0. Gaps before the first and after the last child
// are not part of any subtree; the spot search handles them against the parent's range.
//
// Main invariant: children are non-empty, do not wrap, and do not overlap; the augmentation is
// exact on every node (vm_region_list_check). All address arithmetic uses last bytes, so a child
// may end exactly at the top of the 64-bit address space.
//
// Locking: the list belongs to a VMAR and is guarded by the aspace lock of the owning address
// space; every function below expects the caller to hold it.
#ifndef ZXVM_VM_VM_REGION_LIST_H_
#define ZXVM_VM_VM_REGION_LIST_H_

#include "base/compiler.h"
#include "base/prng.h"
#include "base/wavl.h"

// Legend: (A) guarded by the aspace lock of the owning address space; (c) constant while linked.
struct vm_region_node {
  struct wavl_node node;           // (A) link in vm_region_list.tree
  vaddr_t base;                    // (c) first byte; the key
  size_t size;                     // (c) > 0, base + size - 1 does not wrap
  vaddr_t subtree_min_first_byte;  // (A) augmentation, see above
  vaddr_t subtree_max_last_byte;   // (A)
  size_t subtree_max_gap;          // (A)
};

struct vm_region_list {
  struct wavl_tree tree;  // (A) struct vm_region_node, keyed by base
};

// Initializes an empty list.
void vm_region_list_init(struct vm_region_list* list);

// Prepares |node| to describe [|base|, |base| + |size|) before insertion. |size| must be non-zero
// and the range must not wrap (asserted).
void vm_region_node_init(struct vm_region_node* node, vaddr_t base, size_t size);

// Links |node| (initialized, not in any list). Its range must be available
// (vm_region_list_is_range_available; asserted in debug builds). The caller keeps ownership.
// O(log n). Caller holds the owning aspace lock.
void vm_region_list_insert(struct vm_region_list* list, struct vm_region_node* node);

// Unlinks |node|, which must be in |list|. O(log n). Caller holds the owning aspace lock.
void vm_region_list_remove(struct vm_region_list* list, struct vm_region_node* node);

// Number of children. Caller holds the owning aspace lock.
static inline size_t vm_region_list_count(const struct vm_region_list* list) {
  return wavl_count(&list->tree);
}

// In-order iteration by base; NULL at the end. Caller holds the owning aspace lock.
struct vm_region_node* vm_region_list_first(const struct vm_region_list* list);
struct vm_region_node* vm_region_list_last(const struct vm_region_list* list);
struct vm_region_node* vm_region_list_next(const struct vm_region_node* node);
struct vm_region_node* vm_region_list_prev(const struct vm_region_node* node);

// The child containing |addr|, or NULL. O(log n). Caller holds the owning aspace lock.
struct vm_region_node* vm_region_list_find_region(const struct vm_region_list* list, vaddr_t addr);

// The child containing |base|, else the first child above it, or NULL. Caller holds the owning
// aspace lock.
struct vm_region_node* vm_region_list_include_or_higher(const struct vm_region_list* list,
                                                        vaddr_t base);

// The first child whose base is strictly above |addr|, or NULL. Caller holds the aspace lock.
struct vm_region_node* vm_region_list_upper_bound(const struct vm_region_list* list, vaddr_t addr);

// The neighbours of |node| (which is in |list|) in address order, or NULL. Caller holds the
// owning aspace lock.
struct vm_region_node* vm_region_list_left_of(const struct vm_region_list* list,
                                              const struct vm_region_node* node);
struct vm_region_node* vm_region_list_right_of(const struct vm_region_list* list,
                                               const struct vm_region_node* node);

// True when [|base|, |base| + |size|) overlaps no child. Looks only at the predecessor and the
// successor of |base|, not at the parent's bounds. An empty or wrapping range (base + size - 1
// overflows) is not available; a range ending exactly at 2^64 is. Caller holds the aspace lock.
bool vm_region_list_is_range_available(const struct vm_region_list* list, vaddr_t base,
                                       size_t size);

// Free-spot search. The candidates are every start address s with s % 2^|align_pow2| == 0 such
// that [s, s + |size|) lies inside the parent [|parent_base|, |parent_base| + |parent_size|),
// overlaps no child, and ends at or below |upper_limit| (s + |size| <= |upper_limit|; pass
// UINTPTR_MAX for "no limit", which leaves out only a spot ending exactly at 2^64). Candidates are
// numbered from 0 in increasing address order, gap by gap; a gap of clamped length L holding
// aligned start a contributes ((L - |size|) >> |align_pow2|) + 1 of them when it fits. Only
// subtrees whose max gap is >= |size| are entered, so locating each gap costs O(log n). Children
// must lie inside the parent.
// Returns true and sets |*out_base| to candidate number |target_index| if it exists; otherwise
// returns false and leaves |*out_base| alone. Either way |*out_candidates| receives the number of
// candidates seen (all of them when the index was not found; saturates at UINT64_MAX). Invalid
// geometry (|size| == 0, |align_pow2| >= 64, an empty or wrapping parent) finds nothing.
// Caller holds the owning aspace lock.
bool vm_region_list_find_spot_at_index(const struct vm_region_list* list, uint64_t target_index,
                                       unsigned align_pow2, size_t size, vaddr_t parent_base,
                                       size_t parent_size, vaddr_t upper_limit, vaddr_t* out_base,
                                       uint64_t* out_candidates);

// Picks where to place a new child of |size| bytes aligned to 2^|align_pow2| (same candidates as
// vm_region_list_find_spot_at_index). With |prng| NULL: the lowest candidate (first fit). With a
// |prng|: candidate number uniform in [0, 2^|entropy_bits|) (|entropy_bits| capped at 64); if
// there are fewer candidates than that index, one uniform among all candidates.
// Returns ZX_OK with |*out_base| set; ZX_ERR_INVALID_ARGS for |size| == 0, |align_pow2| >= 64 or
// an empty or wrapping parent range; ZX_ERR_NO_RESOURCES when there is no candidate.
// Caller holds the owning aspace lock (and owns |prng|).
zx_status_t vm_region_list_get_alloc_spot(const struct vm_region_list* list, unsigned align_pow2,
                                          size_t size, vaddr_t parent_base, size_t parent_size,
                                          vaddr_t upper_limit, unsigned entropy_bits,
                                          struct prng* prng, vaddr_t* out_base) WARN_UNUSED;

#ifdef ZXVM_TESTING
// Testing build only: the number of tree nodes the spot search has entered so far (all lists, all
// threads), so tests can verify a search stays logarithmic.
uint64_t vm_region_list_debug_spot_visits(void);
#endif

// Returns NULL when the list satisfies its invariants (non-empty non-wrapping disjoint children,
// exact augmentation recomputed from scratch), else a static description of the first violation.
// Runs wavl_check (which panics on a broken tree). O(n). Caller holds the owning aspace lock.
const char* vm_region_list_check_msg(const struct vm_region_list* list);

// Panics with the first violation vm_region_list_check_msg finds. Caller holds the aspace lock.
void vm_region_list_check(const struct vm_region_list* list);

#endif  // ZXVM_VM_VM_REGION_LIST_H_
