/* IPv6 Mobility Header and mobility options: RFC 6275 §6.1-6.2, RFC 5213 §8, RFC 8278 §4, seed 004
 * §3.6. */
#include "mh.h"

#include "inet.h"
#include "keys.h"
#include "mac.h"
#include "numbers.h"

#include <stdio.h>
#include <string.h>

/* ---- value tables ---- */

const struct dmm_vals mh_type_vals[] = {
    {MH_BRR, "Binding Refresh Request"},
    {MH_HOTI, "Home Test Init"},
    {MH_COTI, "Care-of Test Init"},
    {MH_HOT, "Home Test"},
    {MH_COT, "Care-of Test"},
    {MH_BU, "Binding Update"},
    {MH_BA, "Binding Acknowledgement"},
    {MH_BE, "Binding Error"},
    {0, NULL},
};

const struct dmm_vals mh_status_vals[] = {
    {0, "Binding Update accepted"},
    {1, "Accepted but prefix discovery necessary"},
    {2, "GRE_KEY_OPTION_NOT_REQUIRED"},
    {3, "GRE_TUNNELING_BUT_TLV_HEADER_NOT_SUPPORTED"},
    {128, "Reason unspecified"},
    {129, "Administratively prohibited"},
    {130, "Insufficient resources"},
    {131, "Home registration not supported"},
    {132, "Not home subnet"},
    {133, "Not home agent for this mobile node"},
    {134, "Duplicate Address Detection failed"},
    {135, "Sequence number out of window"},
    {136, "Expired home nonce index"},
    {137, "Expired care-of nonce index"},
    {138, "Expired nonces"},
    {139, "Registration type change disallowed"},
    {152, "PROXY_REG_NOT_ENABLED"},
    {153, "NOT_LMA_FOR_THIS_MOBILE_NODE"},
    {154, "MAG_NOT_AUTHORIZED_FOR_PROXY_REG"},
    {155, "NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX"},
    {156, "TIMESTAMP_MISMATCH"},
    {157, "TIMESTAMP_LOWER_THAN_PREV_ACCEPTED"},
    {158, "MISSING_HOME_NETWORK_PREFIX_OPTION"},
    {159, "BCE_PBU_PREFIX_SET_DO_NOT_MATCH"},
    {160, "MISSING_MN_IDENTIFIER_OPTION"},
    {161, "MISSING_HANDOFF_INDICATOR_OPTION"},
    {162, "MISSING_ACCESS_TECH_TYPE_OPTION"},
    {163, "GRE_KEY_OPTION_REQUIRED"},
    {170, "NOT_AUTHORIZED_FOR_IPV4_MOBILITY_SERVICE"},
    {171, "NOT_AUTHORIZED_FOR_IPV4_HOME_ADDRESS"},
    {172, "NOT_AUTHORIZED_FOR_IPV6_MOBILITY_SERVICE"},
    {173, "MULTIPLE_IPV4_HOME_ADDRESS_ASSIGNMENT_NOT_SUPPORTED"},
    {174, "Invalid Care-of Address"},
    {180, "CANNOT_SUPPORT_MULTIPATH_BINDING"},
    {0, NULL},
};

static const struct dmm_vals be_status_vals[] = {
    {1, "Unknown binding for Home Address destination option"},
    {2, "Unrecognized MH Type value"},
    {0, NULL},
};

const struct dmm_vals mh_hi_vals[] = {
    {0, "Reserved"},
    {1, "Attachment over a new interface"},
    {2, "Handoff between two different interfaces of the mobile node"},
    {3, "Handoff between mobile access gateways for the same interface"},
    {4, "Handoff state unknown"},
    {5, "Handoff state not changed (Re-registration)"},
    {6, "Inter-MAG handoff - same interface (RFC 7864)"},
    {0, NULL},
};

const struct dmm_vals mh_att_vals[] = {
    {0, "Reserved"},         {1, "Virtual"},      {2, "PPP"},         {3, "IEEE 802.3"},
    {4, "IEEE 802.11a/b/g"}, {5, "IEEE 802.16e"}, {6, "3GPP GERAN"},  {7, "3GPP UTRAN"},
    {8, "3GPP E-UTRAN"},     {9, "3GPP2 eHRPD"},  {10, "3GPP2 HRPD"}, {11, "3GPP2 1xRTT"},
    {12, "3GPP2 UMB"},       {13, "3GPP NB-IoT"}, {0, NULL},
};

const struct dmm_vals mh_mnid_subtype_vals[] = {
    {1, "Network Access Identifier (NAI)"},
    {2, "IPv6 Address"},
    {3, "IMSI"},
    {4, "P-TMSI"},
    {5, "EUI-48 address"},
    {6, "EUI-64 address"},
    {7, "GUTI"},
    {8, "DUID"},
    {0, NULL},
};

static const struct dmm_vals mh_opt_type_vals[] = {
    {0, "Pad1"},
    {1, "PadN"},
    {8, "Mobile Node Identifier"},
    {9, "Authentication"},
    {19, "Vendor Specific"},
    {22, "Home Network Prefix"},
    {23, "Handoff Indicator"},
    {24, "Access Technology Type"},
    {25, "Mobile Node Link-layer Identifier"},
    {26, "Link-local Address"},
    {27, "Timestamp"},
    {31, "NAT Detection"},
    {32, "IPv4 Care-of Address"},
    {33, "GRE Key"},
    {36, "IPv4 Home Address Request"},
    {37, "IPv4 Home Address Reply"},
    {38, "IPv4 Default-Router Address"},
    {39, "IPv4 DHCP Support Mode"},
    {63, "MAG Multipath Binding"},
    {64, "MAG Identifier"},
    {67, "Previous MAAR"},
    {68, "Serving MAAR"},
    {0, NULL},
};

/* ---- fields ---- */

enum mh_field_index {
	F_MIP6,
	F_PROTO,
	F_HLEN,
	F_MHTYPE,
	F_RESERVED,
	F_CSUM,
	F_CSUM_STATUS,
	F_BU,
	F_BU_SEQ,
	F_BU_A,
	F_BU_H,
	F_BU_L,
	F_BU_K,
	F_BU_M,
	F_BU_R,
	F_BU_P,
	F_BU_F,
	F_BU_T,
	F_BU_B,
	F_BU_S,
	F_BU_D,
	F_BU_RESERVED,
	F_BU_LIFETIME,
	F_BA,
	F_BA_STATUS,
	F_BA_K,
	F_BA_R,
	F_BA_P,
	F_BA_T,
	F_BA_B,
	F_BA_S,
	F_BA_D,
	F_BA_RESERVED,
	F_BA_SEQ,
	F_BA_LIFETIME,
	F_BE,
	F_BE_STATUS,
	F_BE_RESERVED,
	F_BE_HADDR,
	F_BRR,
	F_BRR_RESERVED,
	F_HOTI,
	F_HOTI_RESERVED,
	F_HOTI_COOKIE,
	F_COTI,
	F_COTI_RESERVED,
	F_COTI_COOKIE,
	F_HOT,
	F_HOT_NINDEX,
	F_HOT_COOKIE,
	F_HOT_TOKEN,
	F_COT,
	F_COT_NINDEX,
	F_COT_COOKIE,
	F_COT_TOKEN,
	F_UNKNOWN_TYPE_DATA,
	F_OPTIONS,
	F_OPT_TYPE,
	F_OPT_LEN,
	F_OPT_DATA,
	F_OPT_UNKNOWN,
	F_PAD1,
	F_PADN_NODE,
	F_PADN,
	F_MNID_NODE,
	F_MNID_SUBTYPE,
	F_MNID_ID,
	F_AUTH_NODE,
	F_AUTH_SUBTYPE,
	F_AUTH_SPI,
	F_AUTH_DATA,
	F_AUTH_STATUS,
	F_VSM_NODE,
	F_VSM_VENDOR,
	F_VSM_SUBTYPE,
	F_VSM_DATA,
	F_HNP_NODE,
	F_HNP_RESERVED,
	F_HNP_PLEN,
	F_HNP_PREFIX,
	F_HI_NODE,
	F_HI_RESERVED,
	F_HI,
	F_ATT_NODE,
	F_ATT_RESERVED,
	F_ATT,
	F_MNLLI_NODE,
	F_MNLLI_RESERVED,
	F_MNLLI_LLI,
	F_LLA_NODE,
	F_LLA,
	F_TS_NODE,
	F_TS,
	F_NATD_NODE,
	F_NATD_F,
	F_NATD_RESERVED,
	F_NATD_REFRESH,
	F_V4COA_NODE,
	F_V4COA_RESERVED,
	F_V4COA_ADDR,
	F_GRE_NODE,
	F_GRE_RESERVED,
	F_GRE_KEY,
	F_V4HREQ_NODE,
	F_V4HA_PLEN,
	F_V4HA_RESERVED,
	F_V4HA_ADDR,
	F_V4HREP_NODE,
	F_V4HREP_STATUS,
	F_V4DRA_NODE,
	F_V4DRA_RESERVED,
	F_V4DRA_ADDR,
	F_V4DSM_NODE,
	F_V4DSM_RESERVED,
	F_V4DSM_S,
	F_MMB_NODE,
	F_MMB_IF_ATT,
	F_MMB_IF_LABEL,
	F_MMB_BID,
	F_MMB_B,
	F_MMB_O,
	F_MMB_FLAGS_RESERVED,
	F_MMB_RESERVED,
	F_MAGID_NODE,
	F_MAGID_SUBTYPE,
	F_MAGID_RESERVED,
	F_MAGID_ID,
	F_PMAAR_NODE,
	F_PMAAR_RESERVED,
	F_PMAAR_PLEN,
	F_PMAAR_ADDR,
	F_PMAAR_HNP,
	F_SMAAR_NODE,
	F_SMAAR_ADDR,
	F_MH_FIELD_COUNT
};

