/* Mobile IPv4 (RFC 5944 §1.8-1.11, §3), RFC 3519 §3, RFC 3543 §3-4, NEMO (RFC 5177 §4), HAARO (RFC
 * 6521 §5). */
#include "mip4.h"
#include "packet.h"

#include "dissect.h"
#include "keys.h"
#include "mac.h"
#include "numbers.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

/* The IP dissector may not be linked in (unit tests of this module): then the
 * tunnelled packet is shown as undissected data. */

/* ---- value tables (TBA entries first; rebuilt by numbers_changed) ---- */

enum { TYPE_VALS_HOTI, TYPE_VALS_COTI, TYPE_VALS_HOT, TYPE_VALS_COT };
struct dmm_vals mip4_type_vals[] = {
    [TYPE_VALS_HOTI] = {DMM_DEFAULT_HAARO_HOTI, "Home Test Init"},
    [TYPE_VALS_COTI] = {DMM_DEFAULT_HAARO_COTI, "Care-of Test Init"},
    [TYPE_VALS_HOT] = {DMM_DEFAULT_HAARO_HOT, "Home Test"},
    [TYPE_VALS_COT] = {DMM_DEFAULT_HAARO_COT, "Care-of Test"},
    {MIP4_REG_REQUEST, "Registration Request"},
    {MIP4_REG_REPLY, "Registration Reply"},
    {MIP4_TUNNEL_DATA, "MIP Tunnel Data"},
    {MIP4_REVOCATION, "Registration Revocation"},
    {MIP4_REVOCATION_ACK, "Registration Revocation Acknowledgement"},
    {255, "Experimental Message"},
    {0, NULL},
};

enum { CODE_VALS_CONCURRENT, CODE_VALS_EXP_HOME, CODE_VALS_EXP_COA, CODE_VALS_EXP_BOTH };
struct dmm_vals mip4_code_vals[] = {
    [CODE_VALS_CONCURRENT] = {DMM_DEFAULT_HAARO_CONCURRENT, "Concurrent registration"},
    [CODE_VALS_EXP_HOME] = {DMM_DEFAULT_HAARO_EXP_HOME, "Expired Home Nonce Index"},
    [CODE_VALS_EXP_COA] = {DMM_DEFAULT_HAARO_EXP_COA, "Expired Care-of Nonce Index"},
    [CODE_VALS_EXP_BOTH] = {DMM_DEFAULT_HAARO_EXP_BOTH, "Expired Nonces"},
    {0, "Registration accepted"},
    {1, "Registration accepted, but simultaneous mobility bindings unsupported"},
    {64, "FA: reason unspecified"},
    {65, "FA: administratively prohibited"},
    {66, "FA: insufficient resources"},
    {67, "FA: mobile node failed authentication"},
    {68, "FA: home agent failed authentication"},
    {69, "FA: requested Lifetime too long"},
    {70, "FA: poorly formed Request"},
    {71, "FA: poorly formed Reply"},
    {72, "FA: requested encapsulation unavailable"},
    {73, "FA: reserved and unavailable"},
    {74, "FA: requested reverse tunnel unavailable"},
    {75, "FA: reverse tunnel is mandatory and 'T' bit not set"},
    {76, "FA: mobile node too distant"},
    {77, "FA: invalid care-of address"},
    {78, "FA: registration timeout"},
    {80, "FA: home network unreachable (ICMP error received)"},
    {81, "FA: home agent host unreachable (ICMP error received)"},
    {82, "FA: home agent port unreachable (ICMP error received)"},
    {88, "FA: home agent unreachable (other ICMP error received)"},
    {127, "FA: experimental"},
    {128, "HA: reason unspecified"},
    {129, "HA: administratively prohibited"},
    {130, "HA: insufficient resources"},
    {131, "HA: mobile node failed authentication"},
    {132, "HA: foreign agent failed authentication"},
    {133, "HA: registration Identification mismatch"},
    {134, "HA: poorly formed Request"},
    {135, "HA: too many simultaneous mobility bindings"},
    {136, "HA: unknown home agent address"},
    {137, "HA: requested reverse tunnel unavailable"},
    {138, "HA: reverse tunnel is mandatory and 'T' bit not set"},
    {139, "HA: requested encapsulation unavailable"},
    {142, "HA: requested UDP tunnel encapsulation unavailable"},
    {147, "HA: Mobile Network Prefix operation error"},
    {148, "HA: Mobile Router operation is not permitted"},
    {192, "HA: experimental"},
    {194, "FA: invalid Home Agent Address"},
    {0, NULL},
};

enum { EXT_VALS_T1, EXT_VALS_T2, EXT_VALS_T3 };
struct dmm_vals mip4_ext_type_vals[] = {
    [EXT_VALS_T1] = {DMM_DEFAULT_HAARO_T1, "Mobile Router Route Optimization Capability"},
    [EXT_VALS_T2] = {DMM_DEFAULT_HAARO_T2, "Route Optimization Extension"},
    [EXT_VALS_T3] = {DMM_DEFAULT_HAARO_T3, "Route Optimization Data"},
    {MIP4_EXT_PAD, "One-byte Padding"},
    {MIP4_EXT_MNHA_AUTH, "Mobile-Home Authentication"},
    {MIP4_EXT_UDP_TUN_REPLY, "UDP Tunnel Reply"},
    {MIP4_EXT_REV_SUPPORT, "Revocation Support"},
    {MIP4_EXT_UDP_TUN_REQUEST, "UDP Tunnel Request"},
    {MIP4_EXT_MOBNET, "Mobile Network Extension"},
    {0, NULL},
};

static const struct dmm_vals mne_subtype_vals[] = {
    {MIP4_MNE_REQUEST, "Mobile Network Request"},
    {MIP4_MNE_ACK_EXPLICIT, "Explicit Mode Acknowledgement"},
    {MIP4_MNE_ACK_IMPLICIT, "Implicit Mode Acknowledgement"},
    {0, NULL},
};

const struct dmm_vals mip4_mne_code_vals[] = {
    {0, "Success"},
    {1, "MOBNET_INVALID_PREFIX_LEN"},
    {2, "MOBNET_UNAUTHORIZED"},
    {3, "MOBNET_FWDING_SETUP_FAILED"},
    {0, NULL},
};

static const struct dmm_vals ror_code_vals[] = {
    {0, "Will do Route Optimization"},
    {16, "Route Optimization declined, reason unspecified"},
    {0, NULL},
};

static const struct dmm_vals pfx_info_vals[] = {
    {0, "No information"},
    {1, "Outbound connections only"},
    {0, NULL},
};

/* ---- fields ---- */

