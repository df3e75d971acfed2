// The address-space tree: VMARs (struct vm_address_region) partition a range into children, and
// mappings (struct vm_mapping) map a window of a VMO. Both share struct
// vm_address_region_or_mapping (Zircon's VmAddressRegionOrMapping): base and size, the flags the
// object was created with, the owning aspace, the parent VMAR and the life-cycle state.
//
// Life cycle (spec §1.3):
//
//     NOT_READY --activate--> ALIVE --destroy--> DEAD
//
// NOT_READY: built, in no tree; ALIVE: describes the address space (in its parent's children,
// and for a mapping in its VMO's mapping tree); DEAD: in no tree, parent NULL, a mapping's object
// NULL. Never revived. Geometry (base, size, object_offset) is immutable: a partial unmap, a
// merge or a private clone builds new NOT_READY objects, moves state over, destroys the old one
// and activates the new ones, all under the aspace lock, so no observer sees a hole.
//
// Locking (docs/locking.md): every VMAR and mapping of an aspace is guarded by that aspace's two
// locks, the region lock (R) and the aspace lock (A); a mapping's VMO-facing state also by the VMO
// lock (O). Legend: (c) const after activation, (a) atomic, (R+A) written with both held, read
// with either, (A+O) written with both held, read with either.
#ifndef ZXVM_VM_VM_ADDRESS_REGION_H_
#define ZXVM_VM_VM_ADDRESS_REGION_H_

#include <stdatomic.h>

#include "arch/arch_aspace.h"
#include "base/printer.h"
#include "vm/mapping_protection_ranges.h"
#include "vm/vm_object.h"
#include "vm/vm_region_list.h"

struct vm_aspace;
struct vm_address_region;
struct vm_mapping;
struct multi_page_request;

// ---- flags (spec §1.6; creation-time properties of a VMAR or mapping)
// ----------------------------
#define VMAR_FLAG_COMPACT (1u << 0)
#define VMAR_FLAG_SPECIFIC (1u << 1)
#define VMAR_FLAG_SPECIFIC_OVERWRITE (1u << 2)
#define VMAR_FLAG_CAN_MAP_SPECIFIC (1u << 3)
#define VMAR_FLAG_CAN_MAP_READ (1u << 4)
#define VMAR_FLAG_CAN_MAP_WRITE (1u << 5)
#define VMAR_FLAG_CAN_MAP_EXECUTE (1u << 6)
#define VMAR_FLAG_REQUIRE_NON_RESIZABLE (1u << 7)
#define VMAR_FLAG_ALLOW_FAULTS (1u << 8)
#define VMAR_FLAG_OFFSET_IS_UPPER_LIMIT (1u << 9)
#define VMAR_FLAG_DEBUG_DYNAMIC_KERNEL_MAPPING (1u << 10)
#define VMAR_FLAG_FAULT_BEYOND_STREAM_SIZE (1u << 11)
#define VMAR_CAN_RWX_FLAGS \
  (VMAR_FLAG_CAN_MAP_READ | VMAR_FLAG_CAN_MAP_WRITE | VMAR_FLAG_CAN_MAP_EXECUTE)

// VmMapping::kPageFaultMaxOptimisticPages.
#define VM_PAGE_FAULT_MAX_OPTIMISTIC_PAGES 16

// VmMapping::UnmapOptions.
#define VM_UNMAP_NONE 0u
#define VM_UNMAP_ONLY_HAS_ZERO_PAGES (1u << 0)
#define VM_UNMAP_HARVEST (1u << 1)

enum vm_lifecycle_state {
  VM_LIFECYCLE_NOT_READY = 0,
  VM_LIFECYCLE_ALIVE = 1,
  VM_LIFECYCLE_DEAD = 2,
};

// Whether a VMAR operation may reach into sub-VMARs (zx_vmar_* derive it from
// ZX_RIGHT_OP_CHILDREN).
enum vm_op_children { VM_OP_CHILDREN_NO = 0, VM_OP_CHILDREN_YES = 1 };

#define VM_ADDRESS_REGION_MAGIC ZXVM_MAGIC('V', 'M', 'A', 'R')
#define VM_MAPPING_MAGIC ZXVM_MAGIC('V', 'M', 'A', 'P')

// ---- the common part
// -----------------------------------------------------------------------------