/* clang-format off */
#define NODE(a, n) {a, n, DMM_FT_NODE, 0, 0, NULL}
#define UINT(a, n) {a, n, DMM_FT_UINT, 0, 0, NULL}
#define UINTS(a, n) {a, n, DMM_FT_UINT, 0, DMM_F_SUMMARY, NULL}
#define VALS(a, n, v) {a, n, DMM_FT_UINT, 0, 0, v}
#define VALSS(a, n, v) {a, n, DMM_FT_UINT, 0, DMM_F_SUMMARY, v}
#define HEX(a, n, w) {a, n, DMM_FT_HEX, w, 0, NULL}
#define HEX64(a, n) {a, n, DMM_FT_HEX64, 0, 0, NULL}
#define FLAG(a, n) {a, n, DMM_FT_BOOL, 0, 0, NULL}
#define IP6(a, n) {a, n, DMM_FT_IPV6, 0, 0, NULL}
#define IP6S(a, n) {a, n, DMM_FT_IPV6, 0, DMM_F_SUMMARY, NULL}
#define IP4(a, n) {a, n, DMM_FT_IPV4, 0, 0, NULL}
#define BYTES(a, n) {a, n, DMM_FT_BYTES, 0, 0, NULL}
#define STR(a, n) {a, n, DMM_FT_STRING, 0, 0, NULL}
#define STRS(a, n) {a, n, DMM_FT_STRING, 0, DMM_F_SUMMARY, NULL}
/* clang-format on */

