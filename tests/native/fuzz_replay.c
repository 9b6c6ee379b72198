// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/replay.h. Input layout:
 *
 *   byte 0       window: windows[byte & 7]
 *   bytes 1..6   initial reference index (ROC << 16 | SEQ), big endian
 *   then records of 3 bytes: a 16-bit value v (big endian) and an op byte
 *     op & 3     how v gives the packet's SEQ: 0 v itself; 1 top + (s16)v;
 *                2 top - v % (window + 70); 3 top + 1 + (v & 0xff)
 *     op & 4     the packet fails authentication: check but no commit
 *     op & 8     also probe the verdict of index top - (op >> 4) * w / 15
 *
 * Each packet's index is guessed from the window's top with
 * ksrtp_index_guess(), checked and (if OK and authentic) committed, with
 * every step compared against model.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "replay.h"
#include "model.h"
#include "fuzz_check.h"

static const u32 windows[8] = { 64, 128, 1000, 32768, 1, 65, 192, 4095 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksrtp_replay *r;
	struct model_replay m;
	u64 ref = 0, top, idx, probe;
	u32 w;
	size_t i;
	u16 v, seq;
	u8 op;
	bool any;

	if (size < 7)
		return 0;
	w = windows[data[0] & 7];
	for (i = 1; i <= 6; i++)
		ref = ref << 8 | data[i];
	r = malloc(sizeof(*r) + ksrtp_replay_words(w) * sizeof(u64));
	FUZZ_CHECK(r);
	ksrtp_replay_init(r, w, ref);
	model_replay_init(&m, w, ref);

	for (i = 7; i + 3 <= size; i += 3) {
		v = (u16)(data[i] << 8 | data[i + 1]);
		op = data[i + 2];
		top = r->top;
		switch (op & 3) {
		case 0:
			seq = v;
			break;
		case 1:
			seq = (u16)(top + (u64)(int64_t)(int16_t)v);
			break;
		case 2:
			seq = (u16)(top - v % (w + 70));
			break;
		default:
			seq = (u16)(top + 1 + (v & 0xff));
			break;
		}

		idx = ksrtp_index_guess(top, seq);
		FUZZ_CHECK(idx == model_index_guess(top, seq));
		FUZZ_CHECK((idx & 0xffff) == seq);
		FUZZ_CHECK(idx <= KSRTP_INDEX_MAX);

		FUZZ_CHECK(ksrtp_replay_check(r, idx) == model_replay_check(&m, idx));
		if (ksrtp_replay_check(r, idx) == KSRTP_REPLAY_OK && !(op & 4)) {
			any = r->any;
			ksrtp_replay_commit(r, idx);
			model_replay_commit(&m, idx);
			FUZZ_CHECK(r->any);
			FUZZ_CHECK(ksrtp_replay_check(r, idx) != KSRTP_REPLAY_OK);
			FUZZ_CHECK(r->top == m.top);
			/* the top never moves back once something is accepted */
			FUZZ_CHECK(!any || r->top >= top);
			FUZZ_CHECK(r->top == (any && top > idx ? top : idx));
		}
		FUZZ_CHECK(r->top == m.top && r->any == m.any);

		if (op & 8) {
			u64 back = (u64)(op >> 4) * w / 15;

			probe = r->top >= back ? r->top - back : 0;
			FUZZ_CHECK(ksrtp_replay_check(r, probe) ==
				   model_replay_check(&m, probe));
			FUZZ_CHECK(ksrtp_replay_check(r, probe + 1) ==
				   model_replay_check(&m, probe + 1));
		}
	}
	model_replay_free(&m);
	free(r);
	return 0;
}
