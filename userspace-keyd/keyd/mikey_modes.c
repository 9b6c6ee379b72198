// SPDX-License-Identifier: GPL-2.0
/*
 * The table of MIKEY modes (mikey_modes.h): RFC 3830's PSK, NULL, PK and
 * DH-SIGN, RFC 4650's DHHMAC and RFC 4738's RSA-R.
 */
#include <string.h>

#include "mikey_dhhmac.h"
#include "mikey_modes.h"
#include "mikey_pk.h"

/* PSK and NULL: one engine; the initiator always asks for the V answer. */
static size_t psk_initiate(const struct mikey_policy *pol, const struct mikey_ids *ids,
			   const struct mikey_offer_cs *cs, size_t ncs, struct mikey_init *st,
			   uint8_t *out, size_t cap, struct mikey_fail *f)
{
	return mikey_psk_initiate(pol, ids, cs, ncs, false, true, st, out, cap, f);
}

static int psk_answer(const struct mikey_policy *pol, struct mikey_init *st,
		      const uint8_t *msg, size_t len, struct mikey_fail *f)
{
	return mikey_psk_answer(pol, st, msg, len, f);
}

const struct mikey_mode mikey_mode_psk = {
	"psk", "MIKEY-PSK", MIKEY_DT_PSK_INIT, MIKEY_CRED_PSK, false, false, false,
	psk_initiate, mikey_psk_respond, psk_answer,
};

const struct mikey_mode mikey_mode_null = {
	"null", "MIKEY-NULL", MIKEY_DT_PSK_INIT, MIKEY_CRED_NONE, false, false, false,
	psk_initiate, mikey_psk_respond, psk_answer,
};

static const struct mikey_mode mode_dhhmac = {
	"dhhmac", "MIKEY-DHHMAC", MIKEY_DT_DHHMAC_INIT, MIKEY_CRED_PSK, true, true, true,
	mikey_dhhmac_initiate, mikey_dhhmac_respond, mikey_dhhmac_answer,
};

static const struct mikey_mode mode_pk = {
	"pk", "MIKEY-PK", MIKEY_DT_PK_INIT, MIKEY_CRED_CERT, false, false, true,
	mikey_pk_initiate, mikey_pk_respond, mikey_pk_answer,
};

static const struct mikey_mode mode_rsar = {
	"rsa-r", "MIKEY-RSA-R", MIKEY_DT_RSAR_INIT, MIKEY_CRED_CERT, false, true, false,
	mikey_rsar_initiate, mikey_rsar_respond, mikey_rsar_answer,
};

static const struct mikey_mode mode_dhsign = {
	"dh-sign", "MIKEY-DH-SIGN", MIKEY_DT_DH_INIT, MIKEY_CRED_CERT, true, true, false,
	mikey_dhsign_initiate, mikey_dhsign_respond, mikey_dhsign_answer,
};

static const struct mikey_mode *const modes[] = {
	&mikey_mode_psk, &mikey_mode_null, &mode_dhhmac, &mode_pk, &mode_rsar, &mode_dhsign,
};

const struct mikey_mode *mikey_mode_by_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i]->name, name))
			return modes[i];
	return NULL;
}

const struct mikey_mode *mikey_mode_by_dt(uint8_t dt)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i]->init_dt == dt)
			return modes[i];
	return NULL;
}

