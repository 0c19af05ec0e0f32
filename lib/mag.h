/* Mobile access gateway (RFC 5213 §6) with RFC 8278 §4.4 multipath registration. */
#ifndef DMM_MAG_H
#define DMM_MAG_H

#include "bcache.h"

#include <stddef.h>
#include <stdint.h>

struct mag;

/* A mobile node attached on access interface iface (from a Router Solicitation, a link event
 * or the control socket): its registration starts. ll_id (may be NULL) names the node on the
 * access link (RA destination) and goes in the MN Link-layer Identifier option.
 * Returns 0, or -1 (bad identifier, unknown interface, out of memory). */
int mag_mn_attach(struct mag *m, const char *mn_id, const char *iface, const char *ll_id);
/* The node left: its bindings are de-registered. Returns 0, or -1 when not attached. */
int mag_mn_detach(struct mag *m, const char *mn_id);
/* Administratively fail (up 0) or restore (up 1) a WAN path, by path or interface name. */
int mag_link(struct mag *m, const char *name, int up);

/* Process one received Mobility Header (a PBA). Returns 0 when used, -1 when dropped. */
int mag_input(struct mag *m, const uint8_t src[16], const uint8_t dst[16], const uint8_t *mh,
              size_t len);

struct bcache *mag_bul(struct mag *m);
uint64_t mag_counter(const struct mag *m, const char *name);

/* Called when a node's prefixes become usable (lifetime > 0) or are withdrawn (0); the
 * default advertises them on the access link (lib/ndp.h). */
typedef void (*mag_prefix_cb)(void *arg, const char *iface, const char *ll_id,
                              const struct bc_entry *e, uint32_t lifetime_s);
void mag_set_prefix_cb(struct mag *m, mag_prefix_cb cb, void *arg);

/* Hook for tests: every PBU the MAG sends (src, dst, bytes) goes here instead of the socket. */
typedef void (*mag_send_hook)(void *arg, const uint8_t src[16], const uint8_t dst[16],
                              const uint8_t *mh, size_t len);
void mag_set_send_hook(struct mag *m, mag_send_hook hook, void *arg);

#endif
