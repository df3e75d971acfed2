// Intrusive circular doubly linked list. A list is a sentinel node; an element embeds a
// struct list_node. A node not on any list has next == prev == NULL (list_node_init), which
// list_in_list() tests. No allocation; every operation is O(1) except list_length.
#ifndef ZXVM_BASE_LIST_H_
#define ZXVM_BASE_LIST_H_

#include "base/compiler.h"

struct list_node {
  struct list_node* prev;
  struct list_node* next;
};

#define LIST_INITIAL_VALUE(list) {&(list), &(list)}

static inline void list_initialize(struct list_node* list) { list->prev = list->next = list; }
static inline void list_node_init(struct list_node* node) { node->prev = node->next = NULL; }
static inline bool list_in_list(const struct list_node* node) { return node->next != NULL; }
static inline bool list_is_empty(const struct list_node* list) { return list->next == list; }

static inline void list_add_after(struct list_node* at, struct list_node* node) {
  node->prev = at;
  node->next = at->next;
  at->next->prev = node;
  at->next = node;
}
static inline void list_add_head(struct list_node* list, struct list_node* node) {
  list_add_after(list, node);
}
static inline void list_add_tail(struct list_node* list, struct list_node* node) {
  list_add_after(list->prev, node);
}
static inline void list_delete(struct list_node* node) {
  node->next->prev = node->prev;
  node->prev->next = node->next;
  node->prev = node->next = NULL;
}
static inline struct list_node* list_peek_head(const struct list_node* list) {
  return list_is_empty(list) ? NULL : list->next;
}
static inline struct list_node* list_peek_tail(const struct list_node* list) {
  return list_is_empty(list) ? NULL : list->prev;
}
static inline struct list_node* list_remove_head(struct list_node* list) {
  struct list_node* n = list_peek_head(list);
  if (n) list_delete(n);
  return n;
}
static inline struct list_node* list_remove_tail(struct list_node* list) {
  struct list_node* n = list_peek_tail(list);
  if (n) list_delete(n);
  return n;
}
static inline size_t list_length(const struct list_node* list) {
  size_t n = 0;
  for (const struct list_node* it = list->next; it != list; it = it->next) n++;
  return n;
}
// Moves every node of |src| to the tail of |dst|; |src| becomes empty.
static inline void list_splice_tail(struct list_node* dst, struct list_node* src) {
  if (list_is_empty(src)) return;
  src->next->prev = dst->prev;
  dst->prev->next = src->next;
  src->prev->next = dst;
  dst->prev = src->prev;
  list_initialize(src);
}

#define list_entry(node, type, member) containerof(node, type, member)
#define list_for_every(list, node) \
  for (struct list_node* node = (list)->next; node != (list); node = node->next)
// Safe against deleting |node| inside the loop.
#define list_for_every_safe(list, node, tmp)                                     \
  for (struct list_node* node = (list)->next, *tmp = node->next; node != (list); \
       node = tmp, tmp = node->next)

#endif  // ZXVM_BASE_LIST_H_