enum {
	F_MIP,
	F_TYPE,
	F_FLAGS,
	F_S,
	F_B,
	F_D,
	F_M,
	F_G,
	F_V,
	F_T,
	F_X,
	F_CODE,
	F_LIFE,
	F_HOA,
	F_HA,
	F_COA,
	F_IDENT,
	F_NATTT_NH,
	F_NATTT_RESERVED,
	F_REV_RESERVED,
	F_FLAGS2,
	F_REV_A,
	F_REV_I,
	F_REV_RESERVED2,
	F_REV_HDA,
	F_REV_FDA,
	F_REVID,
	F_ACK_RESERVED,
	F_ACK_I,
	F_ACK_RESERVED2,
	F_RR_RESERVED,
	F_RR_NONCE_INDEX,
	F_RR_COOKIE,
	F_RR_TOKEN,
	F_EXT,
	F_EXT_TYPE,
	F_EXT_LEN,
	F_EXTENSION,
	F_AUTH_SPI,
	F_AUTH_AUTH,
	F_AUTH_STATUS,
	F_UTRQ_SUBTYPE,
	F_UTRQ_RESERVED1,
	F_UTRQ_FLAGS,
	F_UTRQ_F,
	F_UTRQ_R,
	F_UTRQ_RESERVED2,
	F_UTRQ_ENCAP,
	F_UTRQ_RESERVED3,
	F_UTRP_SUBTYPE,
	F_UTRP_CODE,
	F_UTRP_FLAGS,
	F_UTRP_F,
	F_UTRP_RESERVED,
	F_UTRP_KEEPALIVE,
	F_REVSUP_FLAGS,
	F_REVSUP_I,
	F_REVSUP_RESERVED,
	F_REVSUP_TSTAMP,
	F_MNE_SUBTYPE,
	F_MNE_CODE,
	F_MNE_PLEN,
	F_MNE_RESERVED,
	F_MNE_PREFIX,
	F_ROCAP_SUBTYPE,
	F_ROCAP_A,
	F_ROCAP_R,
	F_ROCAP_S,
	F_ROCAP_O,
	F_ROCAP_RESERVED,
	F_ROCAP_HOA,
	F_ROR_SUBTYPE,
	F_ROR_O,
	F_ROR_N,
	F_ROR_S,
	F_ROR_CODE,
	F_MCAUTH_SUBTYPE,
	F_MCAUTH_RESERVED,
	F_MCAUTH_HNI,
	F_MCAUTH_CNI,
	F_MCAUTH_AUTH,
	F_MCAUTH_STATUS,
	F_COAEXT_SUBTYPE,
	F_COAEXT_RESERVED,
	F_COAEXT_COA,
	F_PFX_SUBTYPE,
	F_PFX_STRUCTURE,
	F_PFX_D,
	F_PFX_M,
	F_PFX_INFO,
	F_PFX_HOA,
	F_PFX_PLEN,
	F_PFX_PREFIX,
	F_PFX_REALM,
	F_MIP4_FIELD_COUNT
};

#define NODE(a, n)                                                                                 \
	{                                                                                          \
		a, n, DMM_FT_NODE, 0, 0, NULL                                                      \
	}
#define UINT(a, n)                                                                                 \
	{                                                                                          \
		a, n, DMM_FT_UINT, 0, 0, NULL                                                      \
	}
#define VALS(a, n, v)                                                                              \
	{                                                                                          \
		a, n, DMM_FT_UINT, 0, 0, v                                                         \
	}
#define VALSS(a, n, v)                                                                             \
	{                                                                                          \
		a, n, DMM_FT_UINT, 0, DMM_F_SUMMARY, v                                             \
	}
#define HEX(a, n, w)                                                                               \
	{                                                                                          \
		a, n, DMM_FT_HEX, w, 0, NULL                                                       \
	}
#define HEX64(a, n)                                                                                \
	{                                                                                          \
		a, n, DMM_FT_HEX64, 0, 0, NULL                                                     \
	}
#define HEX64S(a, n)                                                                               \
	{                                                                                          \
		a, n, DMM_FT_HEX64, 0, DMM_F_SUMMARY, NULL                                         \
	}
#define FLAG(a, n)                                                                                 \
	{                                                                                          \
		a, n, DMM_FT_BOOL, 0, 0, NULL                                                      \
	}
#define IP4(a, n)                                                                                  \
	{                                                                                          \
		a, n, DMM_FT_IPV4, 0, 0, NULL                                                      \
	}
#define IP4S(a, n)                                                                                 \
	{                                                                                          \
		a, n, DMM_FT_IPV4, 0, DMM_F_SUMMARY, NULL                                          \
	}
#define PFX4(a, n)                                                                                 \
	{                                                                                          \
		a, n, DMM_FT_PREFIX4, 0, 0, NULL                                                   \
	}
#define BYTES(a, n)                                                                                \
	{                                                                                          \
		a, n, DMM_FT_BYTES, 0, 0, NULL                                                     \
	}
#define STR(a, n)                                                                                  \
	{                                                                                          \
		a, n, DMM_FT_STRING, 0, 0, NULL                                                    \
	}

