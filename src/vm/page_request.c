// Page requests: a one-shot rendezvous between a blocked access and the producer of its pages.
#include "vm/page_request.h"

static const struct lock_class page_request_lock_class = {"page_request", LOCK_RANK_LEAF};

void multi_page_request_init(struct multi_page_request* r) {
  mutex_init(&r->lock, &page_request_lock_class);
  cond_init(&r->cond);
  r->state = PAGE_REQUEST_IDLE;
  r->result = ZX_OK;
  r->source = NULL;
  r->offset = 0;
  r->len = 0;
  r->access_len = PAGE_SIZE;
  r->early_wake = true;
}

void multi_page_request_fini(struct multi_page_request* r) {
  cond_destroy(&r->cond);
  mutex_destroy(&r->lock);
}

void multi_page_request_arm(struct multi_page_request* r, void* source, uint64_t offset,
                            uint64_t len) {
  mutex_lock(&r->lock);
  ZX_DEBUG_ASSERT(r->state != PAGE_REQUEST_ARMED);
  r->state = PAGE_REQUEST_ARMED;
  r->source = source;
  r->offset = offset;
  r->len = len;
  mutex_unlock(&r->lock);
}

bool multi_page_request_is_armed(struct multi_page_request* r) {
  mutex_lock(&r->lock);
  bool armed = r->state == PAGE_REQUEST_ARMED;
  mutex_unlock(&r->lock);
  return armed;
}

void multi_page_request_complete(struct multi_page_request* r, zx_status_t status) {
  mutex_lock(&r->lock);
  if (r->state == PAGE_REQUEST_ARMED) {
    r->state = PAGE_REQUEST_DONE;
    r->result = status;
    cond_broadcast(&r->cond);
  }
  mutex_unlock(&r->lock);
}

zx_status_t multi_page_request_wait(struct multi_page_request* r, int64_t deadline_ns) {
  mutex_lock(&r->lock);
  zx_status_t status;
  if (r->state == PAGE_REQUEST_IDLE) {
    status = ZX_ERR_BAD_STATE;
  } else {
    while (r->state == PAGE_REQUEST_ARMED) {
      if (!cond_wait_deadline(&r->cond, &r->lock, deadline_ns)) break;
    }
    if (r->state == PAGE_REQUEST_DONE) {
      status = r->result;
      r->state = PAGE_REQUEST_IDLE;
      r->source = NULL;
    } else {
      status = ZX_ERR_TIMED_OUT;
    }
  }
  mutex_unlock(&r->lock);
  return status;
}