struct vm_address_region_or_mapping {
  uint32_t magic;                     // (c) VM_ADDRESS_REGION_MAGIC or VM_MAPPING_MAGIC
  _Atomic uint32_t refcount;          // (a)
  bool is_mapping;                    // (c)
  uint32_t flags;                     // (c) VMAR_FLAG_*
  struct vm_aspace* aspace;           // (c) one aspace reference held
  struct vm_address_region* parent;   // (R+A) NULL for the root and once DEAD
  enum vm_lifecycle_state state;      // (R+A) (a mapping's also under O; see vm_mapping)
  struct vm_region_node region_node;  // base/size (c); links (R+A) in the parent's children
};

static inline vaddr_t vm_region_base(const struct vm_address_region_or_mapping* r) {
  return r->region_node.base;
}
static inline size_t vm_region_size(const struct vm_address_region_or_mapping* r) {
  return r->region_node.size;
}
static inline struct vm_address_region_or_mapping* vm_region_from_node(struct vm_region_node* n) {
  return containerof(n, struct vm_address_region_or_mapping, region_node);
}

void vm_address_region_or_mapping_acquire(struct vm_address_region_or_mapping* r);
// Drops a reference; frees the object with the last one. A VMAR or mapping still ALIVE when its
// last reference goes is a bug (the parent's tree holds a reference while it is ALIVE).
void vm_address_region_or_mapping_release(struct vm_address_region_or_mapping* r);
// Destroys |r| (Zircon's VmAddressRegionOrMapping::Destroy): takes the region and aspace locks;
// ZX_ERR_BAD_STATE if not ALIVE; a VMAR is torn down with everything below it, a mapping is
// unmapped. Returns ZX_OK or the first failure. ZX_ERR_NOT_SUPPORTED for the aspace's root VMAR,
// which only vm_aspace_destroy tears down.
zx_status_t vm_address_region_or_mapping_destroy(struct vm_address_region_or_mapping* r)
    WARN_UNUSED;
// Same, with both locks held.
zx_status_t vm_address_region_or_mapping_destroy_locked(struct vm_address_region_or_mapping* r)
    WARN_UNUSED;

// ---- VMAR
// ----------------------------------------------------------------------------------------

struct vm_address_region {
  struct vm_address_region_or_mapping common;
  struct vm_region_list children;  // (R+A) children by base; each holds one reference
  char name[ZX_MAX_NAME_LEN];      // (c)
};

static inline struct vm_address_region* vm_address_region_from(
    struct vm_address_region_or_mapping* r) {
  ZX_DEBUG_ASSERT(!r->is_mapping);
  return containerof(r, struct vm_address_region, common);
}

// Creates a sub-VMAR of |parent| (spec §5 CreateSubVmar + placement). |offset| is relative to
// the parent's base (or the upper limit with OFFSET_IS_UPPER_LIMIT); |size| must be page aligned;
// |align_pow2| 0 or 10..32 (already validated by the caller, see vm_parse_align); |vmar_flags| from
// SPECIFIC, CAN_MAP_SPECIFIC, COMPACT, CAN_MAP_*, OFFSET_IS_UPPER_LIMIT.
// Returns ZX_OK with a new reference in |out|; ZX_ERR_BAD_STATE (parent not ALIVE),
// ZX_ERR_INVALID_ARGS, ZX_ERR_ACCESS_DENIED, ZX_ERR_ALREADY_EXISTS, ZX_ERR_NO_RESOURCES,
// ZX_ERR_NO_MEMORY exactly as spec §5. Takes the region and aspace locks.
zx_status_t vm_address_region_create_sub_vmar(struct vm_address_region* parent, size_t offset,
                                              size_t size, uint8_t align_pow2, uint32_t vmar_flags,
                                              const char* name,
                                              struct vm_address_region** out) WARN_UNUSED;