const struct dmm_field mip4_fields[] = {
    [F_MIP] = NODE("mip", "Mobile IP"),
    [F_TYPE] = VALSS("mip.type", "Message Type", mip4_type_vals),
    [F_FLAGS] = HEX("mip.flags", "Flags", 2),
    [F_S] = FLAG("mip.s", "Simultaneous Bindings"),
    [F_B] = FLAG("mip.b", "Broadcast Datagrams"),
    [F_D] = FLAG("mip.d", "Co-located Care-of Address"),
    [F_M] = FLAG("mip.m", "Minimal Encapsulation"),
    [F_G] = FLAG("mip.g", "GRE"),
    [F_V] = FLAG("mip.v", "Van Jacobson"),
    [F_T] = FLAG("mip.t", "Reverse Tunneling"),
    [F_X] = FLAG("mip.x", "Reserved"),
    [F_CODE] = VALSS("mip.code", "Reply Code", mip4_code_vals),
    [F_LIFE] = UINT("mip.life", "Lifetime"),
    [F_HOA] = IP4S("mip.homeaddr", "Home Address"),
    [F_HA] = IP4("mip.haaddr", "Home Agent"),
    [F_COA] = IP4S("mip.coa", "Care of Address"),
    [F_IDENT] = HEX64S("mip.ident.value", "Identification"),
    [F_NATTT_NH] = UINT("mip.nattt.nexthdr", "NATTT NextHeader"),
    [F_NATTT_RESERVED] = HEX("mip.nattt.reserved", "Reserved", 4),
    [F_REV_RESERVED] = HEX("mip.rev.reserved", "Reserved", 2),
    [F_FLAGS2] = HEX("mip.flags2", "Flags", 4),
    [F_REV_A] = FLAG("mip.rev.a", "Home Agent"),
    [F_REV_I] = FLAG("mip.rev.i", "Inform"),
    [F_REV_RESERVED2] = HEX("mip.rev.reserved2", "Reserved", 4),
    [F_REV_HDA] = IP4("mip.rev.hda", "Home Domain Address"),
    [F_REV_FDA] = IP4("mip.rev.fda", "Foreign Domain Address"),
    [F_REVID] = UINT("mip.revid", "Revocation Identifier"),
    [F_ACK_RESERVED] = HEX("mip.ack.reserved", "Reserved", 2),
    [F_ACK_I] = FLAG("mip.ack.i", "Inform"),
    [F_ACK_RESERVED2] = HEX("mip.ack.reserved2", "Reserved", 4),
    [F_RR_RESERVED] = HEX("mip.rr.reserved", "Reserved", 2),
    [F_RR_NONCE_INDEX] = UINT("mip.rr.nonce_index", "Nonce Index"),
    [F_RR_COOKIE] = HEX64("mip.rr.cookie", "Init Cookie"),
    [F_RR_TOKEN] = HEX64("mip.rr.token", "Keygen Token"),
    [F_EXT] = NODE("mip.ext", "Extension"),
    [F_EXT_TYPE] = VALS("mip.ext.type", "Extension Type", mip4_ext_type_vals),
    [F_EXT_LEN] = UINT("mip.ext.len", "Extension Length"),
    [F_EXTENSION] = BYTES("mip.extension", "Extension"),
    [F_AUTH_SPI] = HEX("mip.auth.spi", "SPI", 8),
    [F_AUTH_AUTH] = BYTES("mip.auth.auth", "Authenticator"),
    [F_AUTH_STATUS] = STR("mip.auth.status", "Authenticator status"),
    [F_UTRQ_SUBTYPE] = UINT("mip.ext.utrq.subtype", "UDP TunReq Ext SubType"),
    [F_UTRQ_RESERVED1] = HEX("mip.ext.utrq.reserved1", "Reserved 1", 2),
    [F_UTRQ_FLAGS] = HEX("mip.ext.utrq.flags", "UDP TunReq Ext Flags", 2),
    [F_UTRQ_F] = FLAG("mip.ext.utrq.f", "Req Forced"),
    [F_UTRQ_R] = FLAG("mip.ext.utrq.r", "FA Registration Required"),
    [F_UTRQ_RESERVED2] = HEX("mip.ext.utrq.reserved2", "Reserved 2", 2),
    [F_UTRQ_ENCAP] = UINT("mip.ext.utrq.encaptype", "UDP Encap Type"),
    [F_UTRQ_RESERVED3] = HEX("mip.ext.utrq.reserved3", "Reserved 3", 4),
    [F_UTRP_SUBTYPE] = UINT("mip.ext.utrp.subtype", "UDP TunRep Ext SubType"),
    [F_UTRP_CODE] = UINT("mip.ext.utrp.code", "UDP TunRep Code"),
    [F_UTRP_FLAGS] = HEX("mip.ext.utrp.flags", "UDP TunRep Ext Flags", 4),
    [F_UTRP_F] = FLAG("mip.ext.utrp.f", "Rep Forced"),
    [F_UTRP_RESERVED] = HEX("mip.ext.utrp.reserved", "Reserved", 4),
    [F_UTRP_KEEPALIVE] = UINT("mip.ext.utrp.keepalive", "Keepalive Interval"),
    [F_REVSUP_FLAGS] = HEX("mip.ext.rev.flags", "Rev Ext Flags", 4),
    [F_REVSUP_I] = FLAG("mip.ext.rev.i", "'I' bit Support"),
    [F_REVSUP_RESERVED] = HEX("mip.ext.rev.reserved", "Reserved", 4),
    [F_REVSUP_TSTAMP] = UINT("mip.ext.rev.tstamp", "Timestamp"),
    [F_MNE_SUBTYPE] = VALS("mip.ext.mne.subtype", "Sub-Type", mne_subtype_vals),
    [F_MNE_CODE] = VALS("mip.ext.mne.code", "Code", mip4_mne_code_vals),
    [F_MNE_PLEN] = UINT("mip.ext.mne.prefix_length", "Prefix Length"),
    [F_MNE_RESERVED] = HEX("mip.ext.mne.reserved", "Reserved", 2),
    [F_MNE_PREFIX] = IP4("mip.ext.mne.prefix", "Prefix"),
    [F_ROCAP_SUBTYPE] = UINT("mip.haaro.rocap.subtype", "Sub-Type"),
    [F_ROCAP_A] = FLAG("mip.haaro.rocap.a_flag", "Advertise (A) flag"),
    [F_ROCAP_R] = FLAG("mip.haaro.rocap.r_flag", "Request prefixes (R) flag"),
    [F_ROCAP_S] = FLAG("mip.haaro.rocap.s_flag", "Solicit (S) flag"),
    [F_ROCAP_O] = FLAG("mip.haaro.rocap.o_flag", "Outbound only (O) flag"),
    [F_ROCAP_RESERVED] = HEX("mip.haaro.rocap.reserved", "Reserved", 2),
    [F_ROCAP_HOA] = IP4("mip.haaro.rocap.hoa", "Solicited Mobile Router HoA"),
    [F_ROR_SUBTYPE] = UINT("mip.haaro.ror.subtype", "Sub-Type"),
    [F_ROR_O] = FLAG("mip.haaro.ror.o_flag", "Outbound only (O) flag"),
    [F_ROR_N] = FLAG("mip.haaro.ror.n_flag", "NAT detected (N) flag"),
    [F_ROR_S] = FLAG("mip.haaro.ror.s_flag", "Solicited (S) flag"),
    [F_ROR_CODE] = VALS("mip.haaro.ror.code", "Code", ror_code_vals),
    [F_MCAUTH_SUBTYPE] = UINT("mip.haaro.mcauth.subtype", "Sub-Type"),
    [F_MCAUTH_RESERVED] = HEX("mip.haaro.mcauth.reserved", "Reserved", 2),
    [F_MCAUTH_HNI] = UINT("mip.haaro.mcauth.hni", "Home Nonce Index"),
    [F_MCAUTH_CNI] = UINT("mip.haaro.mcauth.cni", "Care-of Nonce Index"),
    [F_MCAUTH_AUTH] = BYTES("mip.haaro.mcauth.auth", "Authenticator"),
    [F_MCAUTH_STATUS] = STR("mip.haaro.mcauth.status", "Authenticator status"),
    [F_COAEXT_SUBTYPE] = UINT("mip.haaro.coa.subtype", "Sub-Type"),
    [F_COAEXT_RESERVED] = HEX("mip.haaro.coa.reserved", "Reserved", 2),
    [F_COAEXT_COA] = IP4("mip.haaro.coa", "Care-of Address"),
    [F_PFX_SUBTYPE] = UINT("mip.haaro.pfx.subtype", "Sub-Type"),
    [F_PFX_STRUCTURE] = NODE("mip.haaro.pfx.structure", "Information structure"),
    [F_PFX_D] = FLAG("mip.haaro.pfx.d_flag", "Delta (D) flag"),
    [F_PFX_M] = FLAG("mip.haaro.pfx.m_flag", "Mobile Router HoA (M) flag"),
    [F_PFX_INFO] = VALS("mip.haaro.pfx.info", "Information", pfx_info_vals),
    [F_PFX_HOA] = IP4("mip.haaro.pfx.hoa", "Mobile Router HoA"),
    [F_PFX_PLEN] = UINT("mip.haaro.pfx.plen", "Prefix Length"),
    [F_PFX_PREFIX] = PFX4("mip.haaro.pfx.prefix", "Prefix"),
    [F_PFX_REALM] = STR("mip.haaro.pfx.realm", "Realm"),
};
DMM_FIELDS(mip4_fields);

#define FLD(i) (&mip4_fields[i])

static void print_status(struct dmm_out *out, int field, const char *status)
{
	dmm_string(out, FLD(field), (const uint8_t *)status, strlen(status));
	if (strcmp(status, "bad") == 0)
		dmm_error(out, "bad authenticator");
}

/* ---- extension rows: parse / print / encode / sign ---- */

/* MN-HA Authentication (RFC 5944 §3.5.2): SPI, Authenticator. */
static void auth_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.auth.spi = cur_u32(c);
	e->v.auth.authlen = (uint8_t)cur_left(c);
	e->v.auth.auth = cur_bytes(c, e->v.auth.authlen);
}

/* HMAC-MD5 over the message up to and including the SPI (RFC 5944 §3.5.1). */
static int mnha_compute(const uint8_t *key, size_t keylen, const uint8_t *msg, size_t ext_off,
                        uint8_t mac[MIP4_MNHA_AUTH_LEN])
{
	struct dmm_mac_part covered = {msg, ext_off + 6};
	return dmm_hmac("MD5", key, keylen, &covered, 1, mac, MIP4_MNHA_AUTH_LEN);
}

static void auth_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	uint8_t mac[MIP4_MNHA_AUTH_LEN];
	const struct dmm_spi_key *k = dmm_keys_find(dmm_keys.mnha, dmm_keys.n_mnha, e->v.auth.spi);
	dmm_uint(out, FLD(F_AUTH_SPI), e->v.auth.spi);
	dmm_bytes(out, FLD(F_AUTH_AUTH), e->v.auth.auth, e->v.auth.authlen);
	if (!k || mnha_compute(k->key, k->len, msg, e->off, mac) < 0)
		print_status(out, F_AUTH_STATUS, "not checked");
	else if (e->v.auth.authlen == MIP4_MNHA_AUTH_LEN && memcmp(mac, e->v.auth.auth, 16) == 0)
		print_status(out, F_AUTH_STATUS, "good");
	else
		print_status(out, F_AUTH_STATUS, "bad");
}

static int auth_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u32(w, e->v.auth.spi);
	if (e->flags & MIP4_EXT_F_SIGN)
		wb_zero(w, MIP4_MNHA_AUTH_LEN);
	else
		wb_bytes(w, e->v.auth.auth, e->v.auth.authlen);
	return 0;
}

static int auth_sign(const struct mip4_ext *e, struct dmm_wbuf *w, size_t msg_start,
                     size_t ext_start)
{
	const uint8_t *key = e->v.auth.key;
	size_t keylen = e->v.auth.keylen;
	if (!key) {
		const struct dmm_spi_key *k =
		    dmm_keys_find(dmm_keys.mnha, dmm_keys.n_mnha, e->v.auth.spi);
		if (!k)
			return -1;
		key = k->key;
		keylen = k->len;
	}
	return mnha_compute(key, keylen, w->p + msg_start, ext_start - msg_start,
	                    w->p + ext_start + 6);
}