const struct dmm_field mh_fields[] = {
    [F_MIP6] = NODE("mip6", "Mobile IPv6"),
    [F_PROTO] = UINT("mip6.proto", "Payload protocol"),
    [F_HLEN] = UINT("mip6.hlen", "Header length"),
    [F_MHTYPE] = VALS("mip6.mhtype", "Mobility Header Type", mh_type_vals),
    [F_RESERVED] = HEX("mip6.reserved", "Reserved", 2),
    [F_CSUM] = HEX("mip6.csum", "Checksum", 4),
    [F_CSUM_STATUS] = STR("mip6.csum.status", "Checksum status"),
    [F_BU] = NODE("mip6.bu", "Binding Update"),
    [F_BU_SEQ] = UINTS("mip6.bu.seqnr", "Sequence number"),
    [F_BU_A] = FLAG("mip6.bu.a_flag", "Acknowledge (A) flag"),
    [F_BU_H] = FLAG("mip6.bu.h_flag", "Home Registration (H) flag"),
    [F_BU_L] = FLAG("mip6.bu.l_flag", "Link-Local Compatibility (L) flag"),
    [F_BU_K] = FLAG("mip6.bu.k_flag", "Key Management Compatibility (K) flag"),
    [F_BU_M] = FLAG("mip6.bu.m_flag", "MAP Registration Compatibility (M) flag"),
    [F_BU_R] = FLAG("mip6.nemo.bu.r_flag", "Mobile Router (R) flag"),
    [F_BU_P] = FLAG("mip6.bu.p_flag", "Proxy Registration (P) flag"),
    [F_BU_F] = FLAG("mip6.bu.f_flag", "Forcing UDP encapsulation (F) flag"),
    [F_BU_T] = FLAG("mip6.bu.t_flag", "TLV-header format (T) flag"),
    [F_BU_B] = FLAG("mip6.bu.b_flag", "Bulk-Binding-Update flag (B)"),
    [F_BU_S] = FLAG("mip6.bu.s_flag", "(S) flag (RFC 7161)"),
    [F_BU_D] = FLAG("mip6.bu.d_flag", "DMM (D) flag (RFC 8885)"),
    [F_BU_RESERVED] = HEX("mip6.bu.reserved", "Reserved", 4),
    [F_BU_LIFETIME] = UINTS("mip6.bu.lifetime", "Lifetime (4 s units)"),
    [F_BA] = NODE("mip6.ba", "Binding Acknowledgement"),
    [F_BA_STATUS] = VALSS("mip6.ba.status", "Status", mh_status_vals),
    [F_BA_K] = FLAG("mip6.ba.k_flag", "Key Management Compatibility (K) flag"),
    [F_BA_R] = FLAG("mip6.nemo.ba.r_flag", "Mobile Router (R) flag"),
    [F_BA_P] = FLAG("mip6.ba.p_flag", "Proxy Registration (P) flag"),
    [F_BA_T] = FLAG("mip6.ba.t_flag", "TLV-header format (T) flag"),
    [F_BA_B] = FLAG("mip6.ba.b_flag", "Bulk-Binding-Update flag (B)"),
    [F_BA_S] = FLAG("mip6.ba.s_flag", "(S) flag (RFC 7161)"),
    [F_BA_D] = FLAG("mip6.ba.d_flag", "DMM (D) flag (RFC 8885)"),
    [F_BA_RESERVED] = HEX("mip6.ba.reserved", "Reserved", 2),
    [F_BA_SEQ] = UINTS("mip6.ba.seqnr", "Sequence number"),
    [F_BA_LIFETIME] = UINTS("mip6.ba.lifetime", "Lifetime (4 s units)"),
    [F_BE] = NODE("mip6.be", "Binding Error"),
    [F_BE_STATUS] = VALSS("mip6.be.status", "Status", be_status_vals),
    [F_BE_RESERVED] = HEX("mip6.be.reserved", "Reserved", 2),
    [F_BE_HADDR] = IP6S("mip6.be.haddr", "Home Address"),
    [F_BRR] = NODE("mip6.brr", "Binding Refresh Request"),
    [F_BRR_RESERVED] = HEX("mip6.brr.reserved", "Reserved", 4),
    [F_HOTI] = NODE("mip6.hoti", "Home Test Init"),
    [F_HOTI_RESERVED] = HEX("mip6.hoti.reserved", "Reserved", 4),
    [F_HOTI_COOKIE] = HEX64("mip6.hoti.cookie", "Home Init Cookie"),
    [F_COTI] = NODE("mip6.coti", "Care-of Test Init"),
    [F_COTI_RESERVED] = HEX("mip6.coti.reserved", "Reserved", 4),
    [F_COTI_COOKIE] = HEX64("mip6.coti.cookie", "Care-of Init Cookie"),
    [F_HOT] = NODE("mip6.hot", "Home Test"),
    [F_HOT_NINDEX] = UINTS("mip6.hot.nindex", "Home Nonce Index"),
    [F_HOT_COOKIE] = HEX64("mip6.hot.cookie", "Home Init Cookie"),
    [F_HOT_TOKEN] = HEX64("mip6.hot.token", "Home Keygen Token"),
    [F_COT] = NODE("mip6.cot", "Care-of Test"),
    [F_COT_NINDEX] = UINTS("mip6.cot.nindex", "Care-of Nonce Index"),
    [F_COT_COOKIE] = HEX64("mip6.cot.cookie", "Care-of Init Cookie"),
    [F_COT_TOKEN] = HEX64("mip6.cot.token", "Care-of Keygen Token"),
    [F_UNKNOWN_TYPE_DATA] = BYTES("mip6.unknown_type_data", "Message data"),
    [F_OPTIONS] = NODE("mip6.options", "Mobility Options"),
    [F_OPT_TYPE] = VALS("mip6.mobility_opt", "Mobility Option", mh_opt_type_vals),
    [F_OPT_LEN] = UINT("mip6.mobility_opt.len", "Length"),
    [F_OPT_DATA] = BYTES("mip6.option.data", "Option data"),
    [F_OPT_UNKNOWN] = NODE("mip6.options.unknown", "Unknown option"),
    [F_PAD1] = NODE("mip6.options.pad1", "Pad1"),
    [F_PADN_NODE] = NODE("mip6.options.padn", "PadN"),
    [F_PADN] = BYTES("mip6.padn", "PadN"),
    [F_MNID_NODE] = NODE("mip6.options.mnid", "Mobile Node Identifier"),
    [F_MNID_SUBTYPE] = VALS("mip6.mnid.subtype", "Subtype", mh_mnid_subtype_vals),
    [F_MNID_ID] = STRS("mip6.mnid.identifier", "Identifier"),
    [F_AUTH_NODE] = NODE("mip6.options.auth", "Authentication"),
    [F_AUTH_SUBTYPE] = UINT("mip6.auth.subtype", "Subtype"),
    [F_AUTH_SPI] = UINT("mip6.auth.mobility_spi", "Mobility SPI"),
    [F_AUTH_DATA] = BYTES("mip6.auth.auth_data", "Authentication Data"),
    [F_AUTH_STATUS] = STR("mip6.auth.status", "Authenticator status"),
    [F_VSM_NODE] = NODE("mip6.options.vsm", "Vendor Specific"),
    [F_VSM_VENDOR] = UINT("mip6.vsm.vendorId", "Vendor Id"),
    [F_VSM_SUBTYPE] = UINT("mip6.vsm.subtype", "Subtype"),
    [F_VSM_DATA] = BYTES("mip6.vsm.data", "Data"),
    [F_HNP_NODE] = NODE("mip6.options.hnp", "Home Network Prefix"),
    [F_HNP_RESERVED] = HEX("mip6.hnp.reserved", "Reserved", 2),
    [F_HNP_PLEN] = UINT("mip6.nemo.mnp.pfl", "Prefix Length"),
    [F_HNP_PREFIX] = IP6S("mip6.nemo.mnp.mnp", "Home Network Prefix"),
    [F_HI_NODE] = NODE("mip6.options.hi", "Handoff Indicator"),
    [F_HI_RESERVED] = UINT("mip6.hi.reserved", "Reserved"),
    [F_HI] = VALS("mip6.hi", "Handoff Indicator", mh_hi_vals),
    [F_ATT_NODE] = NODE("mip6.options.att", "Access Technology Type"),
    [F_ATT_RESERVED] = UINT("mip6.att.reserved", "Reserved"),
    [F_ATT] = VALS("mip6.att", "Access Technology Type", mh_att_vals),
    [F_MNLLI_NODE] = NODE("mip6.options.mnlli", "Mobile Node Link-layer Identifier"),
    [F_MNLLI_RESERVED] = UINT("mip6.mnlli.reserved", "Reserved"),
    [F_MNLLI_LLI] = BYTES("mip6.mnlli.lli", "Link-layer Identifier"),
    [F_LLA_NODE] = NODE("mip6.options.lla", "Link-local Address"),
    [F_LLA] = IP6("mip6.lila_lla", "Link-local Address"),
    [F_TS_NODE] = NODE("mip6.options.ts", "Timestamp"),
    [F_TS] = HEX64("mip6.timestamp", "Timestamp (48-bit seconds since 1970, 16-bit fraction)"),
    [F_NATD_NODE] = NODE("mip6.options.natd", "NAT Detection"),
    [F_NATD_F] = FLAG("mip6.natd.f_flag", "Encapsulation (F) flag"),
    [F_NATD_RESERVED] = UINT("mip6.natd.reserved", "Reserved"),
    [F_NATD_REFRESH] = UINT("mip6.natd.refresh_t", "Refresh time"),
    [F_V4COA_NODE] = NODE("mip6.options.ipv4coa", "IPv4 Care-of Address"),
    [F_V4COA_RESERVED] = UINT("mip6.ipv4coa.reserved", "Reserved"),
    [F_V4COA_ADDR] = IP4("mip6.ipv4coa.addr", "IPv4 Care-of Address"),
    [F_GRE_NODE] = NODE("mip6.options.grek", "GRE Key"),
    [F_GRE_RESERVED] = HEX("mip6.gre.reserved", "Reserved", 4),
    [F_GRE_KEY] = UINT("mip6.gre_key", "GRE Key ID"),
    [F_V4HREQ_NODE] = NODE("mip6.options.ipv4hareq", "IPv4 Home Address Request"),
    [F_V4HA_PLEN] = UINT("mip6.ipv4ha.preflen", "Prefix-len"),
    [F_V4HA_RESERVED] = HEX("mip6.ipv4ha.res", "Reserved", 4),
    [F_V4HA_ADDR] = IP4("mip6.ipv4ha.ha", "IPv4 Home Address"),
    [F_V4HREP_NODE] = NODE("mip6.options.ipv4harep", "IPv4 Home Address Reply"),
    [F_V4HREP_STATUS] = UINT("mip6.ipv4aa.sts", "Status"),
    [F_V4DRA_NODE] = NODE("mip6.options.ipv4dra", "IPv4 Default-Router Address"),
    [F_V4DRA_RESERVED] = UINT("mip6.ipv4dra.reserved", "Reserved"),
    [F_V4DRA_ADDR] = IP4("mip6.ipv4dra.dra", "IPv4 Default-Router Address"),
    [F_V4DSM_NODE] = NODE("mip6.options.ipv4dsm", "IPv4 DHCP Support Mode"),
    [F_V4DSM_RESERVED] = UINT("mip6.ipv4dsm.reserved", "Reserved"),
    [F_V4DSM_S] = FLAG("mip6.ipv4dsm.s_flag", "DHCP Support Mode (S) flag"),
    [F_MMB_NODE] = NODE("mip6.options.mmb", "MAG Multipath Binding"),
    [F_MMB_IF_ATT] = VALS("mip6.mmb.if_att", "If-ATT", mh_att_vals),
    [F_MMB_IF_LABEL] = UINT("mip6.mmb.if_label", "If-Label"),
    [F_MMB_BID] = UINTS("mip6.mmb.bid", "Binding-Identifier"),
    [F_MMB_B] = FLAG("mip6.mmb.b_flag", "Bulk Re-registration (B) flag"),
    [F_MMB_O] = FLAG("mip6.mmb.o_flag", "Registration Overwrite (O) flag"),
    [F_MMB_FLAGS_RESERVED] = HEX("mip6.mmb.flags_reserved", "Reserved flag bits", 2),
    [F_MMB_RESERVED] = HEX("mip6.mmb.reserved", "Reserved", 4),
    [F_MAGID_NODE] = NODE("mip6.options.mag_id", "MAG Identifier"),
    [F_MAGID_SUBTYPE] = VALS("mip6.mag_id.subtype", "Subtype", mh_mnid_subtype_vals),
    [F_MAGID_RESERVED] = HEX("mip6.mag_id.reserved", "Reserved", 2),
    [F_MAGID_ID] = STR("mip6.mag_id.id", "Identifier"),
    [F_PMAAR_NODE] = NODE("mip6.options.pmaar", "Previous MAAR"),
    [F_PMAAR_RESERVED] = HEX("mip6.pmaar.reserved", "Reserved", 2),
    [F_PMAAR_PLEN] = UINT("mip6.pmaar.prefix_len", "Prefix Length"),
    [F_PMAAR_ADDR] = IP6S("mip6.pmaar.addr", "Previous MAAR address"),
    [F_PMAAR_HNP] = IP6("mip6.pmaar.hnp", "Home Network Prefix"),
    [F_SMAAR_NODE] = NODE("mip6.options.smaar", "Serving MAAR"),
    [F_SMAAR_ADDR] = IP6S("mip6.smaar.addr", "Serving MAAR address"),
};
DMM_FIELDS(mh_fields);

#define FLD(i) (&mh_fields[i])

/* ---- option rows: parse / print / encode ---- */

/* MN-ID (RFC 4283 §3): Subtype, Identifier. */
static void mnid_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.nai.subtype = cur_u8(c);
	o->v.nai.idlen = (uint8_t)cur_left(c);
	o->v.nai.id = cur_bytes(c, o->v.nai.idlen);
}
static void mnid_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_MNID_SUBTYPE), o->v.nai.subtype);
	dmm_string(out, FLD(F_MNID_ID), o->v.nai.id, o->v.nai.idlen);
}
static void mnid_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u8(w, o->v.nai.subtype);
	wb_bytes(w, o->v.nai.id, o->v.nai.idlen);
}