// Maps |size| bytes (page-rounded) of |vmo| from |vmo_offset| in |parent| (spec §5
// CreateVmMapping). |arch_mmu_flags| are the initial protections (ARCH_MMU_FLAG_PERM_* and cache
// bits); |vmar_flags| from SPECIFIC, SPECIFIC_OVERWRITE, CAN_MAP_*, OFFSET_IS_UPPER_LIMIT,
// DEBUG_DYNAMIC_KERNEL_MAPPING, FAULT_BEYOND_STREAM_SIZE, ALLOW_FAULTS, REQUIRE_NON_RESIZABLE.
// The requested permissions are added to the mapping's CAN_MAP_* ceiling. Returns ZX_OK with a
// new mapping reference in |out| and its base in |out_base|; statuses as spec §5. Takes the region
// and aspace locks. The caller then usually calls vm_mapping_mark_mergeable.
zx_status_t vm_address_region_create_vm_mapping(struct vm_address_region* parent, size_t offset,
                                                size_t size, uint8_t align_pow2,
                                                uint32_t vmar_flags, struct vm_object* vmo,
                                                uint64_t vmo_offset, uint32_t arch_mmu_flags,
                                                const char* name, struct vm_mapping** out,
                                                vaddr_t* out_base) WARN_UNUSED;

// Unmaps [|base|, |base|+|size|) (size page-rounded): whole children are destroyed, partially
// covered mappings are cut (spec §5 Unmap). Unless |allow_partial|, a sub-VMAR in the range must
// be fully covered and |op_children| YES; with |allow_partial| the walk descends into sub-VMARs.
// Statuses: ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_STATE, ZX_ERR_NO_MEMORY (a cut could not allocate).
zx_status_t vm_address_region_unmap(struct vm_address_region* vmar, vaddr_t base, size_t size,
                                    enum vm_op_children op_children,
                                    bool allow_partial) WARN_UNUSED;

// Changes the protections of every mapping in [|base|, |base|+|size|) to |arch_mmu_flags| (spec §5
// Protect): every check before any change. Statuses: ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_STATE,
// ZX_ERR_NOT_FOUND (a hole), ZX_ERR_ACCESS_DENIED (beyond a ceiling), ZX_ERR_NO_MEMORY.
zx_status_t vm_address_region_protect(struct vm_address_region* vmar, vaddr_t base, size_t size,
                                      uint32_t arch_mmu_flags,
                                      enum vm_op_children op_children) WARN_UNUSED;

// zx_vmar_op_range (spec §5 RangeOp). |op| is a ZX_VMAR_OP_* value (equal to the ZX_VMO_OP_*).
zx_status_t vm_address_region_range_op(struct vm_address_region* vmar, uint32_t op, vaddr_t base,
                                       size_t len, enum vm_op_children op_children, void* buffer,
                                       size_t buffer_size) WARN_UNUSED;

// Sums the attribution of every mapping below |vmar|.
struct vm_attribution_counts vm_address_region_get_attributed_memory(
    struct vm_address_region* vmar);

// Finds the deepest VMAR or mapping containing |va| below |vmar| (a new reference), or NULL.
struct vm_address_region_or_mapping* vm_address_region_find_region(struct vm_address_region* vmar,
                                                                   vaddr_t va);
// With the aspace (or region) lock held: the mapping containing |va| at any depth, or NULL. No
// reference taken.
struct vm_mapping* vm_address_region_find_mapping_locked(struct vm_address_region* vmar,
                                                         vaddr_t va);

// Walks |vmar| and everything below it in pre-order (a VMAR before its children, children in
// address order), without recursion however deep the tree: calls |fn(ctx, r, depth)| with depth
// 0 for |vmar| itself. |fn| returns ZX_ERR_NEXT to go on, ZX_ERR_STOP to end the walk (the
// function then returns ZX_OK), or any other status, which ends the walk and is returned. |fn|
// must not change the tree. Aspace lock held.
typedef zx_status_t (*vm_region_enum_fn)(void* ctx, struct vm_address_region_or_mapping* r,
                                         unsigned depth);
zx_status_t vm_address_region_enumerate_locked(struct vm_address_region* vmar, vm_region_enum_fn fn,
                                               void* ctx);
// Same, taking the aspace lock: ZX_ERR_BAD_STATE if |vmar| is not ALIVE (destroyed, or its aspace
// was), otherwise what the walk returns. |fn| may take VMO locks, not aspace or region locks.
zx_status_t vm_address_region_enumerate(struct vm_address_region* vmar, vm_region_enum_fn fn,
                                        void* ctx) WARN_UNUSED;

