/* Fuzzing fixture: an LMA (RFC 5213 §5, RFC 8278 §4) and a MAG (RFC 5213 §6) set up from
 * configuration text, without sockets or data plane; the MAG's PBUs go to the LMA and the
 * PBAs back in memory. */
#ifndef DMM_FUZZ_ROLES_H
#define DMM_FUZZ_ROLES_H

#include "conf.h"
#include "dlog.h"
#include "ev.h"
#include "fuzz_out.h"
#include "lma.h"
#include "mag.h"
#include "mh.h"
#include "role.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_KEY "0x0102030405060708090a0b0c0d0e0f10"
#define FUZZ_MAX_SENT 16
#define FUZZ_MH_MAX 2048

/* %s: "on" or "off" (RFC 4285 authentication) */
static const char fuzz_lma_conf[] = "role lma\n"
                                    "address 2001:db8:ff::1\n"
                                    "hnp-pool 2001:db8:100::/48 64\n"
                                    "multipath on\n"
                                    "auth %s\n"
                                    "dataplane none\n"
                                    "min-delay-before-bce-delete 20\n"
                                    "peer mag1 {\n  address 2001:db8:11::2\n"
                                    "  address 2001:db8:12::2\n  spi 256\n  key " FUZZ_KEY "\n}\n"
                                    "mn nomp@example.com {\n  multipath off\n}\n"
                                    "mn static@example.com {\n  hnp 2001:db8:200:1::/64\n}\n";
static const char fuzz_mag_conf[] = "role mag\n"
                                    "mag-id mag1@example.com\n"
                                    "multipath on\n"
                                    "auth %s\n"
                                    "lifetime 400\n"
                                    "dataplane none\n"
                                    "peer lma {\n  address 2001:db8:ff::1\n  spi 256\n"
                                    "  key " FUZZ_KEY "\n}\n"
                                    "wan lte {\n  address 2001:db8:11::2\n  label 11\n  att 8\n}\n"
                                    "wan wlan {\n  address 2001:db8:12::2\n  label 9\n  att 4\n}\n";

static const uint8_t fuzz_lmaa[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0xff, [15] = 1};
static const uint8_t fuzz_pcoa1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x11, [15] = 2};

struct fuzz_sent {
	uint8_t src[16], dst[16];
	uint8_t mh[FUZZ_MH_MAX];
	size_t len;
};

struct fuzz_roles {
	struct ev_loop *loop;
	struct dmmd dl, dm;
	struct conf *cl, *cm;
	struct lma *lma;
	struct mag *mag;
	struct fuzz_sent sent[FUZZ_MAX_SENT];
	unsigned nsent;
};

static void fuzz_on_send(void *arg, const uint8_t src[16], const uint8_t dst[16], const uint8_t *mh,
                         size_t len)
{
	struct fuzz_roles *r = arg;
	if (len > FUZZ_MH_MAX)
		fuzz_fail("MAG sent a PBU longer than any MH it builds", NULL);
	if (r->nsent == FUZZ_MAX_SENT)
		return;
	struct fuzz_sent *s = &r->sent[r->nsent++];
	memcpy(s->src, src, 16);
	memcpy(s->dst, dst, 16);
	memcpy(s->mh, mh, len);
	s->len = len;
}

static void *fuzz_role(struct dmmd *d, struct conf **cf, const char *fmt, const char *auth,
                       struct ev_loop *loop)
{
	char text[2048], err[256];
	snprintf(text, sizeof(text), fmt, auth);
	memset(d, 0, sizeof(*d));
	d->loop = loop;
	*cf = conf_parse(text, "fuzz.conf", err, sizeof(err));
	void *st = *cf ? role_setup(d, *cf, err, sizeof(err)) : NULL;
	if (!st) {
		fprintf(stderr, "fuzz fixture: %s\n", err);
		abort();
	}
	return st;
}

static void fuzz_roles_setup(struct fuzz_roles *r, const char *auth)
{
	memset(r, 0, sizeof(*r));
	log_setlevel(DLOG_WARN); /* events and warnings of every input would flood the log */
	r->loop = ev_loop_new();
	if (!r->loop)
		abort();
	r->lma = fuzz_role(&r->dl, &r->cl, fuzz_lma_conf, auth, r->loop);
	r->mag = fuzz_role(&r->dm, &r->cm, fuzz_mag_conf, auth, r->loop);
	mag_set_send_hook(r->mag, fuzz_on_send, r);
}

static void fuzz_roles_free(struct fuzz_roles *r)
{
	dmm_role_mag.free(r->mag);
	dmm_role_lma.free(r->lma);
	conf_free(r->cm);
	conf_free(r->cl);
	ev_loop_free(r->loop);
}

/* A reply of lma_input: within its buffer, a PBA that parses and whose checksum holds over
 * the swapped addresses. */
static void fuzz_check_pba(const uint8_t *pba, int n, size_t cap, const uint8_t *src,
                           const uint8_t *dst)
{
	static struct mh_msg m;
	struct dmm_cursor c;
	if (n < 0 || (size_t)n > cap)
		fuzz_fail("lma_input reply length out of bounds", NULL);
	if (n == 0)
		return;
	if (mh_parse(pba, (size_t)n, &m, &c) != 0) {
		fprintf(stderr, "PBA does not parse: %s\n", c.why ? c.why : "?");
		fuzz_fail("LMA reply does not parse", NULL);
	}
	if (m.type != MH_BA)
		fuzz_fail("LMA reply is not a (Proxy) Binding Acknowledgement", NULL);
	uint16_t sum = mh_checksum(dst, src, pba, (size_t)n);
	if (sum != 0 && sum != 0xffff)
		fuzz_fail("PBA checksum wrong", NULL);
}

/* Deliver the MAG's queued PBUs to the LMA and every PBA back to the MAG (bounded rounds). */
static void fuzz_roles_exchange(struct fuzz_roles *r)
{
	static uint8_t pba[FUZZ_MH_MAX];
	for (unsigned round = 0; round < 4 && r->nsent; round++) {
		static struct fuzz_sent queue[FUZZ_MAX_SENT];
		unsigned n = r->nsent;
		memcpy(queue, r->sent, n * sizeof(queue[0]));
		r->nsent = 0;
		for (unsigned i = 0; i < n; i++) {
			struct fuzz_sent *s = &queue[i];
			int len =
			    lma_input(r->lma, s->src, s->dst, s->mh, s->len, pba, sizeof(pba));
			fuzz_check_pba(pba, len, sizeof(pba), s->src, s->dst);
			if (len > 0)
				(void)mag_input(r->mag, s->dst, s->src, pba, (size_t)len);
		}
	}
}

#endif
