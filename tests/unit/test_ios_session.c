/*
 * The SSH algorithms of a Cisco session (modules/cisco/ios_session.c): a device
 * that sets no kex, hostkey_algorithms or ciphers gets modern lists (no
 * SHA-1 key exchange or host key, no CBC, arcfour, blowfish or 3DES),
 * each of which the linked libssh2 can use; a device that sets them gets
 * exactly its own; and at load every name must be a method of that kind
 * libssh2 has, so a typo is refused with the setting and the name rather
 * than dropped by libssh2 in silence.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <libssh2.h>

#include "conf.h"
#include "err.h"
#include "ios_session.h"

/* What IOS 15.x offers (examples/cisco/spagated.conf, spagated.conf(5)). */
#define LEGACY_KEX	"diffie-hellman-group14-sha1"
#define LEGACY_HOSTKEY	"ssh-rsa"
#define LEGACY_CIPHERS	"aes256-ctr,aes192-ctr,aes128-ctr"

static char kex[256], hostkey[256], ciphers[256];

static struct conf_cisco
device(const char *k, const char *h, const char *c)
{
	struct conf_cisco cf;
	static char name[] = "edge1";

	memset(&cf, 0, sizeof(cf));
	cf.name = name;
	if (k != NULL)
		cf.kex = strcpy(kex, k);
	if (h != NULL)
		cf.hostkey_algorithms = strcpy(hostkey, h);
	if (c != NULL)
		cf.ciphers = strcpy(ciphers, c);
	return cf;
}

/* No name of `list` contains any of `bad` (NULL-terminated). */
static void
assert_none_of(const char *list, const char *const *bad)
{
	char copy[1024], *name, *save = NULL;
	size_t i;

	strcpy(copy, list);
	for (name = strtok_r(copy, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save))
		for (i = 0; bad[i] != NULL; i++)
			if (strstr(name, bad[i]) != NULL)
				fail_msg("default \"%s\" is %s", name, bad[i]);
}

/* Every name of SUB stands in LIST, in the same order. */
static void
assert_in_order(const char *sub, const char *list)
{
	char copy[512], *name, *save;
	const char *at = list;
	size_t len;

	strcpy(copy, sub);
	for (name = strtok_r(copy, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save)) {
		len = strlen(name);
		while ((at = strstr(at, name)) != NULL &&
		    (at[len] != ',' && at[len] != '\0'))
			at += len;
		if (at == NULL)
			fail_msg("\"%s\" is not in \"%s\" after the names "
			    "before it", name, list);
		at += len;
	}
}

/*
 * What a session offers for WHICH is not empty, libssh2 takes it whole
 * (it has every name), and it keeps the list's order.
 */
static void
assert_usable(const struct conf_cisco *cf, enum ios_methods which, int type)
{
	LIBSSH2_SESSION *ssh = libssh2_session_init();
	char offered[512];

	assert_non_null(ssh);
	assert_int_equal(ios_session_offered(cf, which, offered,
	    sizeof(offered)), 0);
	assert_true(offered[0] != '\0');
	assert_int_equal(libssh2_session_method_pref(ssh, type, offered), 0);
	assert_in_order(offered, ios_session_methods(cf, which));
	libssh2_session_free(ssh);
}

static void
defaults_are_modern(void **state)
{
	static const char *const weak_kex[] = { "sha1", "group1-", NULL };
	static const char *const weak_hostkey[] = { "ssh-rsa", "ssh-dss",
	    NULL };
	static const char *const weak_ciphers[] = { "cbc", "arcfour", "3des",
	    "blowfish", "cast128", NULL };
	struct conf_cisco cf = device(NULL, NULL, NULL);

	(void)state;
	assert_none_of(ios_session_methods(&cf, IOS_KEX), weak_kex);
	assert_none_of(ios_session_methods(&cf, IOS_HOSTKEY), weak_hostkey);
	assert_none_of(ios_session_methods(&cf, IOS_CIPHERS), weak_ciphers);
	assert_usable(&cf, IOS_KEX, LIBSSH2_METHOD_KEX);
	assert_usable(&cf, IOS_HOSTKEY, LIBSSH2_METHOD_HOSTKEY);
	assert_usable(&cf, IOS_CIPHERS, LIBSSH2_METHOD_CRYPT_CS);
	/* the defaults need no check: nothing was set */
	assert_int_equal(ios_session_check_methods(&cf, kex, sizeof(kex)), 0);
}