// The aspace a VMO mapping-tree node belongs to (for callers walking a VMO's mappings with
// vm_object_for_each_mapping_locked). VMO lock held.
struct vm_aspace* vm_mapping_node_aspace(struct vm_object_mapping_node* node);

// Prints |vmar| and everything below it (spec §2 DumpLocked format), |depth| levels indented.
void vm_address_region_dump_locked(struct vm_address_region* vmar, unsigned depth, bool verbose,
                                   const struct printer* out);

// Internal to the VM core: links |child| into |parent|'s children: sets child->parent, inserts
// its region node, and takes one reference for the tree. A VMAR child is NOT_READY and becomes
// ALIVE here; a mapping child is already ALIVE (vm_mapping makes it ALIVE under its VMO lock,
// since a mapping's state is also guarded by that lock) and its state is not touched. Both locks
// held.
void vm_address_region_insert_child_locked(struct vm_address_region* parent,
                                           struct vm_address_region_or_mapping* child);
// Unlinks |child| from |parent|'s children and sets child->parent to NULL; the tree's reference
// passes to the caller, who releases it. Does not touch the state (the caller makes it DEAD).
// Both locks held.
void vm_address_region_remove_child_locked(struct vm_address_region* parent,
                                           struct vm_address_region_or_mapping* child);

// Validates |vmar| and everything below: children ordered, disjoint, inside the parent, parent
// pointers right, all ALIVE, region lists' augmentation right; calls vm_mapping_check_locked on
// each mapping. Panics on the first violation. Caller holds the aspace lock.
void vm_address_region_check_locked(struct vm_address_region* vmar);

// ---- mapping
// -------------------------------------------------------------------------------------

struct vm_currently_faulting;

struct vm_mapping {
  struct vm_address_region_or_mapping common;
  struct vm_object* object;                            // (A+O) one reference held; NULL once DEAD
  uint64_t object_offset;                              // (c)
  struct mapping_protection_ranges protection_ranges;  // (A+O)
  bool mergeable;                                      // (A)
  bool private_clone;                                  // (c)
  _Atomic bool object_reset;  // (a) set once, when |object| is dropped (the fault path checks it)
  struct vm_currently_faulting* currently_faulting;  // (O) the fault in flight on this mapping
  struct vm_object_mapping_node vmo_node;            // (O) node in object's mapping tree
};

static inline struct vm_mapping* vm_mapping_from(struct vm_address_region_or_mapping* r) {
  ZX_DEBUG_ASSERT(r->is_mapping);
  return containerof(r, struct vm_mapping, common);
}
static inline vaddr_t vm_mapping_base(const struct vm_mapping* m) {
  return vm_region_base(&m->common);
}
static inline size_t vm_mapping_size(const struct vm_mapping* m) {
  return vm_region_size(&m->common);
}

// The (status, count) pair of PageFault.
struct vm_fault_result {
  zx_status_t status;
  uint32_t pages_mapped;
};

// The flags in effect at an address and the exclusive end of their run (FlagsRange).
// struct flags_range comes from mapping_protection_ranges.h.

// The key of a mapping in its VMO's mapping tree (GetKey).
struct vm_mapping_key {
  uint64_t offset;
  uint64_t object;
};

// Allocates a NOT_READY mapping (no tree holds it yet; |vmo| gains a reference). Geometry must be
// valid (page aligned, non-empty, no wrap). ZX_ERR_NO_MEMORY.
zx_status_t vm_mapping_create_not_ready(struct vm_aspace* aspace, vaddr_t base, size_t size,
                                        uint32_t vmar_flags, struct vm_object* vmo,
                                        uint64_t object_offset, uint32_t arch_mmu_flags,
                                        bool private_clone, struct vm_mapping** out) WARN_UNUSED;