/* UDP Tunnel Reply (RFC 3519 §3.2). */
static void utrp_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.utrp.code = cur_u8(c);
	e->v.utrp.flags = cur_u16(c);
	e->v.utrp.keepalive = cur_u16(c);
}

static void utrp_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_UTRP_SUBTYPE), e->subtype);
	dmm_uint(out, FLD(F_UTRP_CODE), e->v.utrp.code);
	dmm_uint(out, FLD(F_UTRP_FLAGS), e->v.utrp.flags);
	dmm_bool(out, FLD(F_UTRP_F), e->v.utrp.flags & MIP4_UTRP_F);
	dmm_uint(out, FLD(F_UTRP_RESERVED), e->v.utrp.flags & 0x7fff);
	dmm_uint(out, FLD(F_UTRP_KEEPALIVE), e->v.utrp.keepalive);
}

static int utrp_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u8(w, e->v.utrp.code);
	wb_u16(w, e->v.utrp.flags);
	wb_u16(w, e->v.utrp.keepalive);
	return 0;
}

/* UDP Tunnel Request (RFC 3519 §3.1). */
static void utrq_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.utrq.reserved1 = cur_u8(c);
	e->v.utrq.flags = cur_u8(c);
	e->v.utrq.encap = cur_u8(c);
	e->v.utrq.reserved3 = cur_u16(c);
}

static void utrq_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_UTRQ_SUBTYPE), e->subtype);
	dmm_uint(out, FLD(F_UTRQ_RESERVED1), e->v.utrq.reserved1);
	dmm_uint(out, FLD(F_UTRQ_FLAGS), e->v.utrq.flags);
	dmm_bool(out, FLD(F_UTRQ_F), e->v.utrq.flags & MIP4_UTRQ_F);
	dmm_bool(out, FLD(F_UTRQ_R), e->v.utrq.flags & MIP4_UTRQ_R);
	dmm_uint(out, FLD(F_UTRQ_RESERVED2), e->v.utrq.flags & 0x3f);
	dmm_uint(out, FLD(F_UTRQ_ENCAP), e->v.utrq.encap);
	dmm_uint(out, FLD(F_UTRQ_RESERVED3), e->v.utrq.reserved3);
}

static int utrq_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u8(w, e->v.utrq.reserved1);
	wb_u8(w, e->v.utrq.flags);
	wb_u8(w, e->v.utrq.encap);
	wb_u16(w, e->v.utrq.reserved3);
	return 0;
}

/* Revocation Support (RFC 3543 §3.2). */
static void revsup_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.revsup.flags = cur_u16(c);
	e->v.revsup.timestamp = cur_u32(c);
}

static void revsup_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_REVSUP_FLAGS), e->v.revsup.flags);
	dmm_bool(out, FLD(F_REVSUP_I), e->v.revsup.flags & MIP4_REVSUP_I);
	dmm_uint(out, FLD(F_REVSUP_RESERVED), e->v.revsup.flags & 0x7fff);
	dmm_uint(out, FLD(F_REVSUP_TSTAMP), e->v.revsup.timestamp);
}

static int revsup_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u16(w, e->v.revsup.flags);
	wb_u32(w, e->v.revsup.timestamp);
	return 0;
}

/* Mobile Network Request (RFC 5177 §4.1): Prefix Length, Prefix. */
static void mnreq_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.mne.plen = cur_u8(c);
	cur_copy(c, e->v.mne.prefix, 4);
	if (e->v.mne.plen > 32)
		cur_invalid(c, "prefix length above 32");
}

static void mnreq_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_MNE_SUBTYPE), e->subtype);
	dmm_uint(out, FLD(F_MNE_PLEN), e->v.mne.plen);
	dmm_addr4(out, FLD(F_MNE_PREFIX), e->v.mne.prefix);
}

static int mnreq_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u8(w, e->v.mne.plen);
	wb_bytes(w, e->v.mne.prefix, 4);
	return 0;
}

/* Mobile Network Acknowledgement (RFC 5177 §4.2): Code, Prefix Length, Reserved, Prefix. */
static void mnack_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.mne.code = cur_u8(c);
	e->v.mne.plen = cur_u8(c);
	e->v.mne.reserved = cur_u8(c);
	cur_copy(c, e->v.mne.prefix, 4);
	if (e->v.mne.plen > 32)
		cur_invalid(c, "prefix length above 32");
}

static void mnack_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_MNE_SUBTYPE), e->subtype);
	dmm_uint(out, FLD(F_MNE_CODE), e->v.mne.code);
	dmm_uint(out, FLD(F_MNE_PLEN), e->v.mne.plen);
	dmm_uint(out, FLD(F_MNE_RESERVED), e->v.mne.reserved);
	dmm_addr4(out, FLD(F_MNE_PREFIX), e->v.mne.prefix);
}

static int mnack_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u8(w, e->v.mne.code);
	wb_u8(w, e->v.mne.plen);
	wb_u8(w, e->v.mne.reserved);
	wb_bytes(w, e->v.mne.prefix, 4);
	return 0;
}

/* MRROCAP (RFC 6521 §5.1): flags, then the solicited MR HoA when Length is 6. */
static void rocap_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.rocap.flags = cur_u8(c);
	if (cur_left(c) == 4) {
		e->v.rocap.has_hoa = 1;
		cur_copy(c, e->v.rocap.hoa, 4);
	} else if (cur_left(c)) {
		cur_invalid(c, "MRROCAP Length is neither 2 nor 6");
	}
}

static void rocap_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	uint8_t f = e->v.rocap.flags;
	dmm_uint(out, FLD(F_ROCAP_SUBTYPE), e->subtype);
	dmm_bool(out, FLD(F_ROCAP_A), f & HAARO_ROCAP_A);
	dmm_bool(out, FLD(F_ROCAP_R), f & HAARO_ROCAP_R);
	dmm_bool(out, FLD(F_ROCAP_S), f & HAARO_ROCAP_S);
	dmm_bool(out, FLD(F_ROCAP_O), f & HAARO_ROCAP_O);
	dmm_uint(out, FLD(F_ROCAP_RESERVED), f & 0x0f);
	if (e->v.rocap.has_hoa)
		dmm_addr4(out, FLD(F_ROCAP_HOA), e->v.rocap.hoa);
}

static int rocap_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u8(w, e->v.rocap.flags);
	if (e->v.rocap.has_hoa)
		wb_bytes(w, e->v.rocap.hoa, 4);
	return 0;
}

/* Route Optimization Reply (RFC 6521 §5.2): O N S flags and a 5-bit Code. */
static void ror_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	uint8_t octet = cur_u8(c);
	e->v.ror.flags = octet & (uint8_t)~HAARO_ROR_CODE;
	e->v.ror.code = octet & HAARO_ROR_CODE;
}

static void ror_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_ROR_SUBTYPE), e->subtype);
	dmm_bool(out, FLD(F_ROR_O), e->v.ror.flags & HAARO_ROR_O);
	dmm_bool(out, FLD(F_ROR_N), e->v.ror.flags & HAARO_ROR_N);
	dmm_bool(out, FLD(F_ROR_S), e->v.ror.flags & HAARO_ROR_S);
	dmm_uint(out, FLD(F_ROR_CODE), e->v.ror.code);
}

static int ror_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	if (e->v.ror.code > HAARO_ROR_CODE)
		return -1;
	wb_u8(w, (uint8_t)((e->v.ror.flags & ~HAARO_ROR_CODE) | e->v.ror.code));
	return 0;
}

/* Mobile-Correspondent Authentication (RFC 6521 §5.3). */
static void mcauth_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.mcauth.reserved = cur_u8(c);
	e->v.mcauth.hni = cur_u16(c);
	e->v.mcauth.cni = cur_u16(c);
	e->v.mcauth.authlen = (uint8_t)cur_left(c);
	e->v.mcauth.auth = cur_bytes(c, e->v.mcauth.authlen);
}

