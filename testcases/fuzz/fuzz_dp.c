/* Fuzz target: data plane classification and path selection (RFC 2473 inner packets, RFC 8200
 * §4 extension headers and fragments, RFC 8278 §4.1 label policy): dp_flow_classify,
 * dp_select_path, and the policy text parser with its parse(format(x)) round trip. */
#include "dataplane.h"
#include "fuzz_out.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_WRR_WINDOW 4096 /* picks checked for the exact per-packet shares */

static void check_why(const char *why, const char *what)
{
	if (!why || (strncmp(why, "invalid: ", 9) != 0 && strcmp(why, "truncated") != 0))
		fuzz_fail(what, NULL);
}

/* 1 and the flow when the input classifies; the 5-tuple must come from the header. */
static int classify(const uint8_t *data, size_t size, struct dp_flow *f)
{
	const char *why = NULL;
	if (dp_flow_classify(data, size, f, &why) != 0) {
		check_why(why, "classification refused without a reason");
		return 0;
	}
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	if (data[0] >> 4 == 6) {
		if (f->family != AF_INET6 || size < 40 || memcmp(&f->src, data + 8, 16) != 0 ||
		    memcmp(&f->dst, data + 24, 16) != 0)
			fuzz_fail("IPv6 flow does not match the header", NULL);
		if (data[6] == f->proto && size >= 44 && (data[4] << 8 | data[5]) >= 4 &&
		    (f->proto == 6 || f->proto == 17) &&
		    (f->sport != (data[40] << 8 | data[41]) ||
		     f->dport != (data[42] << 8 | data[43])))
			fuzz_fail("IPv6 ports do not match the transport header", NULL);
	} else {
		if (f->family != AF_INET || size < 20 || memcmp(&f->src, mapped, 12) != 0 ||
		    memcmp(f->src.s6_addr + 12, data + 12, 4) != 0 ||
		    memcmp(f->dst.s6_addr + 12, data + 16, 4) != 0 || f->proto != data[9])
			fuzz_fail("IPv4 flow does not match the header", NULL);
	}
	/* both directions of a flow hash alike */
	struct dp_flow r = *f;
	r.src = f->dst;
	r.dst = f->src;
	r.sport = f->dport;
	r.dport = f->sport;
	if (dp_flow_hash(&r) != dp_flow_hash(f))
		fuzz_fail("flow hash is not symmetric", NULL);
	return 1;
}

static void check_policy_shape(const struct dp_policy *p)
{
	if (p->n_rules > DP_POLICY_MAX_RULES || p->n_weights > DP_ROUTE_MAX_PATHS)
		fuzz_fail("policy counts out of range", NULL);
	for (unsigned i = 0; i < p->n_weights; i++)
		if (!p->weights[i])
			fuzz_fail("zero weight accepted", NULL);
	for (unsigned r = 0; r < p->n_rules; r++) {
		const struct dp_rule *rule = &p->rules[r];
		if (rule->n_labels < 1 || rule->n_labels > DP_RULE_MAX_LABELS ||
		    rule->n_ports > DP_RULE_MAX_PORTS || rule->proto < -1 || rule->proto > 255)
			fuzz_fail("rule out of range", NULL);
		for (unsigned k = 0; k < rule->n_ports; k++)
			if (rule->ports[k].lo > rule->ports[k].hi)
				fuzz_fail("port range upside down", NULL);
	}
}

/* Policy text (NUL-terminated copy of the input): a refusal says why; an accepted policy is
 * in range and formats to a canonical text that parses back to the same policy. */