static void
settings_replace_the_defaults(void **state)
{
	struct conf_cisco cf = device(LEGACY_KEX, LEGACY_HOSTKEY,
	    LEGACY_CIPHERS);
	char why[1024];

	(void)state;
	assert_string_equal(ios_session_methods(&cf, IOS_KEX), LEGACY_KEX);
	assert_string_equal(ios_session_methods(&cf, IOS_HOSTKEY),
	    LEGACY_HOSTKEY);
	assert_string_equal(ios_session_methods(&cf, IOS_CIPHERS),
	    LEGACY_CIPHERS);
	assert_int_equal(ios_session_check_methods(&cf, why, sizeof(why)), 0);
	/* one set, the others modern */
	cf = device(NULL, LEGACY_HOSTKEY, NULL);
	assert_string_equal(ios_session_methods(&cf, IOS_HOSTKEY), "ssh-rsa");
	assert_null(strstr(ios_session_methods(&cf, IOS_KEX), "sha1"));
}

static void
assert_refused(struct conf_cisco cf, const char *want)
{
	char why[1024];

	assert_int_equal(ios_session_check_methods(&cf, why, sizeof(why)),
	    SPA_ERR_CONFIG);
	if (strstr(why, want) == NULL)
		fail_msg("why: \"%s\", want \"%s\"", why, want);
}

static void
unknown_names_refused_at_load(void **state)
{
	(void)state;
	assert_refused(device("diffie-hellman-group99-sha1", NULL, NULL),
	    "kex: libssh2 ");
	assert_refused(device("diffie-hellman-group99-sha1", NULL, NULL),
	    " has no key exchange method \"diffie-hellman-group99-sha1\" "
	    "(it has: ");
	/* what libssh2 has is listed: a name to copy */
	assert_refused(device("curve25519", NULL, NULL),
	    "diffie-hellman-group14-sha1");
	/* a bad name after good ones */
	assert_refused(device("diffie-hellman-group14-sha1,ecdh-sha2-nistp999",
	    NULL, NULL), "method \"ecdh-sha2-nistp999\"");
	assert_refused(device(NULL, "ssh-ed25519,ssh-rsa2", NULL),
	    "hostkey_algorithms: libssh2 ");
	assert_refused(device(NULL, "ssh-ed25519,ssh-rsa2", NULL),
	    "host key method \"ssh-rsa2\"");
	assert_refused(device(NULL, NULL, "aes128-ctr,aes128-gmc"),
	    "ciphers: libssh2 ");
	assert_refused(device(NULL, NULL, "aes128-ctr,aes128-gmc"),
	    "cipher method \"aes128-gmc\"");
	/* a method of another kind is not one of this kind */
	assert_refused(device("aes128-ctr", NULL, NULL),
	    "key exchange method \"aes128-ctr\"");
	assert_refused(device(NULL, "diffie-hellman-group14-sha1", NULL),
	    "host key method");
	assert_refused(device(NULL, NULL, "hmac-sha1"), "cipher method");
	/* an empty name between commas */
	assert_refused(device("diffie-hellman-group14-sha1,,ecdh-sha2-nistp256",
	    NULL, NULL), "method \"\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_modern),
		cmocka_unit_test(settings_replace_the_defaults),
		cmocka_unit_test(unknown_names_refused_at_load),
	};
	int r;

	libssh2_init(0);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	libssh2_exit();
	return r;
}