// Frees a mapping whose last reference is gone (vm_address_region_or_mapping_release calls it):
// checks it is not ALIVE and in no tree, drops its VMO (if still held) and its aspace reference.
void vm_mapping_free(struct vm_mapping* m);
// Makes a NOT_READY mapping ALIVE: inserts it in |parent|'s children and its VMO's mapping tree
// (fixing the cache bits to the VMO's policy). Region and aspace locks held.
void vm_mapping_activate_locked(struct vm_mapping* m, struct vm_address_region* parent);
// Destroys an ALIVE mapping (DestroyLocked): arch-unmaps its range if |unmap|, leaves both trees,
// drops the VMO, DEAD. Region and aspace locks held.
zx_status_t vm_mapping_destroy_locked(struct vm_mapping* m, bool unmap) WARN_UNUSED;
// Unmaps [|base|, |base|+|size|), a page-aligned strict sub-range of ALIVE |m| (UnmapLocked):
// builds up to two new mappings for what remains, then retires |m|. ZX_ERR_NO_MEMORY leaves |m|
// unchanged. Region and aspace locks held.
zx_status_t vm_mapping_unmap_locked(struct vm_mapping* m, vaddr_t base, size_t size) WARN_UNUSED;
// Changes the protections of [|base|, |base|+|size|) inside ALIVE |m| (ProtectLocked). Flags must
// be within the CAN_MAP_* ceiling and carry no cache bits (checked by the caller). ZX_OK or
// ZX_ERR_NO_MEMORY (nothing changed). Aspace lock held.
zx_status_t vm_mapping_protect_locked(struct vm_mapping* m, vaddr_t base, size_t size,
                                      uint32_t arch_mmu_flags) WARN_UNUSED;

// The class reference (shared/seed/VmMapping-class-reference.txt), in C.
struct vm_object* vm_mapping_vmo(struct vm_mapping* m);         // new reference or NULL; takes A
struct vm_object* vm_mapping_vmo_locked(struct vm_mapping* m);  // new reference or NULL; A held
zx_status_t vm_mapping_decommit_range(struct vm_mapping* m, size_t offset, size_t len) WARN_UNUSED;
zx_status_t vm_mapping_map_range(struct vm_mapping* m, size_t offset, size_t len, bool commit,
                                 bool ignore_existing) WARN_UNUSED;
struct vm_attribution_counts vm_mapping_get_attributed_memory(struct vm_mapping* m);
void vm_mapping_dump_locked(struct vm_mapping* m, unsigned depth, bool verbose,
                            const struct printer* out);
struct vm_fault_result vm_mapping_page_fault(struct vm_mapping* m, vaddr_t va, uint32_t pf_flags,
                                             size_t additional_pages, struct vm_object* object,
                                             struct multi_page_request* page_request);
struct vm_fault_result vm_mapping_page_fault_locked(struct vm_mapping* m, vaddr_t va,
                                                    uint32_t pf_flags, size_t additional_pages,
                                                    struct multi_page_request* page_request);
void vm_mapping_aspace_unmap_locked_object(struct vm_mapping* m, uint64_t offset, uint64_t len,
                                           uint32_t unmap_options);
void vm_mapping_aspace_remove_write_locked_object(struct vm_mapping* m, uint64_t offset,
                                                  uint64_t len);
void vm_mapping_aspace_debug_unpin_locked_object(struct vm_mapping* m, uint64_t offset,
                                                 uint64_t len);
// Hands over the caller's last reference to |m|; merges it with mergeable neighbours.
void vm_mapping_mark_mergeable(struct vm_mapping* m);
// Returns (in |out|, a new reference) the mapping to write through: |m| itself, or a new mapping
// over a private copy-on-write clone (then |m| is DEAD).
zx_status_t vm_mapping_force_writable(struct vm_mapping* m, struct vm_mapping** out) WARN_UNUSED;
uint32_t vm_mapping_arch_mmu_flags_locked(struct vm_mapping* m, vaddr_t va);
uint32_t vm_mapping_arch_mmu_flags_locked_object(struct vm_mapping* m, vaddr_t va);
struct flags_range vm_mapping_arch_mmu_flags_range_locked(struct vm_mapping* m, vaddr_t va);
struct flags_range vm_mapping_flags_range_at_addr_locked(struct vm_mapping* m, vaddr_t va);
struct flags_range vm_mapping_flags_range_at_addr_locked_object(struct vm_mapping* m, vaddr_t va);
uint64_t vm_mapping_object_offset(const struct vm_mapping* m);
uint64_t vm_mapping_mapping_subtree_max_offset(struct vm_mapping* m);
struct mutex* vm_mapping_object_lock(struct vm_mapping* m);
zx_status_t vm_mapping_debug_unmap(struct vm_mapping* m, vaddr_t base, size_t size) WARN_UNUSED;
zx_status_t vm_mapping_debug_protect(struct vm_mapping* m, vaddr_t base, size_t size,
                                     uint32_t arch_mmu_flags) WARN_UNUSED;