static const char *mcauth_status(const struct mip4_ext *e, const uint8_t *msg)
{
	uint8_t mac[HAARO_MCAUTH_LEN];
	if (!dmm_keys.n_krm)
		return "not checked";
	for (unsigned i = 0; i < dmm_keys.n_krm; i++)
		if (haaro_mcauth(dmm_keys.krm[i], msg, e->off, dmm_numbers.mcauth_hdr_octets,
		                 mac) == 0 &&
		    e->v.mcauth.authlen == HAARO_MCAUTH_LEN &&
		    memcmp(mac, e->v.mcauth.auth, HAARO_MCAUTH_LEN) == 0)
			return "good";
	return "bad";
}

static void mcauth_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_MCAUTH_SUBTYPE), e->subtype);
	dmm_uint(out, FLD(F_MCAUTH_RESERVED), e->v.mcauth.reserved);
	dmm_uint(out, FLD(F_MCAUTH_HNI), e->v.mcauth.hni);
	dmm_uint(out, FLD(F_MCAUTH_CNI), e->v.mcauth.cni);
	dmm_bytes(out, FLD(F_MCAUTH_AUTH), e->v.mcauth.auth, e->v.mcauth.authlen);
	print_status(out, F_MCAUTH_STATUS, mcauth_status(e, msg));
}

static int mcauth_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u8(w, e->v.mcauth.reserved);
	wb_u16(w, e->v.mcauth.hni);
	wb_u16(w, e->v.mcauth.cni);
	if (e->flags & MIP4_EXT_F_SIGN)
		wb_zero(w, HAARO_MCAUTH_LEN);
	else
		wb_bytes(w, e->v.mcauth.auth, e->v.mcauth.authlen);
	return 0;
}

static int mcauth_sign(const struct mip4_ext *e, struct dmm_wbuf *w, size_t msg_start,
                       size_t ext_start)
{
	const uint8_t *krm = e->v.mcauth.krm;
	if (!krm && dmm_keys.n_krm)
		krm = dmm_keys.krm[0];
	if (!krm)
		return -1;
	return haaro_mcauth(krm, w->p + msg_start, ext_start - msg_start,
	                    dmm_numbers.mcauth_hdr_octets, w->p + ext_start + 8);
}

/* Care-of Address extension (RFC 6521 §5.4): Reserved, CoA x n (Length 2 + 4n). */
static void coa_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	e->v.coa.reserved = cur_u8(c);
	if (cur_left(c) % 4) {
		cur_invalid(c, "Care-of Address extension Length is not 2 + 4n");
		return;
	}
	e->v.coa.count = (uint8_t)(cur_left(c) / 4);
	e->v.coa.addrs = cur_bytes(c, cur_left(c));
}

static void coa_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_COAEXT_SUBTYPE), e->subtype);
	dmm_uint(out, FLD(F_COAEXT_RESERVED), e->v.coa.reserved);
	for (unsigned i = 0; i < e->v.coa.count; i++)
		dmm_addr4(out, FLD(F_COAEXT_COA), e->v.coa.addrs + 4 * i);
}

static int coa_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	wb_u8(w, e->v.coa.reserved);
	wb_bytes(w, e->v.coa.addrs, 4u * e->v.coa.count);
	return 0;
}

/* Route Optimization Prefix Advertisement (RFC 6521 §5.5): validated here,
 * decompressed again when printed (body keeps the wire form). */
static void pfx_parse(struct dmm_cursor *c, struct mip4_ext *e)
{
	struct haaro_pfx_reader r;
	struct haaro_pfx_info info;
	haaro_pfx_reader_init(&r, cur_ptr(c), cur_left(c));
	while (haaro_pfx_next(&r, &info) == 1)
		;
	if (!cur_ok(&r.c))
		cur_invalid(c, r.c.why);
	cur_skip(c, cur_left(c));
}

static void pfx_print(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out)
{
	struct haaro_pfx_reader r;
	struct haaro_pfx_info info;
	dmm_uint(out, FLD(F_PFX_SUBTYPE), e->subtype);
	haaro_pfx_reader_init(&r, e->body, e->body_len);
	while (haaro_pfx_next(&r, &info) == 1) {
		dmm_open(out, FLD(F_PFX_STRUCTURE), info.m ? "Mobile Router HoA" : "Prefix");
		dmm_bool(out, FLD(F_PFX_D), info.d);
		dmm_bool(out, FLD(F_PFX_M), info.m);
		if (info.m) {
			dmm_uint(out, FLD(F_PFX_INFO), info.plen_info);
			dmm_addr4(out, FLD(F_PFX_HOA), info.hoa);
		} else {
			dmm_uint(out, FLD(F_PFX_PLEN), info.plen_info);
			dmm_prefix4(out, FLD(F_PFX_PREFIX), info.prefix, info.plen_info);
			dmm_string(out, FLD(F_PFX_REALM), (const uint8_t *)info.realm,
			           info.realm_len);
		}
		dmm_close(out);
	}
}

static int pfx_encode(const struct mip4_ext *e, struct dmm_wbuf *w)
{
	if (!e->v.pfx.infos) {
		wb_bytes(w, e->body, e->body_len);
		return 0;
	}
	return haaro_pfx_encode(e->v.pfx.infos, e->v.pfx.n, e->v.pfx.flags, w);
}

/* ---- extension registry ---- */

/* TBA rows first: with a run-time number equal to an IANA one, the TBA row wins. */
static const struct mip4_ext_ops ext_rows[] = {
    {0, &dmm_numbers.haaro_t1, MIP4_FMT_SHORT, HAARO_MRROCAP_SUBTYPE,
     "Mobile Router Route Optimization Capability", "mrrocap", 1, 5, rocap_parse, rocap_print,
     rocap_encode, NULL},
    {0, &dmm_numbers.haaro_t2, MIP4_FMT_SHORT, HAARO_ROR_SUBTYPE, "Route Optimization Reply", "ror",
     1, 1, ror_parse, ror_print, ror_encode, NULL},
    {0, &dmm_numbers.haaro_t2, MIP4_FMT_SHORT, HAARO_MCAUTH_SUBTYPE,
     "Mobile-Correspondent Authentication", "mcauth", 5, 254, mcauth_parse, mcauth_print,
     mcauth_encode, mcauth_sign},
    {0, &dmm_numbers.haaro_t2, MIP4_FMT_SHORT, HAARO_COA_SUBTYPE, "Care-of Address", "coa", 5, 254,
     coa_parse, coa_print, coa_encode, NULL},
    {0, &dmm_numbers.haaro_t3, MIP4_FMT_LONG, HAARO_PFX_SUBTYPE,
     "Route Optimization Prefix Advertisement", "pfx", 1, 65535, pfx_parse, pfx_print, pfx_encode,
     NULL},
    {MIP4_EXT_PAD, NULL, MIP4_FMT_PAD, 0, "One-byte Padding", "pad", 0, 0, NULL, NULL, NULL, NULL},
    {MIP4_EXT_MNHA_AUTH, NULL, MIP4_FMT_TLV, 0, "Mobile-Home Authentication", "mnha", 4, 255,
     auth_parse, auth_print, auth_encode, auth_sign},
    {MIP4_EXT_UDP_TUN_REPLY, NULL, MIP4_FMT_SHORT, 0, "UDP Tunnel Reply", "utrp", 5, 5, utrp_parse,
     utrp_print, utrp_encode, NULL},
    {MIP4_EXT_REV_SUPPORT, NULL, MIP4_FMT_TLV, 0, "Revocation Support", "revsup", 6, 6,
     revsup_parse, revsup_print, revsup_encode, NULL},
    {MIP4_EXT_UDP_TUN_REQUEST, NULL, MIP4_FMT_SHORT, 0, "UDP Tunnel Request", "utrq", 5, 5,
     utrq_parse, utrq_print, utrq_encode, NULL},
    {MIP4_EXT_MOBNET, NULL, MIP4_FMT_SHORT, MIP4_MNE_REQUEST, "Mobile Network Request", "mnreq", 5,
     5, mnreq_parse, mnreq_print, mnreq_encode, NULL},
    {MIP4_EXT_MOBNET, NULL, MIP4_FMT_SHORT, MIP4_MNE_ACK_EXPLICIT,
     "Mobile Network Acknowledgement (explicit)", "mnack", 7, 7, mnack_parse, mnack_print,
     mnack_encode, NULL},
    {MIP4_EXT_MOBNET, NULL, MIP4_FMT_SHORT, MIP4_MNE_ACK_IMPLICIT,
     "Mobile Network Acknowledgement (implicit)", "mnack-implicit", 7, 7, mnack_parse, mnack_print,
     mnack_encode, NULL},
};
#define N_EXT_ROWS (sizeof(ext_rows) / sizeof(ext_rows[0]))

