/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libFuzzer targets' invariant check: a failed one aborts, so libFuzzer
 * keeps the input as a crash (an ASan report is not the only finding).
 */
#ifndef KSRTP_FUZZ_CHECK_H
#define KSRTP_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#endif /* KSRTP_FUZZ_CHECK_H */
