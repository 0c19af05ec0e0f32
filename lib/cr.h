/* HAARO correspondent router and MR-side helpers (seed 003 §3.2-3.2.3, §3.3.3; RFC 6521 §3.2,
 * §3.3.3, §5.3-5.9). */
#ifndef DMM_CR_H
#define DMM_CR_H

#include "haaro.h"
#include "mip4.h"

#include <stddef.h>
#include <stdint.h>

/* Defaults of seed 003 §3.2.3 and §9: a new nonce every 30 s, the last 8 accepted
 * (MAX_NONCE_LIFETIME 240 s / 30). */
#define CR_NONCE_PERIOD_MS 30000u
#define CR_NONCES_KEPT 8u
#define CR_MAX_NONCES_KEPT 64u
#define CR_MAX_PREFIXES 64u /* HoA <-> prefix ownership entries (the RO cache view) */
#define CR_MAX_BINDINGS 64u /* verified registrations */
#define CR_MAX_PENDING 16u  /* own registrations in progress (MR role) */
#define CR_MAX_PSK 16u      /* pre-shared KRms */
#define CR_MAX_COAS 8u      /* the CR's care-of addresses (Care-of Address extension) */
#define CR_MAX_NETWORKS 16u /* Mobile Network Requests handled per registration */
#define CR_DEFAULT_MAX_LIFETIME 600u

/* Reply codes the CR uses besides the HAARO ones of dmm_numbers (RFC 5944 §3.4, RFC 5177 §11). */
enum {
	CR_CODE_ACCEPTED = 0,
	CR_CODE_AUTH_FAILED = 131,    /* mobile node failed authentication */
	CR_CODE_IDENT_MISMATCH = 133, /* registration Identification mismatch (replay) */
	CR_CODE_POORLY_FORMED = 134,  /* poorly formed Request */
	CR_CODE_MOBNET_ERROR = 147,   /* HA_MOBNET_ERROR: the reason is in the Acks */
	CR_CODE_INSUFFICIENT = 130,   /* binding table full */
};

/* Mobile Network Acknowledgement codes (RFC 5177 §4.2). */
enum { CR_MOBNET_SUCCESS = 0, CR_MOBNET_INVALID_PREFIX_LEN = 1, CR_MOBNET_UNAUTHORIZED = 2 };

/* Source of random octets (Kcr, nonces, cookies): returns 0 on success. */
typedef int (*cr_random_fn)(uint8_t *buf, size_t len, void *arg);
/* OpenSSL RAND_bytes. */
int cr_random_openssl(uint8_t *buf, size_t len, void *arg);
/* A 64-bit random value (cookies, nonces) from OpenSSL; returns 0 or -1. */
int cr_random64(uint64_t *v);

struct cr_prefix {
	uint8_t hoa[4];    /* the mobile router that owns the prefix */
	uint8_t prefix[4]; /* zero beyond plen */
	uint8_t plen;
};

struct cr_network {
	uint8_t prefix[4];
	uint8_t plen;
	uint8_t ack_code; /* enum CR_MOBNET_* */
};

struct cr_binding {
	uint8_t hoa[4];
	uint8_t coa[4];       /* observed source address of the request (the tunnel end point) */
	uint8_t coa_field[4]; /* Care-of Address field of the request */
	uint8_t ha[4];
	uint16_t lifetime; /* granted, seconds */
	uint64_t expires_ms;
	uint64_t ident;
	uint16_t hni, cni;
	uint8_t concurrent; /* accepted with the concurrent-registration code */
	struct cr_network networks[CR_MAX_NETWORKS]; /* the authorized ones */
	unsigned n_networks;
};

struct cr_config {
	uint8_t hoa[4];              /* this router's home address (concurrent-registration rule) */
	uint32_t nonce_period_ms;    /* a new nonce every period (0: CR_NONCE_PERIOD_MS) */
	unsigned nonces_kept;        /* the last N nonces are accepted (0: CR_NONCES_KEPT) */
	uint16_t max_lifetime;       /* granted lifetime cap (0: CR_DEFAULT_MAX_LIFETIME) */
	uint8_t reject_unauthorized; /* reject the whole registration (147) when a prefix is */
	uint8_t check_ident;         /* refuse an Identification not above the binding's (133) */
	uint8_t coas[CR_MAX_COAS][4]; /* eligible care-of addresses, in priority order */
	unsigned n_coas;
	cr_random_fn random; /* NULL: cr_random_openssl */
	void *random_arg;
};

struct cr_nonce_slot {
	uint64_t period; /* periods since cr_init */
	uint64_t value;
	uint8_t used;
};

struct cr_pending {
	uint8_t peer[4];
	uint64_t expires_ms;
};

struct cr_psk {
	uint8_t hoa[4];
	uint8_t krm[HAARO_KRM_LEN];
};

/* Correspondent-router state. Everything that depends on a peer appears only once
 * a registration has been verified (bindings); HoTI/CoTI leave no state. */
struct cr {
	struct cr_config cfg;
	uint64_t epoch_ms;
	uint8_t kcr[HAARO_KCR_LEN];
	uint8_t have_kcr;
	struct cr_nonce_slot nonces[CR_MAX_NONCES_KEPT]; /* slot = period % nonces_kept */
	struct cr_prefix prefixes[CR_MAX_PREFIXES];
	unsigned n_prefixes;
	struct cr_binding bindings[CR_MAX_BINDINGS];
	unsigned n_bindings;
	struct cr_pending pending[CR_MAX_PENDING];
	unsigned n_pending;
	struct cr_psk psks[CR_MAX_PSK];
	unsigned n_psks;
};

