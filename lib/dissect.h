/* Dissection entry points: link layer, IP, tunnels (RFC 2473/2003/2004/2784/2890/3519) and
 * signaling. */
#ifndef DMM_DISSECT_H
#define DMM_DISSECT_H

#include "field.h"

#include <stddef.h>
#include <stdint.h>

#define DMM_MAX_DEPTH 8 /* nested IP-in-IP/GRE/UDP tunnels looked into */

/* Frame metadata given to dmm_dissect_frame. */
struct dmm_frame {
	uint64_t number; /* 1-based frame number */
	int linktype;    /* pcap DLT_ value */
	int64_t ts_sec;  /* capture time */
	uint32_t ts_nsec;
	uint32_t caplen;  /* octets captured */
	uint32_t wirelen; /* octets on the wire */
};

/* Dissect one captured frame: frame fields, link layer, then dmm_dissect_ip. */
void dmm_dissect_frame(const struct dmm_frame *fr, const uint8_t *p, struct dmm_out *out);

/* Dissect an IPv4 or IPv6 packet (by version nibble) at tunnel depth 'depth'
 * (0 = outermost). Beyond DMM_MAX_DEPTH the payload is shown as raw data. */
void dmm_dissect_ip(const uint8_t *p, size_t len, unsigned depth, struct dmm_out *out);

/* Mobile IPv4 message in a UDP payload (port 434). Tunnel Data (type 4) recurses
 * into dmm_dissect_ip at depth+1. */
void mip4_dissect(const uint8_t *p, size_t len, unsigned depth, struct dmm_out *out);

#endif
