// The seam between the copy-on-write core and the user pager (issue #4, pager half). The core
// knows a pager only as an opaque struct page_source hanging off a root vm_cow_pages
// (vm_cow_pages.page_source; NULL = anonymous memory, the only case until the pager lands). When
// a lookup walks up to such a root and the page is absent there, the core calls the hook below
// and never otherwise. The pager engineer implements it in src/vm/vm_cow_pages_pager.c.
#ifndef ZXVM_VM_VM_COW_PAGES_PAGER_H_
#define ZXVM_VM_VM_COW_PAGES_PAGER_H_

#include "vm/vm_cow_pages.h"

struct page_source;
struct multi_page_request;

// |root| has a page source and owns no page at |offset| (page aligned, < root->size); a fault or
// read (|write| false) or a write/commit (|write| true) needs it. Returns:
//  - ZX_ERR_NOT_FOUND: the offset is known zero (a dirty zero interval): the lookup reads zero
//    there without asking anyone (a writer of the root commits the page through the pager code);
//  - ZX_ERR_SHOULD_WAIT: |req| is armed (multi_page_request_arm) for a READ request that covers at
//    most |req|->access_len bytes; the caller drops every lock, waits, and retries the whole
//    operation;
//  - ZX_OK: the page is now present in |root| (supplied synchronously): the caller retries its
//    lookup under the same lock hold;
//  - any other status: the access fails with it (e.g. ZX_ERR_BAD_STATE for a detached VMO).
// |req| may be NULL (MapRange and other callers that cannot wait): the hook then arms nothing and
// returns ZX_ERR_SHOULD_WAIT if the page is not available at once; such callers stop at that page.
// Hierarchy lock held on entry and exit.
zx_status_t vm_cow_pages_pager_missing_locked(struct vm_cow_pages* root, uint64_t offset,
                                              bool write, struct multi_page_request* req)
    REQUIRES(&root->hierarchy->lock) WARN_UNUSED;

#endif  // ZXVM_VM_VM_COW_PAGES_PAGER_H_