static int policy(const uint8_t *data, size_t size, struct dp_policy *pol)
{
	char text[DP_POLICY_TEXT_MAX * 12], err[128] = "", canon[DP_POLICY_TEXT_MAX * 8], cut[17];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	if (dp_policy_parse(text, pol, err, sizeof(err)) != 0) {
		if (strncmp(err, "invalid: ", 9) != 0)
			fuzz_fail("policy refused without an 'invalid: ' reason", NULL);
		return 0;
	}
	check_policy_shape(pol);
	int len = dp_policy_format(pol, canon, sizeof(canon));
	if (len < 0 || (size_t)len >= sizeof(canon) || strlen(canon) != (size_t)len)
		fuzz_fail("dp_policy_format length wrong", NULL);
	int clen = dp_policy_format(pol, cut, sizeof(cut));
	if (clen != len ||
	    strlen(cut) != (len < (int)sizeof(cut) ? (size_t)len : sizeof(cut) - 1) ||
	    strncmp(cut, canon, sizeof(cut) - 1) != 0)
		fuzz_fail("dp_policy_format into a short buffer is not a prefix", NULL);
	struct dp_policy again;
	if (dp_policy_parse(canon, &again, err, sizeof(err)) != 0) {
		fprintf(stderr, "canonical policy \"%s\" refused: %s\n", canon, err);
		fuzz_fail("parse(format(policy)) failed", NULL);
	}
	if (memcmp(&again, pol, sizeof(again)) != 0) {
		fprintf(stderr, "canonical policy \"%s\" parses differently\n", canon);
		fuzz_fail("parse(format(policy)) differs", NULL);
	}
	char canon2[sizeof(canon)];
	dp_policy_format(&again, canon2, sizeof(canon2));
	if (strcmp(canon, canon2) != 0)
		fuzz_fail("format is not canonical", NULL);
	return 1;
}

static uint16_t weight_of(const struct dp_policy *pol, const struct dp_path *paths, unsigned i)
{
	uint16_t w = i < pol->n_weights ? pol->weights[i] : paths[i].weight;
	return w ? w : 1;
}

/* Paths from the input's last octets; choices only land on up paths; taking down a path
 * that was not chosen keeps the flow where it is; per-packet shares are exact. */
static void select_paths(const uint8_t *data, size_t size, const struct dp_flow *f,
                         struct dp_policy *pol)
{
	struct dp_path paths[DP_ROUTE_MAX_PATHS];
	unsigned n = size ? data[size - 1] % (DP_ROUTE_MAX_PATHS + 1) : 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t b = size > i + 2 ? data[size - 2 - i] : (uint8_t)i;
		paths[i].if_label = (uint8_t)(b & 0x0f ? b & 0x0f : 9);
		paths[i].weight = (uint16_t)(b >> 5);
		paths[i].up = !(b & 0x10);
	}
	int pick = dp_select_path(pol, paths, n, f, NULL);
	if (pick < -1 || pick >= (int)n || (pick >= 0 && !paths[pick].up))
		fuzz_fail("path chosen out of range or down", NULL);
	if (pick >= 0) {
		for (unsigned q = 0; q < n; q++) {
			if ((int)q == pick || !paths[q].up)
				continue;
			paths[q].up = false;
			int again = dp_select_path(pol, paths, n, f, NULL);
			paths[q].up = true;
			if (again != pick)
				fuzz_fail("flow moved when another path went down", NULL);
		}
	}
	/* per packet without rules: over sum(W) packets each up path gets exactly W */
	struct dp_policy pp = *pol;
	pp.mode = DP_MODE_PACKET;
	pp.n_rules = 0;
	unsigned total = 0, count[DP_ROUTE_MAX_PATHS] = {0};
	for (unsigned i = 0; i < n; i++)
		total += paths[i].up ? weight_of(&pp, paths, i) : 0;
	if (total > MAX_WRR_WINDOW)
		return;
	struct dp_wrr wrr;
	memset(&wrr, 0, sizeof(wrr));
	for (unsigned k = 0; k < 2 * total; k++) {
		int i = dp_select_path(&pp, paths, n, f, &wrr);
		if (i < 0 || !paths[i].up)
			fuzz_fail("per-packet choice with up paths failed", NULL);
		count[i]++;
	}
	for (unsigned i = 0; i < n; i++)
		if (count[i] != (paths[i].up ? 2u * weight_of(&pp, paths, i) : 0))
			fuzz_fail("per-packet shares differ from the weights", NULL);
	if (!total && dp_select_path(&pp, paths, n, f, &wrr) != -1)
		fuzz_fail("a path chosen while all are down", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_flow f;
	struct dp_policy pol;
	static const char *const fixed[] = {"flow", "flow; tcp port 80,443 -> label 9,11",
	                                    "packet 3:1; udp port 5000-5999 -> label 11 strict"};
	int have_policy = policy(data, size, &pol);
	if (!classify(data, size, &f))
		return 0;
	if (have_policy) {
		select_paths(data, size, &f, &pol);
		return 0;
	}
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (dp_policy_parse(fixed[i], &pol, NULL, 0) != 0)
			abort();
		select_paths(data, size, &f, &pol);
	}
	return 0;
}
