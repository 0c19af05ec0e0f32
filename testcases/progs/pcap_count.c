/* Benchmark floor: read every packet of a capture with pcap_next_ex, no dissection. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: pcap_count FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "pcap_count: %s\n", errbuf);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, octets = 0, sum = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		octets += h->caplen;
		if (h->caplen)
			sum += data[h->caplen - 1]; /* touch the data like a decoder would */
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "pcap_count: %s\n", pcap_geterr(p));
	pcap_close(p);
	printf("%llu packets, %llu octets (%llu)\n", (unsigned long long)packets,
	       (unsigned long long)octets, (unsigned long long)sum);
	return rc == PCAP_ERROR ? 1 : 0;
}
