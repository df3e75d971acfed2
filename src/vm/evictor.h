// The evictor: reclaims clean pages of pager-backed VMOs under memory pressure. The pager can
// always supply such a page again, so dropping it loses nothing; touching it later faults and
// sends a new READ request.
//
// Aging. Each page of a pager-backed root carries an age in two bits of vm_page.flags (vm_pager.h:
// VM_PAGE_FLAG_AGE_*): the number of harvests in a row that found it not accessed (saturating at
// VM_PAGE_AGE_MAX). vm_evictor_harvest ages every clean page of every registered VMO by one, then
// clears the accessed bits of the VMO's mappings (arch_aspace_harvest_accessed) and makes every
// page whose bit was set young (age 0). Supply, and VMO reads/writes through the pager hooks, make
// a page young too. A page is evictable when it is CLEAN, not pinned, not marked
// VM_PAGE_FLAG_ALWAYS_NEED (ZX_VMO_OP_ALWAYS_NEED), and at least VM_EVICTOR_MIN_AGE old: not
// accessed during the last VM_EVICTOR_MIN_AGE harvest intervals. ZX_VMO_OP_DONT_NEED makes a clean
// page the oldest (VM_PAGE_AGE_MAX) and clears ALWAYS_NEED, so it goes first.
//
// Why no global LRU list threaded through vm_page.queue_prev/next: those links are the owner's
// while a page is in OBJECT state, but vm_cow_pages uses them too (vm_page_list_remove_range
// hands removed pages out on a page_list), so every removal path would have to unlink pages from
// the evictor's queue first. Scanning each registered root's page list instead costs O(pages) per
// pass and needs no cooperation from the clone code.
//
// Triggers. The evictor never runs by itself: vm_evictor_evict is the explicit call (zxvm
// exposes it); vm_evictor_reclaim_for_allocation is what the fault path calls when an allocation
// failed with ZX_ERR_NO_MEMORY and no lock is held (it evicts a batch if free memory is below the
// low watermark, and the fault is retried once); vm_evictor_check_watermark evicts down to the
// high watermark when free memory is below the low one.
//
// Locking: the registry lock (rank LOCK_RANK_PAGER + 1 = 36: taken inside a VMO lock when a VMO
// dies, never held while taking one) guards the registry, page_source.evictor_node and
// page_source.evictor_owner. The evictor takes a reference to each VMO it visits under the
// registry lock (only if the VMO is not already dying), drops the registry lock, then takes the
// VMO lock. A VMO is unregistered (vm_cow_pages_pager_destroy_locked, or detach) before its
// memory is freed, so a registered owner pointer is always valid to try a reference on.
#ifndef ZXVM_VM_EVICTOR_H_
#define ZXVM_VM_EVICTOR_H_

#include "vm/page_source.h"

struct vm_object_paged;

// Harvests without an access that make a clean page evictable.
#define VM_EVICTOR_MIN_AGE 2u

#define VM_EVICTOR_LOCK_RANK (LOCK_RANK_PAGER + 1)
_Static_assert(VM_EVICTOR_LOCK_RANK < LOCK_RANK_ARCH,
               "the registry lock ranks below the arch lock");

struct vm_evictor_stats {
  uint64_t registered;      // VMOs in the registry
  uint64_t harvests;        // vm_evictor_harvest calls
  uint64_t pages_accessed;  // pages found accessed by harvests
  uint64_t pages_evicted;   // pages freed by eviction
  uint64_t reclaim_calls;   // vm_evictor_reclaim_for_allocation calls that evicted something
};

// Registers pager-backed |vmo| (whose root holds |src|). Called once, by vm_pager_create_vmo.
void vm_evictor_register(struct page_source* src, struct vm_object_paged* vmo);
// Removes |src|'s VMO from the registry (no-op if not registered). Any lock up to the VMO lock may
// be held.
void vm_evictor_unregister(struct page_source* src);

// One aging pass over every registered VMO (see above). Returns the pages found accessed. No lock
// may be held.
uint64_t vm_evictor_harvest(void);

// Evicts up to |target_pages| evictable pages, oldest first (age VM_PAGE_AGE_MAX before younger
// ones), unmapping each from every mapping before freeing it. Returns the pages freed. No lock may
// be held.
uint64_t vm_evictor_evict(uint64_t target_pages);

// Watermarks in free pages (0 disables). Defaults: 0 (disabled).
void vm_evictor_set_watermarks(uint64_t low_pages, uint64_t high_pages);
// If the pmm's free pages are below the low watermark, evicts until they reach the high one (or
// nothing evictable is left). Returns the pages freed. No lock may be held.
uint64_t vm_evictor_check_watermark(void);
// For an allocation that failed (a fault, a VMO write or commit): evicts a batch (at least
// VM_EVICTOR_RECLAIM_BATCH pages if that many are evictable, ignoring the watermarks); if no page
// is old enough, harvests up to VM_EVICTOR_MIN_AGE times to age them first. Returns whether
// anything was freed, in which case the caller retries once. No lock may be held.
#define VM_EVICTOR_RECLAIM_BATCH 64u
bool vm_evictor_reclaim_for_allocation(void);

void vm_evictor_get_stats(struct vm_evictor_stats* out);

#endif  // ZXVM_VM_EVICTOR_H_