/* Mobility Message Authentication (RFC 4285 §5): Subtype, SPI, Authentication Data. */
static void auth_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.auth.subtype = cur_u8(c);
	o->v.auth.spi = cur_u32(c);
	o->v.auth.authlen = (uint8_t)cur_left(c);
	o->v.auth.auth = cur_bytes(c, o->v.auth.authlen);
}
static void auth_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_AUTH_SUBTYPE), o->v.auth.subtype);
	dmm_uint(out, FLD(F_AUTH_SPI), o->v.auth.spi);
	dmm_bytes(out, FLD(F_AUTH_DATA), o->v.auth.auth, o->v.auth.authlen);
}
static void auth_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u8(w, o->v.auth.subtype);
	wb_u32(w, o->v.auth.spi);
	if (o->v.auth.auth)
		wb_bytes(w, o->v.auth.auth, o->v.auth.authlen);
	else /* computed by mh_encode once the whole MH is known */
		wb_zero(w, MH_AUTH_LEN);
}

/* Vendor-Specific (RFC 5094 §3): Vendor ID, Sub-Type, Data. */
static void vsm_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.vsm.vendor = cur_u32(c);
	o->v.vsm.subtype = cur_u8(c);
	o->v.vsm.dlen = (uint8_t)cur_left(c);
	o->v.vsm.data = cur_bytes(c, o->v.vsm.dlen);
}
static void vsm_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_VSM_VENDOR), o->v.vsm.vendor);
	dmm_uint(out, FLD(F_VSM_SUBTYPE), o->v.vsm.subtype);
	dmm_bytes(out, FLD(F_VSM_DATA), o->v.vsm.data, o->v.vsm.dlen);
}
static void vsm_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u32(w, o->v.vsm.vendor);
	wb_u8(w, o->v.vsm.subtype);
	wb_bytes(w, o->v.vsm.data, o->v.vsm.dlen);
}

/* Home Network Prefix (RFC 5213 §8.3): Reserved, Prefix Length, Prefix. */
static void hnp_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.hnp.reserved = cur_u8(c);
	o->v.hnp.plen = cur_u8(c);
	cur_copy(c, o->v.hnp.prefix, 16);
	if (cur_ok(c) && o->v.hnp.plen > 128)
		cur_invalid(c, "HNP prefix length above 128");
}
static void hnp_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_HNP_RESERVED), o->v.hnp.reserved);
	dmm_uint(out, FLD(F_HNP_PLEN), o->v.hnp.plen);
	dmm_addr6(out, FLD(F_HNP_PREFIX), o->v.hnp.prefix);
}
static void hnp_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u8(w, o->v.hnp.reserved);
	wb_u8(w, o->v.hnp.plen);
	wb_bytes(w, o->v.hnp.prefix, 16);
}

/* HI (§8.4) and ATT (§8.5): Reserved, value. */
static void u8pair_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.u8pair.reserved = cur_u8(c);
	o->v.u8pair.value = cur_u8(c);
}
static void u8pair_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u8(w, o->v.u8pair.reserved);
	wb_u8(w, o->v.u8pair.value);
}
static void hi_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_HI_RESERVED), o->v.u8pair.reserved);
	dmm_uint(out, FLD(F_HI), o->v.u8pair.value);
}
static void att_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_ATT_RESERVED), o->v.u8pair.reserved);
	dmm_uint(out, FLD(F_ATT), o->v.u8pair.value);
}

/* MN Link-layer Identifier (§8.6): Reserved(16), LL-ID. */
static void mnllid_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.mnllid.reserved = cur_u16(c);
	o->v.mnllid.llilen = (uint8_t)cur_left(c);
	o->v.mnllid.lli = cur_bytes(c, o->v.mnllid.llilen);
}
static void mnllid_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_MNLLI_RESERVED), o->v.mnllid.reserved);
	dmm_bytes(out, FLD(F_MNLLI_LLI), o->v.mnllid.lli, o->v.mnllid.llilen);
}
static void mnllid_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u16(w, o->v.mnllid.reserved);
	wb_bytes(w, o->v.mnllid.lli, o->v.mnllid.llilen);
}

/* 16-octet address options: Link-local Address (§8.7), Serving MAAR (seed 004 §3.6.2). */
static void addr6_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	cur_copy(c, o->v.addr6, 16);
}
static void addr6_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_bytes(w, o->v.addr6, 16);
}
static void lla_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_addr6(out, FLD(F_LLA), o->v.addr6);
}
static void smaar_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_addr6(out, FLD(F_SMAAR_ADDR), o->v.addr6);
}

/* Timestamp (§8.8): 48-bit seconds since 1970 + 16-bit fraction. */
static void ts_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.timestamp = cur_u64(c);
}
static void ts_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_TS), o->v.timestamp);
}
static void ts_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u64(w, o->v.timestamp);
}

/* NAT Detection (RFC 5555 §3.2.2): F + Reserved(15), Refresh time. */
static void natd_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.v4.flags = cur_u16(c);
	o->v.v4.refresh = cur_u32(c);
}
static void natd_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_bool(out, FLD(F_NATD_F), o->v.v4.flags & 0x8000);
	dmm_uint(out, FLD(F_NATD_RESERVED), o->v.v4.flags & 0x7fff);
	dmm_uint(out, FLD(F_NATD_REFRESH), o->v.v4.refresh);
}
static void natd_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u16(w, o->v.v4.flags);
	wb_u32(w, o->v.v4.refresh);
}

/* Reserved(16) + IPv4 address: IPv4 CoA 32 (RFC 5555 §3.1.2), Default-Router 38 (RFC 5844). */
static void res16_addr4_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.v4.flags = cur_u16(c);
	cur_copy(c, o->v.v4.addr4, 4);
}
static void res16_addr4_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u16(w, o->v.v4.flags);
	wb_bytes(w, o->v.v4.addr4, 4);
}
static void v4coa_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_V4COA_RESERVED), o->v.v4.flags);
	dmm_addr4(out, FLD(F_V4COA_ADDR), o->v.v4.addr4);
}
static void v4dra_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_V4DRA_RESERVED), o->v.v4.flags);
	dmm_addr4(out, FLD(F_V4DRA_ADDR), o->v.v4.addr4);
}

/* GRE Key (RFC 5845 §6.1): Reserved(16), optional GRE Key Identifier(32). */
static void gre_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.gre.reserved = cur_u16(c);
	o->v.gre.has_key = cur_left(c) >= 4;
	o->v.gre.key = o->v.gre.has_key ? cur_u32(c) : 0;
	if (cur_ok(c) && cur_left(c))
		cur_invalid(c, "GRE key option length must be 2 or 6");
}
static void gre_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_GRE_RESERVED), o->v.gre.reserved);
	if (o->v.gre.has_key)
		dmm_uint(out, FLD(F_GRE_KEY), o->v.gre.key);
}
static void gre_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u16(w, o->v.gre.reserved);
	if (o->v.gre.has_key)
		wb_u32(w, o->v.gre.key);
}

/* IPv4 Home Address Request (RFC 5844 §3.3.1): Prefix-len(6) Reserved(10), IPv4 HoA. */
static void v4hreq_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	uint16_t word = cur_u16(c);
	o->v.v4.plen = (uint8_t)(word >> 10);
	o->v.v4.flags = word & 0x3ff;
	cur_copy(c, o->v.v4.addr4, 4);
	if (cur_ok(c) && o->v.v4.plen > 32)
		cur_invalid(c, "IPv4 prefix length above 32");
}
static void v4hreq_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_V4HA_PLEN), o->v.v4.plen);
	dmm_uint(out, FLD(F_V4HA_RESERVED), o->v.v4.flags);
	dmm_addr4(out, FLD(F_V4HA_ADDR), o->v.v4.addr4);
}
static void v4hreq_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u16(w, (uint16_t)((o->v.v4.plen & 0x3f) << 10 | (o->v.v4.flags & 0x3ff)));
	wb_bytes(w, o->v.v4.addr4, 4);
}

/* IPv4 Home Address Reply (RFC 5844 §3.3.2): Status, Prefix-len(6) Res(2), IPv4 HoA. */
static void v4hrep_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.v4.status = cur_u8(c);
	uint8_t octet = cur_u8(c);
	o->v.v4.plen = octet >> 2;
	o->v.v4.flags = octet & 3;
	cur_copy(c, o->v.v4.addr4, 4);
	if (cur_ok(c) && o->v.v4.plen > 32)
		cur_invalid(c, "IPv4 prefix length above 32");
}
static void v4hrep_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_V4HREP_STATUS), o->v.v4.status);
	dmm_uint(out, FLD(F_V4HA_PLEN), o->v.v4.plen);
	dmm_uint(out, FLD(F_V4HA_RESERVED), o->v.v4.flags);
	dmm_addr4(out, FLD(F_V4HA_ADDR), o->v.v4.addr4);
}
static void v4hrep_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u8(w, o->v.v4.status);
	wb_u8(w, (uint8_t)((o->v.v4.plen & 0x3f) << 2 | (o->v.v4.flags & 3)));
	wb_bytes(w, o->v.v4.addr4, 4);
}