/* What cr_input did with one datagram (for logs and the tools' output). */
enum cr_event {
	CR_EV_DROPPED,      /* not for a CR (or unparsable): no reply */
	CR_EV_HOT,          /* HoTI answered with HoT */
	CR_EV_COT,          /* CoTI answered with CoT */
	CR_EV_REGISTRATION, /* Registration Request answered with a Registration Reply */
};

struct cr_result {
	enum cr_event event;
	const char *why; /* DROPPED, or the reason of a refused registration */
	uint64_t cookie; /* HoT/CoT */
	uint16_t nonce_index;
	uint64_t token;
	uint8_t code;      /* Registration Reply code */
	uint8_t hoa[4];    /* registration */
	uint16_t lifetime; /* granted */
	uint16_t hni, cni;
	uint8_t dereg;
	struct cr_network networks[CR_MAX_NETWORKS]; /* every requested one, with its Ack code */
	unsigned n_networks;
};

/* Start at now_ms. cfg may be NULL (defaults). Kcr and nonces are produced on first use. */
int cr_init(struct cr *cr, const struct cr_config *cfg, uint64_t now_ms);
/* Set Kcr (tests, or a restored key); otherwise 16 random octets on first use. */
void cr_set_kcr(struct cr *cr, const uint8_t kcr[HAARO_KCR_LEN]);
/* Declare that hoa owns prefix/plen (from the HA's Prefix Advertisements or configuration). */
int cr_add_prefix(struct cr *cr, const uint8_t hoa[4], const uint8_t prefix[4], uint8_t plen);
/* A pre-shared KRm for a peer (used when both nonce indices are 0, RFC 6521 §5.3). */
int cr_add_psk(struct cr *cr, const uint8_t hoa[4], const uint8_t krm[HAARO_KRM_LEN]);
/* Own registration (MR role) towards peer in progress until expires_ms; cleared with
 * cr_pending_clear when its reply arrives. */
int cr_pending_add(struct cr *cr, const uint8_t peer[4], uint64_t expires_ms);
void cr_pending_clear(struct cr *cr, const uint8_t peer[4]);

/* Nonce of the current period (produced if needed): its index (1..65535) and value. */
int cr_current_nonce(struct cr *cr, uint64_t now_ms, uint16_t *index, uint64_t *value);
/* Value of an accepted nonce index: 0, or -1 when the index is expired or unknown. */
int cr_nonce_lookup(const struct cr *cr, uint64_t now_ms, uint16_t index, uint64_t *value);

/* Handle one UDP payload received on port 434 from src (the observed source address):
 * HoTI/CoTI get HoT/CoT, a Registration Request with MC-Auth gets a Registration Reply.
 * Returns the reply length written to reply (0: no reply), or -1 on internal failure.
 * res (may be NULL) says what happened. */
int cr_input(struct cr *cr, uint64_t now_ms, const uint8_t src[4], const uint8_t *pkt, size_t len,
             uint8_t *reply, size_t cap, struct cr_result *res);

/* Drop bindings whose lifetime ran out. */
void cr_expire(struct cr *cr, uint64_t now_ms);
const struct cr_binding *cr_find_binding(const struct cr *cr, const uint8_t hoa[4]);

/* ---- initiator (mobile router) side ---- */

/* HoTI (careof 0) or CoTI (careof 1) with cookie. Returns the length or -1. */
int cr_build_test_init(int careof, uint64_t cookie, uint8_t *buf, size_t cap);

struct cr_test {
	uint16_t nonce_index;
	uint64_t cookie;
	uint64_t token;
};
/* Parse a HoT (careof 0) or CoT (careof 1) answering cookie: 0, or -1 with *why set
 * (wrong type, cookie mismatch, malformed). */
int cr_parse_test(int careof, uint64_t cookie, const uint8_t *pkt, size_t len, struct cr_test *t,
                  const char **why);

/* KRm from the two tokens, or the deregistration KRm (careof ignored) when dereg. */
int cr_derive_krm(uint64_t home_token, uint64_t careof_token, int dereg,
                  uint8_t krm[HAARO_KRM_LEN]);

struct cr_request {
	uint8_t hoa[4], ha[4], coa[4];
	uint8_t flags; /* MIP4_F_* */
	uint16_t lifetime;
	uint64_t ident;
	struct cr_network networks[CR_MAX_NETWORKS]; /* Mobile Network Requests (ack_code unused) */
	unsigned n_networks;
	uint16_t hni, cni;
	const uint8_t *krm; /* HAARO_KRM_LEN octets */
};
/* MR->CR Registration Request: fixed part, Mobile Network Request(s), MC-Auth (last).
 * Returns the length or -1. */
int cr_build_request(const struct cr_request *rq, uint8_t *buf, size_t cap);

enum cr_auth_status { CR_AUTH_ABSENT, CR_AUTH_GOOD, CR_AUTH_BAD };

struct cr_reply {
	uint8_t code;
	uint16_t lifetime;
	uint8_t hoa[4], ha[4];
	uint64_t ident;
	struct cr_network acks[CR_MAX_NETWORKS];
	unsigned n_acks;
	uint8_t coas[CR_MAX_COAS][4];
	unsigned n_coas;
	enum cr_auth_status auth;
};
/* Parse a Registration Reply and verify its MC-Auth with krm (NULL: not checked, BAD
 * if present). Returns 0, or -1 with *why set. */
int cr_parse_reply(const uint8_t *pkt, size_t len, const uint8_t *krm, struct cr_reply *rp,
                   const char **why);

/* "accepted", "concurrent registration", ... for a reply code (dmm value tables). */
const char *cr_code_name(uint8_t code);
const char *cr_mobnet_code_name(uint8_t code);

#endif
