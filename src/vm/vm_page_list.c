// Sparse page storage (see vm_page_list.h). Internally everything is in page indices (offset /
// PAGE_SIZE), so "index + 16" cannot overflow even for offsets near 2^64. A node covers
// [first_index, first_index + 16); the tree is keyed by first_index.
#include "vm/vm_page_list.h"

#include "base/platform.h"

#define NODE_MASK ((uint64_t)VM_PAGE_LIST_NODE_PAGES - 1)

static inline uint64_t offset_to_index(uint64_t offset) {
  ZX_DEBUG_ASSERT_MSG(IS_PAGE_ALIGNED(offset), "offset %#lx", (unsigned long)offset);
  return offset >> PAGE_SIZE_SHIFT;
}

static inline uint64_t index_to_offset(uint64_t index) { return index << PAGE_SIZE_SHIFT; }

static inline struct vm_page_list_node* node_of(const struct wavl_node* n) {
  return n ? wavl_entry(n, struct vm_page_list_node, tree_node) : NULL;
}

static int node_compare(const struct wavl_node* a, const struct wavl_node* b) {
  uint64_t ia = node_of(a)->first_index, ib = node_of(b)->first_index;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

static int node_compare_key(const void* key, const struct wavl_node* n) {
  uint64_t k = *(const uint64_t*)key, i = node_of(n)->first_index;
  return k < i ? -1 : k > i ? 1 : 0;
}

static const struct wavl_ops node_ops = {
    .compare = node_compare,
    .compare_key = node_compare_key,
    .augment = NULL,
};

void vm_page_list_init(struct vm_page_list* list, void* owner) {
  wavl_init(&list->tree, &node_ops);
  list->page_count = 0;
  list->marker_count = 0;
  list->owner = owner;
  list->hint = NULL;
}

void vm_page_list_destroy(struct vm_page_list* list) {
  ZX_ASSERT_MSG(list->page_count == 0 && list->marker_count == 0 && wavl_is_empty(&list->tree),
                "%lu pages and %lu markers left", (unsigned long)list->page_count,
                (unsigned long)list->marker_count);
}

static struct vm_page_list_node* find_node(const struct vm_page_list* list, uint64_t index) {
  uint64_t key = index & ~NODE_MASK;
  struct vm_page_list_node* hint = list->hint;
  if (hint != NULL && hint->first_index == key) return hint;
  struct vm_page_list_node* node = node_of(wavl_find(&list->tree, &key));
  // The hint is a cache, not state: updating it through a const list is safe under the lock.
  if (node != NULL) ((struct vm_page_list*)list)->hint = node;
  return node;
}

// First node whose range ends after |index| (contains it or lies above it).
static struct vm_page_list_node* node_at_or_after(const struct vm_page_list* list, uint64_t index) {
  uint64_t key = index & ~NODE_MASK;
  return node_of(wavl_lower_bound(&list->tree, &key));
}

static struct vm_page_list_node* node_next(const struct vm_page_list_node* node) {
  return node_of(wavl_next(&node->tree_node));
}

static struct vm_page_list_node* cache_pop(struct vm_page_list_node_cache* cache);

static struct vm_page_list_node* node_new(void) {
  struct vm_page_list_node* node = heap_calloc(1, sizeof(*node));
  if (node) wavl_node_init(&node->tree_node);
  return node;
}

// Accounts for |page| entering (+1) or leaving (-1) a slot of |node|.
static void account(struct vm_page_list* list, struct vm_page_list_node* node,
                    const struct vm_page* page, int delta) {
  if (vm_page_is_marker(page)) {
    node->markers += (uint32_t)delta;
    list->marker_count += (uint64_t)(int64_t)delta;
  } else {
    list->page_count += (uint64_t)(int64_t)delta;
  }
  node->used += (uint32_t)delta;
}

struct vm_page* vm_page_list_lookup(const struct vm_page_list* list, uint64_t offset) {
  uint64_t index = offset_to_index(offset);
  struct vm_page_list_node* node = find_node(list, index);
  return node ? node->pages[index & NODE_MASK] : NULL;
}

zx_status_t vm_page_list_insert(struct vm_page_list* list, uint64_t offset, struct vm_page* page) {
  ZX_DEBUG_ASSERT(page != NULL);
  uint64_t index = offset_to_index(offset);
  struct vm_page_list_node* node = find_node(list, index);
  if (!node) {
    node = node_new();
    if (!node) return ZX_ERR_NO_MEMORY;
    node->first_index = index & ~NODE_MASK;
    wavl_insert(&list->tree, &node->tree_node);
  }
  ZX_ASSERT_MSG(node->pages[index & NODE_MASK] == NULL, "slot %#lx occupied",
                (unsigned long)offset);
  node->pages[index & NODE_MASK] = page;
  account(list, node, page, 1);
  return ZX_OK;
}

void vm_page_list_insert_from_cache(struct vm_page_list* list, uint64_t offset,
                                    struct vm_page* page, struct vm_page_list_node_cache* cache) {
  ZX_DEBUG_ASSERT(page != NULL);
  uint64_t index = offset_to_index(offset);
  struct vm_page_list_node* node = find_node(list, index);
  if (!node) {
    node = cache_pop(cache);
    node->first_index = index & ~NODE_MASK;
    wavl_insert(&list->tree, &node->tree_node);
  }
  ZX_ASSERT_MSG(node->pages[index & NODE_MASK] == NULL, "slot %#lx occupied",
                (unsigned long)offset);
  node->pages[index & NODE_MASK] = page;
  account(list, node, page, 1);
}

static void node_erase(struct vm_page_list* list, struct vm_page_list_node* node) {
  if (list->hint == node) list->hint = NULL;
  wavl_erase(&list->tree, &node->tree_node);
  heap_free(node);
}

struct vm_page* vm_page_list_remove(struct vm_page_list* list, uint64_t offset) {
  uint64_t index = offset_to_index(offset);
  struct vm_page_list_node* node = find_node(list, index);
  if (!node) return NULL;
  struct vm_page* page = node->pages[index & NODE_MASK];
  if (!page) return NULL;
  node->pages[index & NODE_MASK] = NULL;
  account(list, node, page, -1);
  if (node->used == 0) node_erase(list, node);
  return page;
}

struct vm_page* vm_page_list_replace(struct vm_page_list* list, uint64_t offset,
                                     struct vm_page* page) {
  ZX_DEBUG_ASSERT(page != NULL);
  uint64_t index = offset_to_index(offset);
  struct vm_page_list_node* node = find_node(list, index);
  ZX_ASSERT_MSG(node != NULL && node->pages[index & NODE_MASK] != NULL, "slot %#lx empty",
                (unsigned long)offset);
  struct vm_page* old = node->pages[index & NODE_MASK];
  account(list, node, old, -1);
  node->pages[index & NODE_MASK] = page;
  account(list, node, page, 1);
  return old;
}

void vm_page_list_remove_markers(struct vm_page_list* list) {
  struct vm_page_list_node* node = node_of(wavl_first(&list->tree));
  while (list->marker_count != 0 && node != NULL) {
    struct vm_page_list_node* next = node_next(node);
    for (uint32_t i = 0; node->markers != 0 && i < VM_PAGE_LIST_NODE_PAGES; i++) {
      if (node->pages[i] == NULL || !vm_page_is_marker(node->pages[i])) continue;
      account(list, node, node->pages[i], -1);
      node->pages[i] = NULL;
    }
    if (node->used == 0) node_erase(list, node);
    node = next;
  }
}

// The slot range [lo, hi) of |node| that lies inside [start_index, end_index).
static void node_slots_in(const struct vm_page_list_node* node, uint64_t start_index,
                          uint64_t end_index, uint32_t* lo, uint32_t* hi) {
  uint64_t first = node->first_index;
  *lo = start_index > first ? (uint32_t)(start_index - first) : 0;
  uint64_t room = end_index - first;  // end_index > first for nodes visited
  *hi = room < VM_PAGE_LIST_NODE_PAGES ? (uint32_t)room : VM_PAGE_LIST_NODE_PAGES;
}

// The last node that starts below |end_index| (may end before the range), or NULL.
static struct vm_page_list_node* node_before(const struct vm_page_list* list, uint64_t end_index) {
  uint64_t key = (end_index - 1) & ~NODE_MASK;
  struct wavl_node* n = wavl_lower_bound(&list->tree, &key);
  if (!n) return node_of(wavl_last(&list->tree));
  if (node_of(n)->first_index == key) return node_of(n);
  return node_of(wavl_prev(n));
}

uint64_t vm_page_list_remove_range(struct vm_page_list* list, uint64_t start, uint64_t end,
                                   struct page_list* out) {
  uint64_t start_index = offset_to_index(start), end_index = offset_to_index(end);
  if (start_index >= end_index) return 0;
  uint64_t removed = 0;
  // Walk backwards: pages reach |out| in decreasing offset order, so a LIFO free list hands them
  // back in increasing order on the next allocation (sequential zeroing and copying).
  struct vm_page_list_node* node = node_before(list, end_index);
  while (node && node->first_index + NODE_MASK >= start_index) {
    struct vm_page_list_node* prev = node_of(wavl_prev(&node->tree_node));
    uint32_t lo, hi;
    node_slots_in(node, start_index, end_index, &lo, &hi);
    for (uint32_t i = hi; i-- > lo;) {
      struct vm_page* page = node->pages[i];
      if (!page) continue;
      node->pages[i] = NULL;
      account(list, node, page, -1);
      if (vm_page_is_marker(page)) continue;
      page_list_add_tail(out, page);
      removed++;
    }
    if (node->used == 0) node_erase(list, node);
    node = prev;
  }
  return removed;
}

void vm_page_list_for_every_page_in_range(const struct vm_page_list* list, uint64_t start,
                                          uint64_t end, vm_page_list_fn fn, void* ctx) {
  uint64_t start_index = offset_to_index(start), end_index = offset_to_index(end);
  if (start_index >= end_index) return;
  for (struct vm_page_list_node* node = node_at_or_after(list, start_index);
       node && node->first_index < end_index; node = node_next(node)) {
    uint32_t lo, hi;
    node_slots_in(node, start_index, end_index, &lo, &hi);
    for (uint32_t i = lo; i < hi; i++) {
      struct vm_page* page = node->pages[i];
      if (page && !vm_page_is_marker(page) &&
          !fn(page, index_to_offset(node->first_index + i), ctx)) {
        return;
      }
    }
  }
}

struct vm_page* vm_page_list_next_page(const struct vm_page_list* list, uint64_t offset,
                                       uint64_t* out_offset) {
  uint64_t start_index = offset_to_index(offset);
  for (struct vm_page_list_node* node = node_at_or_after(list, start_index); node;
       node = node_next(node)) {
    uint32_t lo = start_index > node->first_index ? (uint32_t)(start_index - node->first_index) : 0;
    for (uint32_t i = lo; i < VM_PAGE_LIST_NODE_PAGES; i++) {
      if (node->pages[i] && !vm_page_is_marker(node->pages[i])) {
        *out_offset = index_to_offset(node->first_index + i);
        return node->pages[i];
      }
    }
  }
  return NULL;
}

struct vm_page* vm_page_list_next_entry(const struct vm_page_list* list, uint64_t offset,
                                        uint64_t* out_offset) {
  uint64_t start_index = offset_to_index(offset);
  for (struct vm_page_list_node* node = node_at_or_after(list, start_index); node;
       node = node_next(node)) {
    uint32_t lo = start_index > node->first_index ? (uint32_t)(start_index - node->first_index) : 0;
    for (uint32_t i = lo; i < VM_PAGE_LIST_NODE_PAGES; i++) {
      if (node->pages[i]) {
        *out_offset = index_to_offset(node->first_index + i);
        return node->pages[i];
      }
    }
  }
  return NULL;
}

void vm_page_list_count_range(const struct vm_page_list* list, uint64_t start, uint64_t end,
                              uint64_t* out_pages, uint64_t* out_nodes) {
  uint64_t start_index = offset_to_index(start), end_index = offset_to_index(end);
  uint64_t pages = 0, nodes = 0;
  struct vm_page_list_node* node =
      start_index < end_index ? node_at_or_after(list, start_index) : NULL;
  for (; node && node->first_index < end_index; node = node_next(node)) {
    uint32_t lo, hi;
    node_slots_in(node, start_index, end_index, &lo, &hi);
    nodes++;
    if (lo == 0 && hi == VM_PAGE_LIST_NODE_PAGES) {
      pages += node->used - node->markers;
      continue;
    }
    for (uint32_t i = lo; i < hi; i++) {
      pages += node->pages[i] != NULL && !vm_page_is_marker(node->pages[i]);
    }
  }
  *out_pages = pages;
  *out_nodes = nodes;
}

uint64_t vm_page_list_nodes_needed(const struct vm_page_list* list, uint64_t start, uint64_t end) {
  uint64_t start_index = offset_to_index(start), end_index = offset_to_index(end);
  if (start_index >= end_index) return 0;
  uint64_t groups =
      ((end_index - 1) >> VM_PAGE_LIST_NODE_SHIFT) - (start_index >> VM_PAGE_LIST_NODE_SHIFT) + 1;
  uint64_t pages, nodes;
  vm_page_list_count_range(list, start, end, &pages, &nodes);
  return groups - nodes;
}

void vm_page_list_node_cache_init(struct vm_page_list_node_cache* cache) {
  cache->head = NULL;
  cache->count = 0;
}

static struct vm_page_list_node* cache_pop(struct vm_page_list_node_cache* cache) {
  struct vm_page_list_node* node = cache->head;
  ZX_ASSERT_MSG(node != NULL, "node cache empty");
  cache->head = (struct vm_page_list_node*)node->tree_node.left;
  cache->count--;
  wavl_node_init(&node->tree_node);
  return node;
}

zx_status_t vm_page_list_node_cache_fill(struct vm_page_list_node_cache* cache, uint64_t count) {
  struct vm_page_list_node_cache fresh;
  vm_page_list_node_cache_init(&fresh);
  for (uint64_t i = 0; i < count; i++) {
    struct vm_page_list_node* node = heap_calloc(1, sizeof(*node));
    if (!node) {
      vm_page_list_node_cache_drain(&fresh);
      return ZX_ERR_NO_MEMORY;
    }
    node->tree_node.left = (struct wavl_node*)fresh.head;
    fresh.head = node;
    fresh.count++;
  }
  while (fresh.count > 0) {
    struct vm_page_list_node* node = fresh.head;
    fresh.head = (struct vm_page_list_node*)node->tree_node.left;
    fresh.count--;
    node->tree_node.left = (struct wavl_node*)cache->head;
    cache->head = node;
    cache->count++;
  }
  return ZX_OK;
}

void vm_page_list_node_cache_drain(struct vm_page_list_node_cache* cache) {
  while (cache->count > 0) heap_free(cache_pop(cache));
}

struct fill_state {
  struct vm_page_list* list;
  struct page_list* pages;
  struct vm_page_list_node_cache* cache;
  vm_page_list_init_fn init;
  void* ctx;
  uint64_t filled;
};

// Fills the empty slots [lo, hi) of |node|.
static void fill_node(struct fill_state* st, struct vm_page_list_node* node, uint32_t lo,
                      uint32_t hi) {
  for (uint32_t i = lo; i < hi; i++) {
    if (node->pages[i]) continue;
    struct vm_page* page = page_list_remove_head(st->pages);
    ZX_ASSERT_MSG(page != NULL, "fill_range: page supply short");
    st->init(page, index_to_offset(node->first_index + i), st->ctx);
    node->pages[i] = page;
    node->used++;
    st->filled++;
  }
}

void vm_page_list_fill_range(struct vm_page_list* list, uint64_t start, uint64_t end,
                             struct page_list* pages, struct vm_page_list_node_cache* cache,
                             vm_page_list_init_fn init, void* ctx) {
  uint64_t start_index = offset_to_index(start), end_index = offset_to_index(end);
  struct fill_state st = {list, pages, cache, init, ctx, 0};
  struct vm_page_list_node* existing =
      start_index < end_index ? node_at_or_after(list, start_index) : NULL;
  uint64_t group = start_index & ~NODE_MASK;
  while (group < end_index) {
    struct vm_page_list_node* node;
    if (existing && existing->first_index == group) {
      node = existing;
      existing = node_next(existing);
    } else {
      node = cache_pop(cache);
      node->first_index = group;
      // Inserted before filling: the tree never holds it empty once this function returns.
      wavl_insert(&list->tree, &node->tree_node);
    }
    uint32_t lo, hi;
    node_slots_in(node, start_index, end_index, &lo, &hi);
    fill_node(&st, node, lo, hi);
    if (end_index - group <= VM_PAGE_LIST_NODE_PAGES) break;
    group += VM_PAGE_LIST_NODE_PAGES;
  }
  list->page_count += st.filled;
}

void vm_page_list_cursor_init(struct vm_page_list_cursor* cursor, const struct vm_page_list* list,
                              uint64_t offset) {
  cursor->list = list;
  cursor->node = node_at_or_after(list, offset_to_index(offset));
}

struct vm_page* vm_page_list_cursor_get(struct vm_page_list_cursor* cursor, uint64_t offset) {
  uint64_t index = offset_to_index(offset);
  while (cursor->node && cursor->node->first_index + NODE_MASK < index) {
    cursor->node = node_next(cursor->node);
  }
  const struct vm_page_list_node* node = cursor->node;
  if (!node || node->first_index > index) return NULL;
  return node->pages[index - node->first_index];
}

static void check_node(const struct vm_page_list* list, const struct vm_page_list_node* node,
                       uint64_t size) {
  ZX_ASSERT_MSG((node->first_index & NODE_MASK) == 0, "node index %#lx unaligned",
                (unsigned long)node->first_index);
  uint32_t used = 0, markers = 0;
  for (uint32_t i = 0; i < VM_PAGE_LIST_NODE_PAGES; i++) {
    const struct vm_page* page = node->pages[i];
    if (!page) continue;
    used++;
    uint64_t index = node->first_index + i;
    if (vm_page_is_marker(page)) {
      markers++;
      ZX_ASSERT_MSG(index < (size >> PAGE_SIZE_SHIFT), "marker %#lx beyond size %#lx",
                    (unsigned long)index, (unsigned long)size);
      continue;
    }
    ZX_ASSERT_MSG(page->state == VM_PAGE_STATE_OBJECT, "page %#lx state %u", (unsigned long)index,
                  page->state);
    ZX_ASSERT_MSG(page->owner == list->owner, "page %#lx owner %p != %p", (unsigned long)index,
                  page->owner, list->owner);
    ZX_ASSERT_MSG(page->object_page_index == index, "page index %lu in slot %lu",
                  (unsigned long)page->object_page_index, (unsigned long)index);
    ZX_ASSERT_MSG(index < (size >> PAGE_SIZE_SHIFT), "page %#lx beyond size %#lx",
                  (unsigned long)index, (unsigned long)size);
  }
  ZX_ASSERT_MSG(used == node->used && used > 0, "node %#lx used %u counted %u",
                (unsigned long)node->first_index, node->used, used);
  ZX_ASSERT_MSG(markers == node->markers, "node %#lx markers %u counted %u",
                (unsigned long)node->first_index, node->markers, markers);
}

void vm_page_list_check(const struct vm_page_list* list, uint64_t size) {
  wavl_check(&list->tree);
  uint64_t pages = 0, markers = 0;
  const struct vm_page_list_node* prev = NULL;
  bool hint_found = list->hint == NULL;
  for (const struct vm_page_list_node* node = node_of(wavl_first(&list->tree)); node;
       node = node_next(node)) {
    ZX_ASSERT_MSG(!prev || prev->first_index < node->first_index, "nodes out of order");
    check_node(list, node, size);
    pages += node->used - node->markers;
    markers += node->markers;
    prev = node;
    if (node == list->hint) hint_found = true;
  }
  ZX_ASSERT_MSG(hint_found, "lookup hint %p is not a node of this list", (void*)list->hint);
  ZX_ASSERT_MSG(pages == list->page_count, "page_count %lu, counted %lu",
                (unsigned long)list->page_count, (unsigned long)pages);
  ZX_ASSERT_MSG(markers == list->marker_count, "marker_count %lu, counted %lu",
                (unsigned long)list->marker_count, (unsigned long)markers);
}
