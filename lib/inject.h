/* Packet injection (libnet raw IPv4/IPv6 and link layer, AF_PACKET sendmmsg, packet(7)), pcap
 * files, and rate pacing on absolute CLOCK_MONOTONIC deadlines. */
#ifndef DMM_INJECT_H
#define DMM_INJECT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum inject_mode {
	INJECT_NONE = 0,
	INJECT_RAW,    /* libnet raw IPv4/IPv6 socket: frames start at the IP header */
	INJECT_LINK,   /* libnet link layer: frames start at the Ethernet header */
	INJECT_PACKET, /* AF_PACKET socket with sendmmsg batches (Ethernet frames) */
};

#define INJECT_BATCH 256 /* frames per sendmmsg call */
#define INJECT_ERR 256
/* Sockets are non-blocking; a full send buffer is waited for this long, then the output is
 * stalled (failed): a next hop that does not resolve keeps every frame queued in the kernel. */
#define INJECT_STALL_MS 2000

struct libnet_context;
struct pcap;
struct pcap_dumper;

struct inject {
	int mode;     /* enum inject_mode of the interface output */
	void *libnet; /* libnet_t */
	int fd;       /* AF_PACKET socket */
	int ifindex;
	struct pcap *dead;    /* -w: pcap_open_dead handle */
	void *dumper;         /* pcap_dumper_t */
	uint64_t sent;        /* frames handed to the interface */
	uint64_t send_errors; /* frames the kernel refused (e.g. ENOBUFS) */
	int failed;           /* the interface takes no more frames (down, gone, no route,
	                         stalled): err says why, and nothing more is sent */
	uint64_t first_ns;    /* inject_now_ns() of the first and the last frame sent */
	uint64_t last_ns;
	char err[INJECT_ERR];
};

void inject_init(struct inject *in);
/* Open IFACE for frames of linktype (1 Ethernet, 101 raw IP) in mode (INJECT_RAW, INJECT_LINK
 * or INJECT_PACKET); ipv6 selects the libnet raw socket family. Returns 0 or -1 with err. */
int inject_open_iface(struct inject *in, const char *iface, int mode, int ipv6);
/* Also write every frame to a pcap file of that linktype ("-" = standard output). */
int inject_open_pcap(struct inject *in, const char *path, int linktype);
/* Send one frame to the interface and/or the pcap file. Returns 0, or -1 when the
 * interface refused it (err set; counted in send_errors; failed set when no later frame can
 * go out either) or a signal interrupted the wait for send buffer space. Never waits longer
 * than INJECT_STALL_MS. */
int inject_send(struct inject *in, const uint8_t *frame, size_t len);
/* Send n frames (n <= INJECT_BATCH) through sendmmsg (INJECT_PACKET) or one by one.
 * Returns the number sent or dropped by a full device queue; fewer than n when the output
 * failed (failed set) or a signal arrived. */
unsigned inject_send_batch(struct inject *in, uint8_t *const *frames, const size_t *lens,
                           unsigned n);
void inject_close(struct inject *in);

/* Hardware address and index of an interface; 0 or -1. */
int inject_iface_info(const char *iface, uint8_t mac[6], int *ifindex, int *is_ether);

/* The link-layer address of the next hop towards dst (af AF_INET6 or AF_INET) out of the
 * interface ifindex, from the kernel's route and neighbour tables (rtnetlink); multicast and
 * broadcast destinations map to their group addresses. Polls the neighbour table for up to
 * wait_ms while resolution is in progress (bounded: every netlink read times out after 1 s;
 * a signal ends the wait).
 * Returns 0, 1 when the route is not a unicast one through a neighbour (a local address: the
 * frame never reaches the link), or -1 when there is no route or no neighbour entry. */
int inject_resolve_mac(int ifindex, int af, const uint8_t *dst, uint8_t mac[6], unsigned wait_ms);

/* Monotonic clock in nanoseconds. */
uint64_t inject_now_ns(void);

/* Pacer: deadlines at start + k * interval (absolute, so errors do not accumulate);
 * sleeps with clock_nanosleep(TIMER_ABSTIME) until a short time before each deadline
 * and busy-waits the rest. */
struct pacer {
	uint64_t interval_ns; /* 0: no pacing (--rate max) */
	uint64_t start_ns;
	uint64_t count;                    /* deadlines passed */
	unsigned batch;                    /* packets sent per deadline */
	const volatile sig_atomic_t *stop; /* set by a signal handler: stop waiting */
};
/* pps <= 0: unpaced, max_batch packets per call. Rates above ~50k pkt/s are paced in
 * batches (up to max_batch) per deadline. */
void pacer_init(struct pacer *p, double pps, unsigned max_batch, const volatile sig_atomic_t *stop);
/* Wait for the next deadline; returns how many packets to send now (p->batch), or 0 when
 * *stop became set while waiting. */
unsigned pacer_wait(struct pacer *p);

#endif