/* ---- message rows ---- */

/* Registration Request (RFC 5944 §3.3). */
static void regreq_parse(struct dmm_cursor *c, struct mip4_msg *m)
{
	m->u.req.flags = cur_u8(c);
	m->u.req.lifetime = cur_u16(c);
	cur_copy(c, m->u.req.hoa, 4);
	cur_copy(c, m->u.req.ha, 4);
	cur_copy(c, m->u.req.coa, 4);
	m->u.req.ident = cur_u64(c);
}

static void regreq_print(const struct mip4_msg *m, struct dmm_out *out)
{
	static const int flag_fields[8] = {F_S, F_B, F_D, F_M, F_G, F_V, F_T, F_X};
	dmm_uint(out, FLD(F_FLAGS), m->u.req.flags);
	for (int i = 0; i < 8; i++)
		dmm_bool(out, FLD(flag_fields[i]), m->u.req.flags & (0x80 >> i));
	dmm_uint(out, FLD(F_LIFE), m->u.req.lifetime);
	dmm_addr4(out, FLD(F_HOA), m->u.req.hoa);
	dmm_addr4(out, FLD(F_HA), m->u.req.ha);
	dmm_addr4(out, FLD(F_COA), m->u.req.coa);
	dmm_uint(out, FLD(F_IDENT), m->u.req.ident);
}

static void regreq_encode(const struct mip4_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.req.flags);
	wb_u16(w, m->u.req.lifetime);
	wb_bytes(w, m->u.req.hoa, 4);
	wb_bytes(w, m->u.req.ha, 4);
	wb_bytes(w, m->u.req.coa, 4);
	wb_u64(w, m->u.req.ident);
}

/* Registration Reply (RFC 5944 §3.4). */
static void regrep_parse(struct dmm_cursor *c, struct mip4_msg *m)
{
	m->u.rep.code = cur_u8(c);
	m->u.rep.lifetime = cur_u16(c);
	cur_copy(c, m->u.rep.hoa, 4);
	cur_copy(c, m->u.rep.ha, 4);
	m->u.rep.ident = cur_u64(c);
}

static void regrep_print(const struct mip4_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_CODE), m->u.rep.code);
	dmm_uint(out, FLD(F_LIFE), m->u.rep.lifetime);
	dmm_addr4(out, FLD(F_HOA), m->u.rep.hoa);
	dmm_addr4(out, FLD(F_HA), m->u.rep.ha);
	dmm_uint(out, FLD(F_IDENT), m->u.rep.ident);
}

static void regrep_encode(const struct mip4_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.rep.code);
	wb_u16(w, m->u.rep.lifetime);
	wb_bytes(w, m->u.rep.hoa, 4);
	wb_bytes(w, m->u.rep.ha, 4);
	wb_u64(w, m->u.rep.ident);
}

/* MIP Tunnel Data (RFC 3519 §3.3): Next Header, Reserved. */
static void tun_parse(struct dmm_cursor *c, struct mip4_msg *m)
{
	m->u.tun.next_header = cur_u8(c);
	m->u.tun.reserved = cur_u16(c);
}

static void tun_print(const struct mip4_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_NATTT_NH), m->u.tun.next_header);
	dmm_uint(out, FLD(F_NATTT_RESERVED), m->u.tun.reserved);
}

static void tun_encode(const struct mip4_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.tun.next_header);
	wb_u16(w, m->u.tun.reserved);
}

/* Registration Revocation (RFC 3543 §4.1). */
static void rev_parse(struct dmm_cursor *c, struct mip4_msg *m)
{
	m->u.rev.reserved = cur_u8(c);
	m->u.rev.flags = cur_u16(c);
	cur_copy(c, m->u.rev.hoa, 4);
	cur_copy(c, m->u.rev.hda, 4);
	cur_copy(c, m->u.rev.fda, 4);
	m->u.rev.rev_id = cur_u32(c);
}

static void rev_print(const struct mip4_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_REV_RESERVED), m->u.rev.reserved);
	dmm_uint(out, FLD(F_FLAGS2), m->u.rev.flags);
	dmm_bool(out, FLD(F_REV_A), m->u.rev.flags & MIP4_REV_A);
	dmm_bool(out, FLD(F_REV_I), m->u.rev.flags & MIP4_REV_I);
	dmm_uint(out, FLD(F_REV_RESERVED2), m->u.rev.flags & 0x3fff);
	dmm_addr4(out, FLD(F_HOA), m->u.rev.hoa);
	dmm_addr4(out, FLD(F_REV_HDA), m->u.rev.hda);
	dmm_addr4(out, FLD(F_REV_FDA), m->u.rev.fda);
	dmm_uint(out, FLD(F_REVID), m->u.rev.rev_id);
}

static void rev_encode(const struct mip4_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.rev.reserved);
	wb_u16(w, m->u.rev.flags);
	wb_bytes(w, m->u.rev.hoa, 4);
	wb_bytes(w, m->u.rev.hda, 4);
	wb_bytes(w, m->u.rev.fda, 4);
	wb_u32(w, m->u.rev.rev_id);
}

/* Registration Revocation Acknowledgement (RFC 3543 §4.2). */
static void rack_parse(struct dmm_cursor *c, struct mip4_msg *m)
{
	m->u.rack.reserved = cur_u8(c);
	m->u.rack.flags = cur_u16(c);
	cur_copy(c, m->u.rack.hoa, 4);
	m->u.rack.rev_id = cur_u32(c);
}

static void rack_print(const struct mip4_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_ACK_RESERVED), m->u.rack.reserved);
	dmm_uint(out, FLD(F_FLAGS2), m->u.rack.flags);
	dmm_bool(out, FLD(F_ACK_I), m->u.rack.flags & MIP4_ACK_I);
	dmm_uint(out, FLD(F_ACK_RESERVED2), m->u.rack.flags & 0x7fff);
	dmm_addr4(out, FLD(F_HOA), m->u.rack.hoa);
	dmm_uint(out, FLD(F_REVID), m->u.rack.rev_id);
}

static void rack_encode(const struct mip4_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.rack.reserved);
	wb_u16(w, m->u.rack.flags);
	wb_bytes(w, m->u.rack.hoa, 4);
	wb_u32(w, m->u.rack.rev_id);
}

/* HoTI / CoTI (RFC 6521 §5.6-5.7): Reserved, Init Cookie. */
static void ti_parse(struct dmm_cursor *c, struct mip4_msg *m)
{
	m->u.ti.reserved = cur_u8(c);
	m->u.ti.cookie = cur_u64(c);
}

static void ti_print(const struct mip4_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_RR_RESERVED), m->u.ti.reserved);
	dmm_uint(out, FLD(F_RR_COOKIE), m->u.ti.cookie);
}

static void ti_encode(const struct mip4_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.ti.reserved);
	wb_u64(w, m->u.ti.cookie);
}

/* HoT / CoT (RFC 6521 §5.8-5.9): Reserved, Nonce Index, Init Cookie, Keygen Token. */
static void t_parse(struct dmm_cursor *c, struct mip4_msg *m)
{
	m->u.t.reserved = cur_u8(c);
	m->u.t.nonce_index = cur_u16(c);
	m->u.t.cookie = cur_u64(c);
	m->u.t.token = cur_u64(c);
}

