/* Injection benchmark limit: the first frame of a capture sent N times on an AF_PACKET socket
 * with sendmmsg(2), batches of the same frame, no per-packet work. */
#include <errno.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define FRAME_MAX 9216

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_first_frame(const char *path, uint8_t *frame, size_t *len)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	if (!p) {
		fprintf(stderr, "sendmmsg_loop: %s\n", errbuf);
		return -1;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(p, &h, &data);
	if (rc == 1 && pcap_datalink(p) == DLT_EN10MB && h->caplen <= FRAME_MAX) {
		memcpy(frame, data, h->caplen);
		*len = h->caplen;
	} else {
		fprintf(stderr, "sendmmsg_loop: %s: no Ethernet frame of at most %d octets\n", path,
		        FRAME_MAX);
		rc = -1;
	}
	pcap_close(p);
	return rc == 1 ? 0 : -1;
}

static int open_packet_socket(const char *ifname)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("sendmmsg_loop: socket");
		return -1;
	}
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = if_nametoindex(ifname)};
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "sendmmsg_loop: %s: %s\n", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: sendmmsg_loop IFACE CAPTURE COUNT MAX_SECONDS\n"
		                "Sends the first frame of CAPTURE COUNT times (or for at most "
		                "MAX_SECONDS) and prints {\"sent\",\"seconds\",\"pps\"}.\n");
		return 2;
	}
	static uint8_t frame[FRAME_MAX];
	size_t len;
	uint64_t count = strtoull(argv[3], NULL, 10);
	double max_seconds = strtod(argv[4], NULL);
	if (read_first_frame(argv[2], frame, &len) < 0)
		return 1;
	int fd = open_packet_socket(argv[1]);
	if (fd < 0)
		return 1;

	struct iovec iov = {.iov_base = frame, .iov_len = len};
	struct mmsghdr msgs[BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	uint64_t sent = 0, failed = 0;
	double start = now_seconds(), end = start;
	while (sent < count && end - start < max_seconds) {
		uint64_t left = count - sent;
		int n = sendmmsg(fd, msgs, left < BATCH ? (unsigned)left : BATCH, 0);
		if (n > 0)
			sent += n;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			perror("sendmmsg_loop: sendmmsg");
			break;
		} else if (++failed > 1000000)
			break;
		end = now_seconds();
	}
	close(fd);
	double seconds = end - start;
	printf("{\"sent\":%llu,\"seconds\":%.6f,\"pps\":%.0f}\n", (unsigned long long)sent, seconds,
	       seconds > 0 ? sent / seconds : 0.0);
	return sent ? 0 : 1;
}