/* IPv4 DHCP Support Mode (RFC 5844 §3.3.4): Reserved(15), S (last bit). */
static void v4dsm_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.v4.flags = cur_u16(c);
}
static void v4dsm_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_V4DSM_RESERVED), o->v.v4.flags >> 1);
	dmm_bool(out, FLD(F_V4DSM_S), o->v.v4.flags & 1);
}
static void v4dsm_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u16(w, o->v.v4.flags);
}

/* MAG Multipath Binding (RFC 8278 §4.1). */
static void mmb_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.mmb.if_att = cur_u8(c);
	o->v.mmb.if_label = cur_u8(c);
	o->v.mmb.bid = cur_u8(c);
	o->v.mmb.flags = cur_u8(c);
	o->v.mmb.reserved = cur_u16(c);
}
static void mmb_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_MMB_IF_ATT), o->v.mmb.if_att);
	dmm_uint(out, FLD(F_MMB_IF_LABEL), o->v.mmb.if_label);
	dmm_uint(out, FLD(F_MMB_BID), o->v.mmb.bid);
	dmm_bool(out, FLD(F_MMB_B), o->v.mmb.flags & MH_MMB_B);
	dmm_bool(out, FLD(F_MMB_O), o->v.mmb.flags & MH_MMB_O);
	dmm_uint(out, FLD(F_MMB_FLAGS_RESERVED), o->v.mmb.flags & 0x3f);
	dmm_uint(out, FLD(F_MMB_RESERVED), o->v.mmb.reserved);
}
static void mmb_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u8(w, o->v.mmb.if_att);
	wb_u8(w, o->v.mmb.if_label);
	wb_u8(w, o->v.mmb.bid);
	wb_u8(w, o->v.mmb.flags);
	wb_u16(w, o->v.mmb.reserved);
}

/* MAG Identifier (RFC 8278 §4.2): Subtype, Reserved, Identifier. */
static void magid_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.nai.subtype = cur_u8(c);
	o->v.nai.reserved = cur_u8(c);
	o->v.nai.idlen = (uint8_t)cur_left(c);
	o->v.nai.id = cur_bytes(c, o->v.nai.idlen);
}
static void magid_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_MAGID_SUBTYPE), o->v.nai.subtype);
	dmm_uint(out, FLD(F_MAGID_RESERVED), o->v.nai.reserved);
	dmm_string(out, FLD(F_MAGID_ID), o->v.nai.id, o->v.nai.idlen);
}
static void magid_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u8(w, o->v.nai.subtype);
	wb_u8(w, o->v.nai.reserved);
	wb_bytes(w, o->v.nai.id, o->v.nai.idlen);
}

/* Previous MAAR (seed 004 §3.6.1, RFC 8885 §4.5): Reserved, Prefix Length, P-MAAR, HNP. */
static void pmaar_parse(struct dmm_cursor *c, struct mh_opt *o)
{
	o->v.pmaar.reserved = cur_u8(c);
	o->v.pmaar.plen = cur_u8(c);
	cur_copy(c, o->v.pmaar.addr, 16);
	cur_copy(c, o->v.pmaar.hnp, 16);
	if (cur_ok(c) && o->v.pmaar.plen > 128)
		cur_invalid(c, "Previous MAAR prefix length above 128");
}
static void pmaar_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_PMAAR_RESERVED), o->v.pmaar.reserved);
	dmm_uint(out, FLD(F_PMAAR_PLEN), o->v.pmaar.plen);
	dmm_addr6(out, FLD(F_PMAAR_ADDR), o->v.pmaar.addr);
	dmm_addr6(out, FLD(F_PMAAR_HNP), o->v.pmaar.hnp);
}
static void pmaar_encode(const struct mh_opt *o, struct dmm_wbuf *w)
{
	wb_u8(w, o->v.pmaar.reserved);
	wb_u8(w, o->v.pmaar.plen);
	wb_bytes(w, o->v.pmaar.addr, 16);
	wb_bytes(w, o->v.pmaar.hnp, 16);
}

static void padn_print(const struct mh_opt *o, struct dmm_out *out)
{
	dmm_bytes(out, FLD(F_PADN), o->data, o->len);
}

/* The mobility option registry: one row per option type. */
static const struct mh_opt_ops opt_rows[] = {
    {MH_OPT_PAD1, NULL, "Pad1", "pad1", FLD(F_PAD1), 0, 0, 0, 0, NULL, NULL, NULL},
    {MH_OPT_PADN, NULL, "PadN", "padn", FLD(F_PADN_NODE), 0, 0, 0, 255, NULL, padn_print, NULL},
    {MH_OPT_MNID, NULL, "Mobile Node Identifier", "mn-id", FLD(F_MNID_NODE), 0, 0, 1, 255,
     mnid_parse, mnid_print, mnid_encode},
    {MH_OPT_AUTH, NULL, "Mobility Message Authentication", "auth", FLD(F_AUTH_NODE), 4, 1, 5, 255,
     auth_parse, auth_print, auth_encode},
    {MH_OPT_VSM, NULL, "Vendor Specific", "vsm", FLD(F_VSM_NODE), 4, 2, 5, 255, vsm_parse,
     vsm_print, vsm_encode},
    {MH_OPT_HNP, NULL, "Home Network Prefix", "hnp", FLD(F_HNP_NODE), 8, 4, 18, 18, hnp_parse,
     hnp_print, hnp_encode},
    {MH_OPT_HI, NULL, "Handoff Indicator", "hi", FLD(F_HI_NODE), 0, 0, 2, 2, u8pair_parse, hi_print,
     u8pair_encode},
    {MH_OPT_ATT, NULL, "Access Technology Type", "att", FLD(F_ATT_NODE), 0, 0, 2, 2, u8pair_parse,
     att_print, u8pair_encode},
    {MH_OPT_MNLLID, NULL, "Mobile Node Link-layer Identifier", "mn-ll-id", FLD(F_MNLLI_NODE), 4, 0,
     2, 255, mnllid_parse, mnllid_print, mnllid_encode},
    {MH_OPT_LLA, NULL, "Link-local Address", "lla", FLD(F_LLA_NODE), 8, 6, 16, 16, addr6_parse,
     lla_print, addr6_encode},
    {MH_OPT_TIMESTAMP, NULL, "Timestamp", "timestamp", FLD(F_TS_NODE), 8, 2, 8, 8, ts_parse,
     ts_print, ts_encode},
    {MH_OPT_NATD, NULL, "NAT Detection", "natd", FLD(F_NATD_NODE), 4, 0, 6, 6, natd_parse,
     natd_print, natd_encode},
    {MH_OPT_IPV4COA, NULL, "IPv4 Care-of Address", "ipv4-coa", FLD(F_V4COA_NODE), 4, 0, 6, 6,
     res16_addr4_parse, v4coa_print, res16_addr4_encode},
    {MH_OPT_GREKEY, NULL, "GRE Key", "gre-key", FLD(F_GRE_NODE), 4, 0, 2, 6, gre_parse, gre_print,
     gre_encode},
    {MH_OPT_IPV4HOA_REQ, NULL, "IPv4 Home Address Request", "ipv4-hoa-req", FLD(F_V4HREQ_NODE), 4,
     0, 6, 6, v4hreq_parse, v4hreq_print, v4hreq_encode},
    {MH_OPT_IPV4HOA_REP, NULL, "IPv4 Home Address Reply", "ipv4-hoa-rep", FLD(F_V4HREP_NODE), 4, 0,
     6, 6, v4hrep_parse, v4hrep_print, v4hrep_encode},
    {MH_OPT_IPV4DRA, NULL, "IPv4 Default-Router Address", "ipv4-dra", FLD(F_V4DRA_NODE), 4, 0, 6, 6,
     res16_addr4_parse, v4dra_print, res16_addr4_encode},
    {MH_OPT_IPV4DSM, NULL, "IPv4 DHCP Support Mode", "ipv4-dsm", FLD(F_V4DSM_NODE), 0, 0, 2, 2,
     v4dsm_parse, v4dsm_print, v4dsm_encode},
    {MH_OPT_MMB, NULL, "MAG Multipath Binding", "mmb", FLD(F_MMB_NODE), 0, 0, 6, 6, mmb_parse,
     mmb_print, mmb_encode},
    {MH_OPT_MAGID, NULL, "MAG Identifier", "mag-id", FLD(F_MAGID_NODE), 0, 0, 2, 255, magid_parse,
     magid_print, magid_encode},
    {0, &dmm_numbers.pmaar_opt, "Previous MAAR", "pmaar", FLD(F_PMAAR_NODE), 8, 4, 34, 34,
     pmaar_parse, pmaar_print, pmaar_encode},
    {0, &dmm_numbers.smaar_opt, "Serving MAAR", "smaar", FLD(F_SMAAR_NODE), 8, 6, 16, 16,
     addr6_parse, smaar_print, addr6_encode},
};
#define N_OPT_ROWS (sizeof(opt_rows) / sizeof(opt_rows[0]))