void vm_mapping_assert_object_lock(struct vm_mapping* m);
typedef zx_status_t (*vm_mapping_protection_fn)(void* ctx, vaddr_t base, size_t len,
                                                uint32_t arch_mmu_flags);
zx_status_t vm_mapping_enumerate_protection_ranges_locked(struct vm_mapping* m, vaddr_t base,
                                                          size_t size, vm_mapping_protection_fn fn,
                                                          void* ctx);
zx_status_t vm_mapping_enumerate_protection_ranges_locked_object(struct vm_mapping* m, vaddr_t base,
                                                                 size_t size,
                                                                 vm_mapping_protection_fn fn,
                                                                 void* ctx);
struct vm_mapping_key vm_mapping_get_key(const struct vm_mapping* m);

// Validates |m|: geometry, protection ranges, VMO tree membership, and that every present PTE in
// its range maps the page its VMO holds at that offset (or the zero page, read-only) with no more
// permission than its protection run. Aspace lock held (takes the VMO lock).
void vm_mapping_check_locked(struct vm_mapping* m);

// ---- additions for the VMAR side and the zx layer (issue 3)
// ------------------------------------------

// Creates the root VMAR of |aspace|, covering [|base|, |base| + |size|) with |vmar_flags| and ALIVE
// at once (it has no parent). Takes an aspace reference. Called by vm_aspace_create before the
// aspace is published, so no lock is needed. ZX_ERR_NO_MEMORY. The caller owns one reference.
zx_status_t vm_address_region_create_root(struct vm_aspace* aspace, vaddr_t base, size_t size,
                                          uint32_t vmar_flags, const char* name,
                                          struct vm_address_region** out) WARN_UNUSED;

// Tears ALIVE |vmar| down with everything below it, depth first and without recursion: child
// mappings are destroyed (vm_mapping_destroy_locked, with arch unmap), child VMARs are emptied and
// then removed and marked DEAD, |vmar| last (it leaves its parent's tree, whose reference is
// released). ZX_ERR_BAD_STATE if not ALIVE; a mapping's failure aborts with its status (what was
// destroyed stays destroyed). Region and aspace locks held.
zx_status_t vm_address_region_destroy_locked(struct vm_address_region* vmar) WARN_UNUSED;

// Decodes the alignment byte of zx_vm_option_t (bits 24..31, log2 of the alignment) into
// |*out_align_pow2|: 0 (no requirement) or 10..32. ZX_ERR_INVALID_ARGS for 1..9 or > 32 (the
// other bits of |options| are ignored here). |out_align_pow2| is written only on ZX_OK.
zx_status_t vm_parse_align(zx_vm_option_t options, uint8_t* out_align_pow2) WARN_UNUSED;

// Zircon's split_syscall_flags: ZX_VM_PERM_* become ARCH_MMU_FLAG_PERM_* in |*out_arch_mmu_flags|
// (PERM_READ_IF_XOM_UNSUPPORTED adds READ: the simulated x86 cannot express execute-only;
// ARCH_MMU_FLAG_PERM_USER is NOT added: a caller mapping for user mode ORs it in); COMPACT,
// SPECIFIC, SPECIFIC_OVERWRITE, CAN_MAP_*, REQUIRE_NON_RESIZABLE, ALLOW_FAULTS,
// OFFSET_IS_UPPER_LIMIT and FAULT_BEYOND_STREAM_SIZE become VMAR_FLAG_* in |*out_vmar_flags|; the
// alignment byte goes through vm_parse_align. ZX_VM_MAP_RANGE is not a VMAR flag: it is reported
// in |*out_map_range|. Any other bit below 24 -> ZX_ERR_INVALID_ARGS. Outputs written only on
// ZX_OK.
zx_status_t vm_split_syscall_flags(zx_vm_option_t options, uint32_t* out_vmar_flags,
                                   uint32_t* out_arch_mmu_flags, uint8_t* out_align_pow2,
                                   bool* out_map_range) WARN_UNUSED;

// The number of children of |vmar| (aspace lock taken). For tests and dumps.
size_t vm_address_region_child_count(struct vm_address_region* vmar);

#endif  // ZXVM_VM_VM_ADDRESS_REGION_H_