static void t_print(const struct mip4_msg *m, struct dmm_out *out)
{
	dmm_uint(out, FLD(F_RR_RESERVED), m->u.t.reserved);
	dmm_uint(out, FLD(F_RR_NONCE_INDEX), m->u.t.nonce_index);
	dmm_uint(out, FLD(F_RR_COOKIE), m->u.t.cookie);
	dmm_uint(out, FLD(F_RR_TOKEN), m->u.t.token);
}

static void t_encode(const struct mip4_msg *m, struct dmm_wbuf *w)
{
	wb_u8(w, m->u.t.reserved);
	wb_u16(w, m->u.t.nonce_index);
	wb_u64(w, m->u.t.cookie);
	wb_u64(w, m->u.t.token);
}

/* IANA rows first, TBA rows last: a run-time number wins over a fixed one. */
static const struct mip4_type_ops type_rows[] = {
    {MIP4_REG_REQUEST, NULL, "Registration Request", "regreq", 24, 1, regreq_parse, regreq_print,
     regreq_encode},
    {MIP4_REG_REPLY, NULL, "Registration Reply", "regrep", 20, 1, regrep_parse, regrep_print,
     regrep_encode},
    {MIP4_TUNNEL_DATA, NULL, "MIP Tunnel Data", "tunnel", 4, 0, tun_parse, tun_print, tun_encode},
    {MIP4_REVOCATION, NULL, "Registration Revocation", "revocation", 20, 1, rev_parse, rev_print,
     rev_encode},
    {MIP4_REVOCATION_ACK, NULL, "Registration Revocation Acknowledgement", "revocation-ack", 12, 1,
     rack_parse, rack_print, rack_encode},
    {0, &dmm_numbers.haaro_hoti, "Home Test Init", "hoti", 10, 1, ti_parse, ti_print, ti_encode},
    {0, &dmm_numbers.haaro_coti, "Care-of Test Init", "coti", 10, 1, ti_parse, ti_print, ti_encode},
    {0, &dmm_numbers.haaro_hot, "Home Test", "hot", 20, 1, t_parse, t_print, t_encode},
    {0, &dmm_numbers.haaro_cot, "Care-of Test", "cot", 20, 1, t_parse, t_print, t_encode},
};
#define N_TYPE_ROWS (sizeof(type_rows) / sizeof(type_rows[0]))

/* ---- lookup indexes, rebuilt when dmm_numbers change ---- */

static uint8_t ext_first[256];       /* 1 + first row of each extension type, 0 = none */
static uint8_t ext_next[N_EXT_ROWS]; /* 1 + next row of the same type, 0 = end */
static const struct mip4_type_ops *type_index[256];
static int index_ready;

uint8_t mip4_ext_number(const struct mip4_ext_ops *ops)
{
	return ops->tba ? *ops->tba : ops->type;
}

uint8_t mip4_type_number(const struct mip4_type_ops *ops)
{
	return ops->tba ? *ops->tba : ops->type;
}

static void index_build(void)
{
	memset(ext_first, 0, sizeof(ext_first));
	for (size_t i = N_EXT_ROWS; i-- > 0;) {
		uint8_t t = mip4_ext_number(&ext_rows[i]);
		ext_next[i] = ext_first[t];
		ext_first[t] = (uint8_t)(i + 1);
	}
	memset(type_index, 0, sizeof(type_index));
	for (size_t i = 0; i < N_TYPE_ROWS; i++)
		type_index[mip4_type_number(&type_rows[i])] = &type_rows[i];
	mip4_type_vals[TYPE_VALS_HOTI].value = dmm_numbers.haaro_hoti;
	mip4_type_vals[TYPE_VALS_COTI].value = dmm_numbers.haaro_coti;
	mip4_type_vals[TYPE_VALS_HOT].value = dmm_numbers.haaro_hot;
	mip4_type_vals[TYPE_VALS_COT].value = dmm_numbers.haaro_cot;
	mip4_code_vals[CODE_VALS_CONCURRENT].value = dmm_numbers.haaro_concurrent;
	mip4_code_vals[CODE_VALS_EXP_HOME].value = dmm_numbers.haaro_exp_home;
	mip4_code_vals[CODE_VALS_EXP_COA].value = dmm_numbers.haaro_exp_coa;
	mip4_code_vals[CODE_VALS_EXP_BOTH].value = dmm_numbers.haaro_exp_both;
	mip4_ext_type_vals[EXT_VALS_T1].value = dmm_numbers.haaro_t1;
	mip4_ext_type_vals[EXT_VALS_T2].value = dmm_numbers.haaro_t2;
	mip4_ext_type_vals[EXT_VALS_T3].value = dmm_numbers.haaro_t3;
	index_ready = 1;
}

static void index_ensure(void)
{
	if (!index_ready) {
		dmm_numbers_on_change(index_build);
		index_build();
	}
}

enum mip4_ext_format mip4_ext_format(uint8_t type)
{
	index_ensure();
	return ext_first[type] ? ext_rows[ext_first[type] - 1].format : MIP4_FMT_TLV;
}

const struct mip4_ext_ops *mip4_ext_lookup(uint8_t type, uint8_t subtype)
{
	index_ensure();
	if (!ext_first[type])
		return NULL;
	uint8_t format = ext_rows[ext_first[type] - 1].format;
	for (unsigned i = ext_first[type]; i; i = ext_next[i - 1]) {
		const struct mip4_ext_ops *ops = &ext_rows[i - 1];
		if (ops->format != format)
			continue;
		if (format == MIP4_FMT_PAD || format == MIP4_FMT_TLV || ops->subtype == subtype)
			return ops;
	}
	return NULL;
}

const struct mip4_type_ops *mip4_type_lookup(uint8_t type)
{
	index_ensure();
	return type_index[type];
}

const struct mip4_ext_ops *mip4_ext_registry(size_t *count)
{
	*count = N_EXT_ROWS;
	return ext_rows;
}

const struct mip4_type_ops *mip4_type_registry(size_t *count)
{
	*count = N_TYPE_ROWS;
	return type_rows;
}

/* ---- extension walk (RFC 5944 §1.9-1.11; shared by parse and dissect) ---- */

static const char unknown_non_skippable[] = "unknown non-skippable extension";

/* Read one extension header and body at c. Returns its row (NULL if unknown); on
 * error c holds it (an unknown non-skippable type is reported before its Length). */
static const struct mip4_ext_ops *read_ext(struct dmm_cursor *c, struct mip4_ext *e)
{
	memset(e, 0, sizeof(*e));
	e->off = c->pos;
	e->type = cur_u8(c);
	enum mip4_ext_format fmt = mip4_ext_format(e->type);
	if (fmt == MIP4_FMT_PAD)
		return mip4_ext_lookup(e->type, 0);
	if (e->type < 128 && !ext_first[e->type]) {
		cur_invalid(c, unknown_non_skippable);
		return NULL;
	}
	size_t n;
	if (fmt == MIP4_FMT_LONG) {
		e->subtype = cur_u8(c);
		e->len = cur_u16(c);
		n = e->len;
	} else {
		e->len = cur_u8(c);
		n = e->len;
		if (fmt == MIP4_FMT_SHORT && cur_ok(c)) {
			if (n == 0) {
				cur_invalid(c, "short-format extension with Length 0");
				return NULL;
			}
			e->subtype = cur_u8(c);
			n--;
		}
	}
	e->body_len = n;
	e->body = cur_bytes(c, n);
	if (!cur_ok(c))
		return NULL;
	const struct mip4_ext_ops *ops = mip4_ext_lookup(e->type, e->subtype);
	if (!ops && e->type < 128)
		cur_invalid(c, unknown_non_skippable);
	return ops;
}

