/* Frame rebuild from dmm-decode JSON: link, IP, tunnels, MH (RFC 6275 §6.1), MIPv4 (RFC 5944). */
#ifndef DMM_JSON_BUILD_H
#define DMM_JSON_BUILD_H

#include "cursor.h"

#include <stddef.h>

struct json_object;

/* Build the frame octets (link layer included) of one packet object as
 * `dmm-decode -T json` prints it, from its field values through the project's
 * encoders (pkt_* builders, mh_encode, mip4_encode, haaro_pfx_encode).
 *
 * Layers are the top-level subtrees in order ("dmm.order" gives the order of
 * repeated keys); "frame" and "dmm.error" are ignored. *linktype receives the
 * pcap link type of the first layer: eth 1, sll 113 (276 with sll.ifindex),
 * null 0, raw 101, ip 228, ipv6 229.
 *
 * Lengths, checksums, Header Len and Length octets are computed; a value the
 * JSON gives that differs from the computed one is kept (deliberately malformed
 * packets rebuild as captured). Fields left out are 0, except: next-protocol
 * numbers (eth.type, vlan.etype, ip.proto, ipv6.nxt without extension headers,
 * gre.proto, minenc.proto) follow the next layer; TTL and Hop Limit are 64;
 * MN-HA / MC-Auth / RFC 4285 authenticators are computed with the keys in
 * dmm_keys. Each subtree must hold its identifying fields (eth.dst/src,
 * ip(v6).src/dst, udp ports, mip6.mhtype, mip6.mobility_opt, mip.type first,
 * mip.ext.type, ...). Option and message numbers are read under the current
 * dmm_numbers (give the decoder's --tba/--profile).
 *
 * Returns 0, or -1 with a one-line reason in err (w is then as it was); bad
 * input never crashes and takes bounded work. Like the registry lookups, the
 * first use builds indexes: make one call before calling from several threads. */
int dmm_json_build(struct json_object *pkt, struct dmm_wbuf *w, int *linktype, char *err,
                   size_t errlen);

#endif