static const struct mh_opt_ops *opt_index[256];
static int opt_index_ready;

uint8_t mh_opt_number(const struct mh_opt_ops *ops)
{
	return ops->tba ? *ops->tba : ops->type;
}

static void opt_index_build(void)
{
	memset(opt_index, 0, sizeof(opt_index));
	/* IANA rows first, TBA rows last: a run-time number wins over a fixed one. */
	for (size_t i = 0; i < N_OPT_ROWS; i++)
		opt_index[mh_opt_number(&opt_rows[i])] = &opt_rows[i];
	opt_index_ready = 1;
}

const struct mh_opt_ops *mh_opt_lookup(uint8_t type)
{
	if (!opt_index_ready) {
		dmm_numbers_on_change(opt_index_build);
		opt_index_build();
	}
	return opt_index[type];
}

const struct mh_opt_ops *mh_opt_registry(size_t *count)
{
	*count = N_OPT_ROWS;
	return opt_rows;
}

/* ---- message type rows ---- */

static void bu_parse(struct dmm_cursor *c, struct mh_msg *m)
{
	m->u.bu.seq = cur_u16(c);
	m->u.bu.flags = cur_u16(c);
	m->u.bu.lifetime = cur_u16(c);
}
static void bu_print(const struct mh_msg *m, struct dmm_out *out)
{
	uint16_t f = m->u.bu.flags;
	dmm_uint(out, FLD(F_BU_SEQ), m->u.bu.seq);
	dmm_bool(out, FLD(F_BU_A), f & MH_BU_A);
	dmm_bool(out, FLD(F_BU_H), f & MH_BU_H);
	dmm_bool(out, FLD(F_BU_L), f & MH_BU_L);
	dmm_bool(out, FLD(F_BU_K), f & MH_BU_K);
	dmm_bool(out, FLD(F_BU_M), f & MH_BU_M);
	dmm_bool(out, FLD(F_BU_R), f & MH_BU_R);
	dmm_bool(out, FLD(F_BU_P), f & MH_BU_P);
	dmm_bool(out, FLD(F_BU_F), f & MH_BU_F);
	dmm_bool(out, FLD(F_BU_T), f & MH_BU_T);
	dmm_bool(out, FLD(F_BU_B), f & MH_BU_B);
	dmm_bool(out, FLD(F_BU_S), f & MH_BU_S);
	dmm_bool(out, FLD(F_BU_D), f & MH_BU_D);
	dmm_uint(out, FLD(F_BU_RESERVED), f & 0x000f);
	dmm_uint(out, FLD(F_BU_LIFETIME), m->u.bu.lifetime);
}
static void bu_encode(const struct mh_msg *m, struct dmm_wbuf *w)
{
	wb_u16(w, m->u.bu.seq);
	wb_u16(w, m->u.bu.flags);
	wb_u16(w, m->u.bu.lifetime);
}
static const char *bu_short(const struct mh_msg *m)
{
	return m->u.bu.flags & MH_BU_P ? "PBU" : "BU";
}

static void ba_parse(struct dmm_cursor *c, struct mh_msg *m)
{
	m->u.ba.status = cur_u8(c);
	m->u.ba.flags = cur_u8(c);
	m->u.ba.seq = cur_u16(c);
	m->u.ba.lifetime = cur_u16(c);
}
static void ba_print(const struct mh_msg *m, struct dmm_out *out)
{
	uint8_t f = m->u.ba.flags;
	dmm_uint(out, FLD(F_BA_STATUS), m->u.ba.status);
	dmm_bool(out, FLD(F_BA_K), f & MH_BA_K);
	dmm_bool(out, FLD(F_BA_R), f & MH_BA_R);
	dmm_bool(out, FLD(F_BA_P), f & MH_BA_P);
	dmm_bool(out, FLD(F_BA_T), f & MH_BA_T);
	dmm_bool(out, FLD(F_BA_B), f & MH_BA_B);
	dmm_bool(out, FLD(F_BA_S), f & MH_BA_S);
	dmm_bool(out, FLD(F_BA_D), f & MH_BA_D);
	dmm_uint(out, FLD(F_BA_RESERVED), f & 0x01);
	dmm_uint(out, FLD(F_BA_SEQ), m->u.ba.seq);
	dmm_uint(out, FLD(F_BA_LIFETIME), m->u.ba.lifetime);
}
static void ba_encode(const struct mh_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.ba.status);
	wb_u8(w, m->u.ba.flags);
	wb_u16(w, m->u.ba.seq);
	wb_u16(w, m->u.ba.lifetime);
}
static const char *ba_short(const struct mh_msg *m)
{
	return m->u.ba.flags & MH_BA_P ? "PBA" : "BA";
}

static void be_parse(struct dmm_cursor *c, struct mh_msg *m)
{
	m->u.be.status = cur_u8(c);
	m->u.be.reserved = cur_u8(c);
	cur_copy(c, m->u.be.hoa, 16);
}
static void be_print(const struct mh_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_BE_STATUS), m->u.be.status);
	dmm_uint(out, FLD(F_BE_RESERVED), m->u.be.reserved);
	dmm_addr6(out, FLD(F_BE_HADDR), m->u.be.hoa);
}
static void be_encode(const struct mh_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.be.status);
	wb_u8(w, m->u.be.reserved);
	wb_bytes(w, m->u.be.hoa, 16);
}

static void brr_parse(struct dmm_cursor *c, struct mh_msg *m)
{
	m->u.brr.reserved = cur_u16(c);
}
static void brr_print(const struct mh_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_BRR_RESERVED), m->u.brr.reserved);
}
static void brr_encode(const struct mh_msg *m, struct dmm_wbuf *w)
{
	wb_u16(w, m->u.brr.reserved);
}

static void ti_parse(struct dmm_cursor *c, struct mh_msg *m)
{
	m->u.ti.reserved = cur_u16(c);
	m->u.ti.cookie = cur_u64(c);
}
static void ti_encode(const struct mh_msg *m, struct dmm_wbuf *w)
{
	wb_u16(w, m->u.ti.reserved);
	wb_u64(w, m->u.ti.cookie);
}
static void hoti_print(const struct mh_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_HOTI_RESERVED), m->u.ti.reserved);
	dmm_uint(out, FLD(F_HOTI_COOKIE), m->u.ti.cookie);
}
static void coti_print(const struct mh_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_COTI_RESERVED), m->u.ti.reserved);
	dmm_uint(out, FLD(F_COTI_COOKIE), m->u.ti.cookie);
}

static void t_parse(struct dmm_cursor *c, struct mh_msg *m)
{
	m->u.t.nindex = cur_u16(c);
	m->u.t.cookie = cur_u64(c);
	m->u.t.token = cur_u64(c);
}
static void t_encode(const struct mh_msg *m, struct dmm_wbuf *w)
{
	wb_u16(w, m->u.t.nindex);
	wb_u64(w, m->u.t.cookie);
	wb_u64(w, m->u.t.token);
}
static void hot_print(const struct mh_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_HOT_NINDEX), m->u.t.nindex);
	dmm_uint(out, FLD(F_HOT_COOKIE), m->u.t.cookie);
	dmm_uint(out, FLD(F_HOT_TOKEN), m->u.t.token);
}
static void cot_print(const struct mh_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_COT_NINDEX), m->u.t.nindex);
	dmm_uint(out, FLD(F_COT_COOKIE), m->u.t.cookie);
	dmm_uint(out, FLD(F_COT_TOKEN), m->u.t.token);
}