/* Check and parse the body through its row; body holds the verdict. */
static void parse_ext_body(const struct mip4_ext_ops *ops, struct mip4_ext *e,
                           struct dmm_cursor *body)
{
	cur_init(body, e->body, e->body_len);
	if (!ops || !ops->parse)
		return;
	if (e->body_len < ops->min_len || e->body_len > ops->max_len) {
		cur_invalid(body, "extension Length out of range");
		return;
	}
	ops->parse(body, e);
	if (cur_ok(body) && cur_left(body))
		cur_invalid(body, "extension has trailing octets");
}

int mip4_ext_next(struct dmm_cursor *c, struct mip4_ext *e)
{
	struct dmm_cursor body;
	if (!cur_ok(c))
		return -1;
	if (!cur_left(c))
		return 0;
	const struct mip4_ext_ops *ops = read_ext(c, e);
	if (!cur_ok(c))
		return -1;
	parse_ext_body(ops, e, &body);
	if (!cur_ok(&body)) {
		cur_invalid(c, body.why);
		return -1;
	}
	return 1;
}

int mip4_parse(const uint8_t *p, size_t len, struct mip4_msg *m, struct dmm_cursor *c)
{
	struct mip4_ext e;
	memset(m, 0, sizeof(*m));
	cur_init(c, p, len);
	m->type = cur_u8(c);
	if (!cur_ok(c))
		return c->err;
	const struct mip4_type_ops *t = mip4_type_lookup(m->type);
	if (!t) {
		cur_invalid(c, "unknown message type");
		return c->err;
	}
	if (len < t->fixed_len) {
		cur_truncated(c);
		return c->err;
	}
	t->parse(c, m);
	m->body = cur_ptr(c);
	m->body_len = cur_left(c);
	if (!t->has_exts) {
		cur_skip(c, m->body_len);
		return c->err;
	}
	while (mip4_ext_next(c, &e) == 1) {
		if (m->nexts >= MIP4_MAX_EXTS) {
			cur_invalid(c, "more than 32 extensions");
			break;
		}
		m->exts[m->nexts++] = e;
	}
	return c->err;
}

/* ---- dissection ---- */

static void dissect_exts(struct dmm_cursor *c, const uint8_t *msg, struct dmm_out *out)
{
	while (cur_ok(c) && cur_left(c)) {
		struct mip4_ext e;
		struct dmm_cursor body;
		const struct mip4_ext_ops *ops = read_ext(c, &e);
		if (!cur_ok(c)) {
			char why[64];
			dmm_open(out, FLD(F_EXT), "Extension");
			dmm_uint(out, FLD(F_EXT_TYPE), e.type);
			if (c->why == unknown_non_skippable) {
				snprintf(why, sizeof(why), "invalid: %s %u", unknown_non_skippable,
				         e.type);
				dmm_error(out, why);
			} else {
				dmm_cursor_error(out, c);
			}
			dmm_bytes(out, DMM_FIELD_UNKNOWN_DATA, msg + e.off, c->len - e.off);
			dmm_close(out);
			return;
		}
		dmm_open(out, FLD(F_EXT), ops ? ops->name : "Unknown extension");
		dmm_uint(out, FLD(F_EXT_TYPE), e.type);
		if (ops && ops->format == MIP4_FMT_PAD) {
			dmm_close(out);
			continue;
		}
		dmm_uint(out, FLD(F_EXT_LEN), e.len);
		parse_ext_body(ops, &e, &body);
		if (ops && cur_ok(&body)) {
			ops->print(&e, msg, out);
		} else {
			/* the data after Type and Length (Sub-Type included), like tshark */
			size_t hdr = ops && ops->format == MIP4_FMT_LONG ? 4 : 2;
			dmm_bytes(out, FLD(F_EXTENSION), msg + e.off + hdr,
			          e.body_len + (size_t)(e.body - msg - e.off) - hdr);
			dmm_cursor_error(out, &body);
		}
		dmm_close(out);
	}
}

void mip4_dissect(const uint8_t *p, size_t len, unsigned depth, struct dmm_out *out)
{
	struct dmm_cursor c;
	struct mip4_msg m;
	const struct mip4_type_ops *t = len ? mip4_type_lookup(p[0]) : NULL;
	cur_init(&c, p, len);
	dmm_open(out, FLD(F_MIP), t ? t->name : "Mobile IP");
	m.type = cur_u8(&c);
	if (dmm_cursor_error(out, &c)) {
		dmm_close(out);
		return;
	}
	dmm_uint(out, FLD(F_TYPE), m.type);
	if (!t || len < t->fixed_len) {
		if (t)
			dmm_error(out, "truncated");
		dmm_bytes(out, DMM_FIELD_UNKNOWN_DATA, p + 1, len - 1);
		dmm_close(out);
		return;
	}
	t->parse(&c, &m);
	t->print(&m, out);
	if (t->has_exts) {
		dissect_exts(&c, p, out);
	} else if (cur_left(&c)) {
		/* RFC 3519 §3.3: Next Header 4 (IP-in-IP), 47 (GRE) or 55 (minimal) */
		dmm_dissect_ipproto(m.u.tun.next_header, cur_ptr(&c), cur_left(&c), depth, out);
	}
	dmm_close(out);
}

/* ---- encoding ---- */

struct mip4_ext *mip4_add_ext(struct mip4_msg *m, uint8_t type, uint8_t subtype)
{
	if (m->nexts >= MIP4_MAX_EXTS)
		return NULL;
	struct mip4_ext *e = &m->exts[m->nexts++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->subtype = subtype;
	return e;
}

const struct mip4_ext *mip4_find_ext(const struct mip4_msg *m, uint8_t type, uint8_t subtype,
                                     unsigned nth)
{
	int tlv = mip4_ext_format(type) <= MIP4_FMT_TLV;
	for (unsigned i = 0; i < m->nexts; i++)
		if (m->exts[i].type == type && (tlv || m->exts[i].subtype == subtype) && nth-- == 0)
			return &m->exts[i];
	return NULL;
}

static int encode_ext(const struct mip4_ext *e, struct dmm_wbuf *w, size_t msg_start)
{
	enum mip4_ext_format fmt = mip4_ext_format(e->type);
	const struct mip4_ext_ops *ops = mip4_ext_lookup(e->type, e->subtype);
	size_t ext_start = w->len;
	wb_u8(w, e->type);
	if (fmt == MIP4_FMT_PAD)
		return w->err ? -1 : 0;
	if (fmt == MIP4_FMT_LONG) {
		wb_u8(w, e->subtype);
		wb_u16(w, 0);
	} else {
		wb_u8(w, 0);
		if (fmt == MIP4_FMT_SHORT)
			wb_u8(w, e->subtype);
	}
	size_t body_start = w->len;
	int raw = (e->flags & MIP4_EXT_F_RAW) || !ops;
	if (raw)
		wb_bytes(w, e->body, e->body_len);
	else if (ops->encode(e, w) < 0)
		return -1;
	if (w->err)
		return -1;
	size_t len = w->len - body_start + (fmt == MIP4_FMT_SHORT ? 1 : 0);
	if (e->flags & MIP4_EXT_F_FORCE_LEN)
		len = e->force_len;
	else if (len > (fmt == MIP4_FMT_LONG ? 0xffffu : 0xffu))
		return -1;
	if (fmt == MIP4_FMT_LONG)
		wb_put16_at(w, ext_start + 2, (uint16_t)len);
	else
		wb_put8_at(w, ext_start + 1, (uint8_t)len);
	if ((e->flags & MIP4_EXT_F_SIGN) && !raw)
		return ops->sign ? ops->sign(e, w, msg_start, ext_start) : -1;
	return 0;
}

int mip4_encode(const struct mip4_msg *m, struct dmm_wbuf *w)
{
	size_t start = w->len;
	const struct mip4_type_ops *t = mip4_type_lookup(m->type);
	wb_u8(w, m->type);
	if (t)
		t->encode(m, w);
	if (!t || !t->has_exts || m->enc.raw_body) {
		wb_bytes(w, m->body, m->body_len);
	} else {
		for (unsigned i = 0; i < m->nexts; i++)
			if (encode_ext(&m->exts[i], w, start) < 0)
				return -1;
	}
	return w->err ? -1 : (int)(w->len - start);
}
