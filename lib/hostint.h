/* Host-order unsigned struct members of 1, 2, 4 or 8 octets, reached by offsetof/sizeof from
 * the table-driven setters of dmm-send's options and the JSON rebuild (C11 §6.5 aliasing-safe). */
#ifndef DMM_HOSTINT_H
#define DMM_HOSTINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void dmm_store_host_uint(uint8_t *p, size_t size, uint64_t v)
{
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;
	if (size == 1)
		*p = (uint8_t)v;
	else if (size == 2)
		memcpy(p, &v16, 2);
	else if (size == 4)
		memcpy(p, &v32, 4);
	else
		memcpy(p, &v, 8);
}

static inline uint64_t dmm_load_host_uint(const uint8_t *p, size_t size)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;
	switch (size) {
	case 1:
		return *p;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	}
	memcpy(&v64, p, 8);
	return v64;
}

#endif