/* The MH type registry. fixed_len = message data before options (RFC 6275 §6.1.2-6.1.9). */
static const struct mh_type_ops type_rows[] = {
    {MH_BRR, "Binding Refresh Request", "brr", FLD(F_BRR), 2, brr_parse, brr_print, brr_encode,
     NULL, 1},
    {MH_HOTI, "Home Test Init", "hoti", FLD(F_HOTI), 10, ti_parse, hoti_print, ti_encode, NULL, 1},
    {MH_COTI, "Care-of Test Init", "coti", FLD(F_COTI), 10, ti_parse, coti_print, ti_encode, NULL,
     1},
    {MH_HOT, "Home Test", "hot", FLD(F_HOT), 18, t_parse, hot_print, t_encode, NULL, 1},
    {MH_COT, "Care-of Test", "cot", FLD(F_COT), 18, t_parse, cot_print, t_encode, NULL, 1},
    {MH_BU, "Binding Update", "bu", FLD(F_BU), 6, bu_parse, bu_print, bu_encode, bu_short, 1},
    {MH_BA, "Binding Acknowledgement", "ba", FLD(F_BA), 6, ba_parse, ba_print, ba_encode, ba_short,
     1},
    {MH_BE, "Binding Error", "be", FLD(F_BE), 18, be_parse, be_print, be_encode, NULL, 1},
};
#define N_TYPE_ROWS (sizeof(type_rows) / sizeof(type_rows[0]))

const struct mh_type_ops *mh_type_lookup(uint8_t type)
{
	for (size_t i = 0; i < N_TYPE_ROWS; i++)
		if (type_rows[i].type == type)
			return &type_rows[i];
	return NULL;
}

const struct mh_type_ops *mh_type_registry(size_t *count)
{
	*count = N_TYPE_ROWS;
	return type_rows;
}

/* ---- checksum ---- */

uint16_t mh_checksum(const uint8_t *src, const uint8_t *dst, const uint8_t *mh, size_t len)
{
	uint8_t pseudo_tail[8] = {0, 0, 0, 0, 0, 0, 0, MH_NEXT_HEADER};
	uint32_t sum = 0;
	pseudo_tail[0] = (uint8_t)(len >> 24);
	pseudo_tail[1] = (uint8_t)(len >> 16);
	pseudo_tail[2] = (uint8_t)(len >> 8);
	pseudo_tail[3] = (uint8_t)len;
	sum = inet_sum(src, 16, sum);
	sum = inet_sum(dst, 16, sum);
	sum = inet_sum(pseudo_tail, 8, sum);
	sum = inet_sum(mh, len, sum);
	return inet_fold(sum);
}

/* ---- RFC 4285 authenticator ---- */

void mh_auth_compute(const uint8_t *mh, size_t auth_off, const uint8_t *coa, const uint8_t *hoa,
                     const uint8_t *key, size_t key_len, uint8_t out[MH_AUTH_LEN])
{
	/* Mobility Data = CoA | HoA | MH up to the end of the SPI (7 octets into the option),
	 * with the checksum taken as 0 */
	static const uint8_t zero_csum[2];
	struct dmm_mac_part data[5] = {
	    {coa, 16}, {hoa, 16}, {mh, 4}, {zero_csum, 2}, {mh + 6, auth_off + 7 - 6},
	};
	if (dmm_hmac("SHA1", key, key_len, data, 5, out, MH_AUTH_LEN) < 0)
		memset(out, 0, MH_AUTH_LEN);
}

/* The addresses an RFC 4285 authenticator covers, given the IPv6 src/dst of the message:
 * messages from the mobility anchor (BA) travel home -> care-of. */
static void auth_addresses(uint8_t type, const uint8_t *src, const uint8_t *dst,
                           const uint8_t **coa, const uint8_t **hoa)
{
	int from_anchor = type == MH_BA;
	*coa = from_anchor ? dst : src;
	*hoa = from_anchor ? src : dst;
}

/* ---- options walk (shared by parse and dissect) ---- */

/* Read one option at the cursor. Returns the row (NULL if unknown) and fills o;
 * Pad1 returns the Pad1 row with len 0. On a truncated TLV the cursor errors. */
static const struct mh_opt_ops *read_option(struct dmm_cursor *c, struct mh_opt *o)
{
	memset(o, 0, sizeof(*o));
	o->type = cur_u8(c);
	const struct mh_opt_ops *ops = mh_opt_lookup(o->type);
	if (o->type == MH_OPT_PAD1)
		return ops;
	o->len = cur_u8(c);
	o->data = cur_bytes(c, o->len);
	return ops;
}

/* Parse an option body through its row; returns the row's verdict in body. */
static void parse_option_body(const struct mh_opt_ops *ops, struct mh_opt *o,
                              struct dmm_cursor *body)
{
	cur_init(body, o->data, o->len);
	if (!ops || !ops->parse)
		return;
	if (o->len < ops->min_len || o->len > ops->max_len) {
		cur_invalid(body, "option length out of range");
		return;
	}
	ops->parse(body, o);
	if (cur_ok(body) && cur_left(body))
		cur_invalid(body, "option has trailing octets");
}

int mh_parse(const uint8_t *p, size_t len, struct mh_msg *m, struct dmm_cursor *c)
{
	memset(m, 0, sizeof(*m));
	cur_init(c, p, len);
	m->proto = cur_u8(c);
	m->hlen = cur_u8(c);
	m->type = cur_u8(c);
	m->reserved = cur_u8(c);
	m->csum = cur_u16(c);
	if (!cur_ok(c))
		return c->err;
	size_t mh_len = ((size_t)m->hlen + 1) * 8;
	if (mh_len > len) {
		cur_truncated(c);
		return c->err;
	}
	c->len = mh_len; /* anything after the MH is not ours */
	const struct mh_type_ops *t = mh_type_lookup(m->type);
	if (!t) {
		cur_invalid(c, "unknown MH type");
		return c->err;
	}
	if (m->proto != 59) {
		cur_invalid(c, "payload proto is not 59");
		return c->err;
	}
	if (mh_len < 6u + t->fixed_len) {
		cur_invalid(c, "header length shorter than the message type's minimum");
		return c->err;
	}
	t->parse(c, m);
	m->body = cur_ptr(c);
	m->body_len = cur_left(c);
	while (cur_ok(c) && cur_left(c)) {
		struct mh_opt o;
		struct dmm_cursor body;
		const struct mh_opt_ops *ops = read_option(c, &o);
		if (!cur_ok(c))
			break;
		if (o.type == MH_OPT_PAD1 || o.type == MH_OPT_PADN)
			continue;
		parse_option_body(ops, &o, &body);
		if (!cur_ok(&body)) {
			cur_invalid(c, body.why);
			break;
		}
		if (m->nopts >= MH_MAX_OPTS) {
			cur_invalid(c, "too many mobility options");
			break;
		}
		m->opts[m->nopts++] = o;
	}
	return c->err;
}

/* ---- dissection ---- */

/* Emit the RFC 4285 authenticator status for an auth option at offset auth_off of mh. */
static void verify_auth(const struct mh_opt *o, size_t auth_off, const uint8_t *mh, uint8_t type,
                        const uint8_t *src, const uint8_t *dst, struct dmm_out *out)
{
	const struct dmm_spi_key *k =
	    dmm_keys_find(dmm_keys.mh_auth, dmm_keys.n_mh_auth, o->v.auth.spi);
	const char *status = "not checked";
	if (k && src && dst) {
		const uint8_t *coa, *hoa;
		uint8_t expect[MH_AUTH_LEN];
		auth_addresses(type, src, dst, &coa, &hoa);
		mh_auth_compute(mh, auth_off, coa, hoa, k->key, k->len, expect);
		int good = o->v.auth.authlen == MH_AUTH_LEN &&
		           memcmp(expect, o->v.auth.auth, MH_AUTH_LEN) == 0;
		status = good ? "good" : "bad";
		if (!good)
			dmm_error(out, "bad authenticator");
	}
	dmm_string(out, FLD(F_AUTH_STATUS), (const uint8_t *)status, strlen(status));
}

static void dissect_options(struct dmm_cursor *c, uint8_t type, const uint8_t *src,
                            const uint8_t *dst, struct dmm_out *out)
{
	dmm_open(out, FLD(F_OPTIONS), "Mobility Options");
	while (cur_ok(c) && cur_left(c)) {
		struct mh_opt o;
		struct dmm_cursor body;
		size_t opt_off = c->pos;
		const struct mh_opt_ops *ops = read_option(c, &o);
		if (!cur_ok(c)) {
			dmm_cursor_error(out, c);
			break;
		}
		const struct dmm_field *node = ops ? ops->node : FLD(F_OPT_UNKNOWN);
		dmm_open(out, node, ops ? ops->name : "Unknown option");
		dmm_uint(out, FLD(F_OPT_TYPE), o.type);
		if (o.type != MH_OPT_PAD1)
			dmm_uint(out, FLD(F_OPT_LEN), o.len);
		parse_option_body(ops, &o, &body);
		if (!cur_ok(&body)) {
			dmm_bytes(out, FLD(F_OPT_DATA), o.data, o.len);
			dmm_cursor_error(out, &body);
		} else if (ops && ops->print) {
			ops->print(&o, out);
			if (o.type == MH_OPT_AUTH)
				verify_auth(&o, opt_off, c->base, type, src, dst, out);
		} else if (!ops) {
			dmm_bytes(out, FLD(F_OPT_DATA), o.data, o.len);
		}
		dmm_close(out);
	}
	dmm_close(out);
}

