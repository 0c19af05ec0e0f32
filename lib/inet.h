/* Internet checksum (RFC 1071) used by the MH pseudo-header checksum (RFC 6275 §6.1.1). */
#ifndef DMM_INET_H
#define DMM_INET_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t inet_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	while (n > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		n -= 2;
	}
	if (n)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static inline uint16_t inet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
