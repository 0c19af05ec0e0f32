/* Local mobility anchor (RFC 5213 §5) with RFC 8278 §4 multipath bindings. */
#ifndef DMM_LMA_H
#define DMM_LMA_H

#include "bcache.h"

#include <stddef.h>
#include <stdint.h>

struct lma;

/* Process one received Mobility Header (src/dst: the IPv6 header's addresses). Writes the PBA
 * to out and returns its length (sent from dst to src), or 0 when the message is dropped
 * (checksum, malformed, authentication, not a PBU, ignored de-registration). */
int lma_input(struct lma *l, const uint8_t src[16], const uint8_t dst[16], const uint8_t *mh,
              size_t len, uint8_t *out, size_t cap);

struct bcache *lma_bcache(struct lma *l);
/* Counter by name (as show-counters prints it); 0 for unknown names. */
uint64_t lma_counter(const struct lma *l, const char *name);
/* Prefixes allocated from the pool. */
uint32_t lma_pool_used(const struct lma *l);

#endif