void mh_dissect(const uint8_t *p, size_t len, const uint8_t *src, const uint8_t *dst,
                struct dmm_out *out)
{
	struct dmm_cursor c;
	struct mh_msg m;
	cur_init(&c, p, len);
	dmm_open(out, FLD(F_MIP6), "Mobile IPv6");
	m.proto = cur_u8(&c);
	m.hlen = cur_u8(&c);
	m.type = cur_u8(&c);
	m.reserved = cur_u8(&c);
	m.csum = cur_u16(&c);
	if (!cur_ok(&c)) {
		dmm_cursor_error(out, &c);
		dmm_bytes(out, DMM_FIELD_UNKNOWN_DATA, p, len);
		dmm_close(out);
		return;
	}
	dmm_uint(out, FLD(F_PROTO), m.proto);
	dmm_uint(out, FLD(F_HLEN), m.hlen);
	dmm_uint(out, FLD(F_MHTYPE), m.type);
	dmm_uint(out, FLD(F_RESERVED), m.reserved);
	dmm_uint(out, FLD(F_CSUM), m.csum);

	size_t mh_len = ((size_t)m.hlen + 1) * 8;
	int whole = mh_len <= len;
	if (!src || !dst) {
		dmm_string(out, FLD(F_CSUM_STATUS), (const uint8_t *)"not checked", 11);
	} else if (whole) {
		/* the sum over the whole MH including its checksum folds to 0 when good */
		int good = mh_checksum(src, dst, p, mh_len) == 0;
		const char *status = good ? "good" : "bad";
		dmm_string(out, FLD(F_CSUM_STATUS), (const uint8_t *)status, strlen(status));
		if (!good)
			dmm_error(out, "bad checksum");
	}
	if (m.proto != 59)
		dmm_error(out, "invalid: payload proto is not 59");
	/* A capture cut short is walked as far as it goes, like tcpdump, then reported. */
	c.len = whole ? mh_len : len;
	const struct mh_type_ops *t = mh_type_lookup(m.type);
	if (!t) {
		dmm_bytes(out, FLD(F_UNKNOWN_TYPE_DATA), p + 6, c.len - 6);
		dmm_error(out, "invalid: unknown MH type");
		dmm_close(out);
		return;
	}
	if (mh_len < 6u + t->fixed_len) {
		dmm_bytes(out, FLD(F_UNKNOWN_TYPE_DATA), p + 6, c.len - 6);
		dmm_error(out, "invalid: header length shorter than the message type's minimum");
		dmm_close(out);
		return;
	}
	t->parse(&c, &m);
	if (!cur_ok(&c)) {
		dmm_cursor_error(out, &c);
		dmm_bytes(out, DMM_FIELD_UNKNOWN_DATA, p + 6, len - 6);
		dmm_close(out);
		return;
	}
	dmm_open(out, t->node, t->short_name ? t->short_name(&m) : t->name);
	t->print(&m, out);
	/* RFC 4285 addresses are only known here for proxy registrations (see mh.h) */
	int proxy = (m.type == MH_BU && (m.u.bu.flags & MH_BU_P)) ||
	            (m.type == MH_BA && (m.u.ba.flags & MH_BA_P));
	int errors_before = out ? out->errors : 0;
	dissect_options(&c, m.type, proxy ? src : NULL, proxy ? dst : NULL, out);
	if (!whole && out && out->errors == errors_before)
		dmm_error(out, "truncated");
	dmm_close(out);
	dmm_close(out);
}

/* ---- encoding ---- */

struct mh_opt *mh_add_opt(struct mh_msg *m, uint8_t type)
{
	if (m->nopts >= MH_MAX_OPTS)
		return NULL;
	struct mh_opt *o = &m->opts[m->nopts++];
	memset(o, 0, sizeof(*o));
	o->type = type;
	return o;
}

const struct mh_opt *mh_find_opt(const struct mh_msg *m, uint8_t type, unsigned nth)
{
	for (unsigned i = 0; i < m->nopts; i++)
		if (m->opts[i].type == type && nth-- == 0)
			return &m->opts[i];
	return NULL;
}

/* Insert Pad1/PadN so that the next octet written sits at offset % x == y. */
static void pad_to(struct dmm_wbuf *w, unsigned x, unsigned y)
{
	if (!x)
		return;
	unsigned need = (unsigned)((y + x - (w->len % x)) % x);
	if (need == 1) {
		wb_u8(w, MH_OPT_PAD1);
	} else if (need > 1) {
		wb_u8(w, MH_OPT_PADN);
		wb_u8(w, (uint8_t)(need - 2));
		wb_zero(w, need - 2);
	}
}

/* Returns 0, or -1 when the body does not fit in a Length octet. *auth_off is set to the
 * option's offset when it is an RFC 4285 option whose authenticator must be computed. */
static int encode_option(const struct mh_opt *o, int align, struct dmm_wbuf *w, size_t *auth_off)
{
	const struct mh_opt_ops *ops = mh_opt_lookup(o->type);
	if (o->type == MH_OPT_PAD1 && !(o->flags & MH_OPT_F_RAW)) {
		wb_u8(w, MH_OPT_PAD1);
		return 0;
	}
	if (align && ops)
		pad_to(w, ops->align_x, ops->align_y);
	if (o->type == MH_OPT_AUTH && !(o->flags & MH_OPT_F_RAW) && !o->v.auth.auth)
		*auth_off = w->len;
	wb_u8(w, o->type);
	size_t len_at = w->len;
	wb_u8(w, 0);
	size_t body_at = w->len;
	if ((o->flags & MH_OPT_F_RAW) || !ops || !ops->encode)
		wb_bytes(w, o->data, o->len);
	else
		ops->encode(o, w);
	size_t body_len = w->len - body_at;
	if (body_len > 255)
		return -1;
	wb_put8_at(w, len_at, (o->flags & MH_OPT_F_FORCE_LEN) ? o->force_len : (uint8_t)body_len);
	return 0;
}

int mh_encode(const struct mh_msg *m, const uint8_t *src, const uint8_t *dst, struct dmm_wbuf *w)
{
	const struct mh_type_ops *t = mh_type_lookup(m->type);
	size_t start = w->len;
	struct dmm_wbuf mh;
	/* work in a sub-buffer so that alignment is relative to the MH start */
	uint8_t *base = w->p + w->len;
	wb_init(&mh, base, w->err ? 0 : w->cap - w->len);
	wb_u8(&mh, m->proto ? m->proto : 59);
	wb_u8(&mh, 0);
	wb_u8(&mh, m->type);
	wb_u8(&mh, m->reserved);
	wb_u16(&mh, 0);
	if (t)
		t->encode(m, &mh);
	else
		wb_bytes(&mh, m->body, m->body_len);
	size_t auth_off = 0;
	for (unsigned i = 0; i < m->nopts; i++)
		if (encode_option(&m->opts[i], !m->enc.no_align, &mh, &auth_off) < 0)
			return -1;
	pad_to(&mh, 8, 0);
	if (mh.err || mh.len > 2048) {
		w->err = 1;
		return -1;
	}
	uint8_t hlen = m->enc.force_hlen ? m->hlen : (uint8_t)(mh.len / 8 - 1);
	base[1] = hlen;
	if (auth_off && src && dst) {
		uint32_t spi = (uint32_t)base[auth_off + 3] << 24 |
		               (uint32_t)base[auth_off + 4] << 16 |
		               (uint32_t)base[auth_off + 5] << 8 | base[auth_off + 6];
		const struct dmm_spi_key *k =
		    dmm_keys_find(dmm_keys.mh_auth, dmm_keys.n_mh_auth, spi);
		const uint8_t *coa, *hoa;
		if (!k)
			return -1;
		auth_addresses(m->type, src, dst, &coa, &hoa);
		mh_auth_compute(base, auth_off, coa, hoa, k->key, k->len, base + auth_off + 7);
	}
	if (src && dst && !m->enc.no_csum) {
		uint16_t sum = mh_checksum(src, dst, base, mh.len);
		if (m->enc.bad_csum)
			sum = (uint16_t)~sum;
		base[4] = (uint8_t)(sum >> 8);
		base[5] = (uint8_t)sum;
	}
	w->len = start + mh.len;
	return (int)mh.len;
}
