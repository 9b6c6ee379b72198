// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest client of the packaged libksrtpkeyd: built in the clean root
 * with only `pkg-config --cflags --libs ksrtpkeyd`, it pings keyd and prints
 * "module_version=V methods=N". Exit 0 on an ok reply, 1 if keyd refused,
 * 3 if it cannot be reached.
 */
#include <stdio.h>
#include <libksrtpkeyd.h>

int main(int argc, char **argv)
{
	struct json_object *req, *reply = NULL, *methods;
	char err[256];
	struct kdc *c;
	int rc;

	c = kdc_connect(argc > 1 ? argv[1] : NULL, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "client: %s\n", err);
		return 3;
	}
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("ping"));
	rc = kdc_call(c, req, NULL, 0, &reply, 10000);
	kdc_free(req);
	if (rc) {
		fprintf(stderr, "client: ping: error %d\n", rc);
		kdc_close(c);
		return 3;
	}
	rc = kdc_ok(reply) ? 0 : 1;
	if (rc)
		fprintf(stderr, "client: keyd refused: %s\n", kdc_error(reply));
	else if (json_object_object_get_ex(reply, "methods", &methods))
		printf("module_version=%s methods=%zu\n", kdc_get_str(reply, "module_version"),
		       json_object_array_length(methods));
	kdc_free(reply);
	kdc_close(c);
	return rc;
}
