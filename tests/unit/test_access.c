/*
 * access.conf loader: every refusal names file, line and reason; every
 * directive is stored; includes, folders, key files and permissions behave
 * as doc/spagate-access.conf.5 says.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "access_int.h"
#include "err.h"
#include "helpers.h"

/* 32 bytes 0x01..0x20 and 64 bytes 0x64..0xa3 */
#define ENC64	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define HMAC64	"ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yN" \
	"jo+QkZKTlJWWl5iZmpucnZ6foKGiow=="
#define KEYS	"KEY_BASE64 " ENC64 "\nHMAC_KEY_BASE64 " HMAC64 "\n"
#define STANZA	"SOURCE ANY\n" KEYS		/* lines 1-3 */

struct fx {
	char	*dir;
	int	 saved_stderr;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = th_mkdtemp();
	f->saved_stderr = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	th_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* --- helpers ------------------------------------------------------------- */

static char *
path_in(const struct fx *f, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
	return p;
}

static void
put(const struct fx *f, const char *name, const char *text)
{
	free(th_write(f->dir, name, text, 0600));
}

static void
subdir(const struct fx *f, const char *name)
{
	char *p = path_in(f, name);

	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (hay == NULL || strstr(hay, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)",
		    needle);
}

static struct access_conf *
load_path(const char *path, bool folder)
{
	struct access_conf *c = NULL;
	struct access_error e;
	int r;

	r = access_load(path, folder, &c, &e);
	if (r != 0)
		print_message("unexpected error: %s\n", e.text);
	assert_int_equal(r, 0);
	assert_non_null(c);
	return c;
}

static struct access_conf *
load_named(const struct fx *f, const char *name)
{
	char *p = path_in(f, name);
	struct access_conf *c = load_path(p, false);

	free(p);
	return c;
}

static struct access_conf *
load_text(const struct fx *f, const char *text)
{
	put(f, "access.conf", text);
	return load_named(f, "access.conf");
}

static void
refused_path(const char *path, bool folder, const char *where,
    const char *reason)
{
	struct access_conf *c = (struct access_conf *)&c;
	struct access_error e;

	assert_int_equal(access_load(path, folder, &c, &e), SPA_ERR_CONFIG);
	assert_null(c);
	assert_contains(e.text, where);
	assert_contains(e.text, reason);
}

static void
refused_named(const struct fx *f, const char *name, const char *where,
    const char *reason)
{
	char *p = path_in(f, name);

	refused_path(p, false, where, reason);
	free(p);
}

static void
refused(const struct fx *f, const char *text, const char *where,
    const char *reason)
{
	put(f, "access.conf", text);
	refused_named(f, "access.conf", where, reason);
}

/* Warnings go to stderr through log_warnx: catch them in a file. */
static void
capture_begin(struct fx *f)
{
	char *p = path_in(f, "stderr.txt");
	int fd;

	fflush(stderr);
	f->saved_stderr = dup(2);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && f->saved_stderr >= 0);
	assert_true(dup2(fd, 2) == 2);
	close(fd);
	free(p);
}

static char *
capture_end(struct fx *f)
{
	char *p = path_in(f, "stderr.txt"), *text;

	fflush(stderr);
	dup2(f->saved_stderr, 2);
	close(f->saved_stderr);
	f->saved_stderr = -1;
	text = th_slurp(p, NULL);
	free(p);
	return text;
}

/* Load `text` and check that the warnings contain `warning`. */
static void
warns(struct fx *f, const char *text, const char *warning)
{
	struct access_conf *c;
	char *out;

	put(f, "access.conf", text);
	capture_begin(f);
	c = load_named(f, "access.conf");
	out = capture_end(f);
	assert_contains(out, warning);
	free(out);
	access_free(c);
}

static struct spa_addr
ip(const char *s)
{
	struct spa_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static char *dump_text(const struct access_conf *c);

/* A stanza a per-user file's error disabled: a placeholder, no key. */
static void
assert_disabled(const struct stanza *st)
{
	static const uint8_t zero[SPA_HMAC_KEY_MAX + 1];

	assert_true(st->disabled);
	assert_true(st->gpg_only);	/* policy.c: no key, refuses */
	assert_false(st->has_enc_key);
	assert_false(st->has_hmac_key);
	assert_memory_equal(st->enc_key, zero, sizeof(st->enc_key));
	assert_memory_equal(st->hmac_key, zero, sizeof(st->hmac_key));
	assert_int_equal(st->source.n, 0);
	assert_false(st->source.any);
	assert_null(st->cmd_cycle_open);
	assert_false(st->enable_cmd_exec);
}

/* Load `text` as access.conf, with stderr caught into *out. */
static struct access_conf *
load_caught(struct fx *f, const char *text, char **out)
{
	struct access_conf *c;

	put(f, "access.conf", text);
	capture_begin(f);
	c = load_named(f, "access.conf");
	*out = capture_end(f);
	return c;
}

#define REFUSE(test, text, where, reason)				\
static void								\
test(void **state)							\
{									\
	refused(*state, text, where, reason);				\
}

/* --- line syntax --------------------------------------------------------- */

static void
line_longer_than_4096_bytes_is_refused(void **state)
{
	char *text = malloc(5000);

	assert_non_null(text);
	strcpy(text, STANZA "REQUIRE_USERNAME ");
	memset(text + strlen(text), 'a', 4200);
	strcpy(text + strlen(STANZA) + 17 + 4200, "\n");
	refused(*state, text, "access.conf:4:",
	    "line is longer than 4096 bytes");
	free(text);
}

static void
line_of_4096_bytes_is_accepted(void **state)
{
	char *text = malloc(5000);
	struct access_conf *c;

	assert_non_null(text);
	strcpy(text, STANZA "GPG_HOME_DIR ");
	memset(text + strlen(text), 'a', 4096 - 13);
	strcpy(text + strlen(STANZA) + 4096, "\r\n");
	c = load_text(*state, text);
	assert_int_equal(strlen(c->stanzas[0]->gpg_home_dir), 4096 - 13);
	access_free(c);
	free(text);
}

static void
nul_byte_in_line_is_refused(void **state)
{
	static const char text[] = STANZA "REQUIRE_USERNAME a\0b\n";
	struct access_conf *c = NULL;
	struct access_error e;

	assert_int_equal(access_load_buffer("mem.conf", text, sizeof(text) - 1,
	    &c, &e), SPA_ERR_CONFIG);
	assert_null(c);
	assert_contains(e.text, "mem.conf:4:");
	assert_contains(e.text, "NUL byte");
}

REFUSE(unknown_directive_is_refused, STANZA "FROBNICATE yes\n",
    "access.conf:4:", "unknown directive (its text is not shown)")
REFUSE(lowercase_directive_is_refused_with_hint, STANZA "open_ports tcp/22\n",
    "access.conf:4:", "unknown directive (did you mean 'OPEN_PORTS'?)")
REFUSE(directive_without_value_is_refused, STANZA "OPEN_PORTS\n",
    "access.conf:4:", "missing value for OPEN_PORTS")
REFUSE(value_that_is_only_a_comment_is_refused, STANZA "OPEN_PORTS  ; tcp/22\n",
    "access.conf:4:", "missing value for OPEN_PORTS")
REFUSE(directive_before_first_source_is_refused,
    "# leading comment\nDESTINATION ANY\n" STANZA,
    "access.conf:2:", "DESTINATION appears before the first SOURCE line")
REFUSE(duplicate_directive_is_refused,
    STANZA "FW_ACCESS_TIMEOUT 10\nFW_ACCESS_TIMEOUT 20\n",
    "access.conf:5:", "duplicate FW_ACCESS_TIMEOUT (first set at line 4)")

static void
included_file_starts_without_a_stanza(void **state)
{
	put(*state, "inc.conf", "KEY abc\nSOURCE ANY\n");
	refused(*state, STANZA "%include inc.conf\n", "inc.conf:1:",
	    "KEY appears before the first SOURCE line");
}

static void
synonyms_count_as_one_directive(void **state)
{
	static const char *const pairs[][3] = {
		{ "REQUIRE_SOURCE_ADDRESS Y", "REQUIRE_SOURCE Y",
		    "duplicate REQUIRE_SOURCE (first set at line 4 as "
		    "REQUIRE_SOURCE_ADDRESS)" },
		{ "CMD_CYCLE_OPEN a", "EXTERNAL_CMD_OPEN b",
		    "duplicate EXTERNAL_CMD_OPEN" },
		{ "EXTERNAL_CMD_CLOSE a", "CMD_CYCLE_CLOSE b",
		    "duplicate CMD_CYCLE_CLOSE" },
		{ "CMD_CYCLE_TIMER 5", "EXTERNAL_CMD_ALARM 6",
		    "duplicate EXTERNAL_CMD_ALARM" },
		{ "ACCESS_EXPIRE 01/01/2099", "ACCESS_EXPIRE_EPOCH 4102444800",
		    "duplicate ACCESS_EXPIRE_EPOCH" },
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		snprintf(text, sizeof(text), STANZA "%s\n%s\n", pairs[i][0],
		    pairs[i][1]);
		refused(*state, text, "access.conf:5:", pairs[i][2]);
	}
}

REFUSE(key_and_key_base64_are_one_directive,
    "SOURCE ANY\nKEY abc\nKEY_BASE64 " ENC64 "\n",
    "access.conf:3:", "duplicate KEY_BASE64 (first set at line 2 as KEY)")
REFUSE(hmac_key_and_hmac_key_base64_are_one_directive,
    STANZA "HMAC_KEY other\n",
    "access.conf:4:", "duplicate HMAC_KEY (first set at line 3 as "
    "HMAC_KEY_BASE64)")

/* --- values -------------------------------------------------------------- */

REFUSE(bool_refuses_maybe, STANZA "ENABLE_CMD_EXEC maybe\n",
    "access.conf:4:", "ENABLE_CMD_EXEC must be Y or N")
REFUSE(integer_refuses_trailing_junk, STANZA "FW_ACCESS_TIMEOUT 30abc\n",
    "access.conf:4:", "FW_ACCESS_TIMEOUT must be a number from 1 to 8388608")
REFUSE(integer_refuses_sign, STANZA "MAX_FW_TIMEOUT +30\n",
    "access.conf:4:", "MAX_FW_TIMEOUT must be a number from 1 to 8388608")
REFUSE(integer_refuses_zero, STANZA "FW_ACCESS_TIMEOUT 0\n",
    "access.conf:4:", "from 1 to 8388608")
REFUSE(integer_refuses_above_range, STANZA "CMD_CYCLE_TIMER 8388609\n",
    "access.conf:4:", "CMD_CYCLE_TIMER must be a number from 1 to 8388608")
REFUSE(integer_refuses_huge_number, STANZA
    "MAX_FW_TIMEOUT 99999999999999999999999999999\n",
    "access.conf:4:", "from 1 to 8388608")
REFUSE(source_refuses_bad_prefix, "SOURCE 10.0.0.0/33\n" KEYS,
    "access.conf:1:", "invalid SOURCE entry #1: invalid prefix length")
REFUSE(source_refuses_one_bad_element, "SOURCE 10.0.0.1, 1.2.3.999\n" KEYS,
    "access.conf:1:", "invalid SOURCE entry #2: invalid IP address")
REFUSE(source_refuses_quoted_any, "SOURCE \"ANY\"\n" KEYS,
    "access.conf:1:", "invalid SOURCE entry #1:")
/* fwknop's test/conf/invalid_source_access.conf */
REFUSE(source_refuses_colon_any, "SOURCE :ANY\n" KEYS,
    "access.conf:1:", "invalid SOURCE entry #1:")
/* fwknop's test/conf/fuzzing_restrict_ports_access.conf */
REFUSE(ports_refuse_39_letters, STANZA "RESTRICT_PORTS AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    "access.conf:4:", "invalid RESTRICT_PORTS entry #1: missing '/'")
REFUSE(destination_refuses_bad_mask,
    STANZA "DESTINATION 10.0.0.0/255.0.255.0\n",
    "access.conf:4:", "invalid DESTINATION entry #1: invalid netmask")
REFUSE(ports_refuse_missing_slash, STANZA "OPEN_PORTS tcp22\n",
    "access.conf:4:", "invalid OPEN_PORTS entry #1: missing '/'")
REFUSE(ports_refuse_icmp, STANZA "RESTRICT_PORTS tcp/22, icmp/8\n",
    "access.conf:4:", "invalid RESTRICT_PORTS entry #2: the protocol is not supported")
REFUSE(ports_refuse_port_zero, STANZA "OPEN_PORTS tcp/0\n",
    "access.conf:4:", "port must be a number from 1 to 65535")
REFUSE(ports_refuse_port_above_65535, STANZA "OPEN_PORTS udp/65536\n",
    "access.conf:4:", "port must be a number from 1 to 65535")
REFUSE(ports_refuse_non_digit_port, STANZA "OPEN_PORTS tcp/2a2\n",
    "access.conf:4:", "invalid OPEN_PORTS entry #1: port must be")
REFUSE(ports_refuse_empty_entry, STANZA "OPEN_PORTS tcp/22,,udp/53\n",
    "access.conf:4:", "invalid OPEN_PORTS: entry #2 is empty")
/* the usual slip: a space where the comma goes */
REFUSE(ports_refuse_missing_comma, STANZA "OPEN_PORTS tcp/22 udp/53\n",
    "access.conf:4:", "invalid OPEN_PORTS entry #1: a space inside an entry "
    "(entries are separated by commas, as in \"tcp/22, udp/53\")")
REFUSE(key_refuses_placeholder, "SOURCE ANY\nKEY __CHANGEME__\n",
    "access.conf:2:", "key is the placeholder __CHANGEME__")
REFUSE(key_base64_refuses_placeholder, "SOURCE ANY\nKEY_BASE64 __changeme__\n",
    "access.conf:2:", "key is the placeholder __CHANGEME__")
REFUSE(hmac_key_refuses_placeholder,
    "SOURCE ANY\nKEY a\nHMAC_KEY __CHANGEME__\n",
    "access.conf:3:", "key is the placeholder __CHANGEME__")
REFUSE(hmac_key_base64_refuses_placeholder,
    "SOURCE ANY\nKEY a\nHMAC_KEY_BASE64 __CHANGEME__\n",
    "access.conf:3:", "key is the placeholder __CHANGEME__")
REFUSE(gpg_password_refuses_placeholder,
    "SOURCE ANY\nGPG_DECRYPT_PW __CHANGEME__\n",
    "access.conf:2:", "key is the placeholder __CHANGEME__")
REFUSE(key_base64_refuses_non_base64, "SOURCE ANY\nKEY_BASE64 abc*def=\n",
    "access.conf:2:", "KEY_BASE64 is not valid base64")
REFUSE(hmac_key_base64_refuses_non_base64,
    "SOURCE ANY\nKEY a\nHMAC_KEY_BASE64 AAA=A\n",
    "access.conf:3:", "HMAC_KEY_BASE64 is not valid base64")
REFUSE(key_refuses_33_bytes,
    "SOURCE ANY\nKEY 0123456789abcdef0123456789abcdefX\n",
    "access.conf:2:", "KEY is 33 bytes long: it must be 1 to 32")
REFUSE(key_base64_refuses_33_bytes,
    "SOURCE ANY\nKEY_BASE64 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh\n",
    "access.conf:2:", "KEY_BASE64 decodes to more than 32 bytes")
REFUSE(hmac_key_base64_refuses_137_bytes, "SOURCE ANY\nKEY a\nHMAC_KEY_BASE64 "
    "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH"
    "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH"
    "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
    "access.conf:3:", "HMAC_KEY_BASE64 decodes to more than 136 bytes")

static void
hmac_key_refuses_137_bytes(void **state)
{
	char text[512];

	snprintf(text, sizeof(text), "SOURCE ANY\nKEY a\nHMAC_KEY %0137d\n", 7);
	refused(*state, text, "access.conf:3:",
	    "HMAC_KEY is 137 bytes long: it must be 1 to 136");
}

REFUSE(digest_refuses_unknown_name, STANZA "HMAC_DIGEST_TYPE sha2\n",
    "access.conf:4:", "unknown HMAC_DIGEST_TYPE (valid: md5, sha1, "
    "sha256, sha384, sha512, sha3_256, sha3_512)")
REFUSE(mode_refuses_pcbc, STANZA "ENCRYPTION_MODE pcbc\n",
    "access.conf:4:", "ENCRYPTION_MODE PCBC is not supported")
REFUSE(mode_refuses_unknown_name, STANZA "ENCRYPTION_MODE GCM\n",
    "access.conf:4:", "unknown ENCRYPTION_MODE (valid: CBC, ECB, CFB, "
    "OFB, CTR, legacy, Asymmetric)")
REFUSE(expire_refuses_dashes, STANZA "ACCESS_EXPIRE 3-10-01\n",
    "access.conf:4:",
    "ACCESS_EXPIRE is not a valid date (MM/DD/YYYY)")
REFUSE(expire_refuses_impossible_date, STANZA "ACCESS_EXPIRE 02/29/2031\n",
    "access.conf:4:", "is not a valid date")
REFUSE(expire_refuses_three_digit_year, STANZA "ACCESS_EXPIRE 02/20/203\n",
    "access.conf:4:", "is not a valid date")
REFUSE(expire_epoch_refuses_junk, STANZA "ACCESS_EXPIRE_EPOCH 1700000000x\n",
    "access.conf:4:", "ACCESS_EXPIRE_EPOCH must be a number from 1 to")
REFUSE(expire_epoch_refuses_out_of_range, STANZA
    "ACCESS_EXPIRE_EPOCH 99999999999999999999\n",
    "access.conf:4:", "ACCESS_EXPIRE_EPOCH must be a number from 1 to")
REFUSE(username_refuses_49_characters, STANZA "REQUIRE_USERNAME "
    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi\n",
    "access.conf:4:", "REQUIRE_USERNAME is longer than 48 characters")
REFUSE(exec_user_refuses_unknown_user, STANZA "CMD_EXEC_USER no-such-user-x\n",
    "access.conf:4:", "CMD_EXEC_USER: unknown user")
REFUSE(sudo_group_refuses_unknown_group, STANZA
    "CMD_SUDO_EXEC_GROUP no-such-group-x\n",
    "access.conf:4:", "CMD_SUDO_EXEC_GROUP: unknown group")

static void
exec_group_named_after_a_user_gets_a_hint(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = NULL;
	char want[128];

	if (pw == NULL || getgrnam("nobody") != NULL ||
	    (gr = getgrgid(pw->pw_gid)) == NULL)
		skip();
	snprintf(want, sizeof(want), "CMD_EXEC_GROUP: unknown group (fwknopd "
	    "would use the primary group of the user of that name: '%s')",
	    gr->gr_name);
	refused(*state, STANZA "CMD_EXEC_GROUP nobody\n", "access.conf:4:",
	    want);
}

static void
cycle_open_refuses_1025_characters(void **state)
{
	char text[2048];

	snprintf(text, sizeof(text), STANZA "CMD_CYCLE_OPEN %01025d\n", 1);
	refused(*state, text, "access.conf:4:",
	    "CMD_CYCLE_OPEN is longer than 1024 characters");
}

REFUSE(force_nat_refuses_missing_port, STANZA "FORCE_NAT 192.168.1.2\n",
    "access.conf:4:", "FORCE_NAT needs an IPv4 address and a port")
REFUSE(force_nat_refuses_bad_address, STANZA "FORCE_NAT 192.168.1 22\n",
    "access.conf:4:", "FORCE_NAT: the address is not an IPv4 address")
REFUSE(force_nat_refuses_port_zero, STANZA "FORCE_NAT 192.168.1.2 0\n",
    "access.conf:4:", "FORCE_NAT: the port must be a number from 1 to 65535")
REFUSE(force_snat_refuses_bad_address, STANZA "FORCE_SNAT 2001:db8::1\n",
    "access.conf:4:", "FORCE_SNAT: the address is not an IPv4 address")

/* --- stanza validation --------------------------------------------------- */

REFUSE(stanza_without_key_is_refused,
    STANZA "SOURCE 10.0.0.1\nOPEN_PORTS tcp/22\nSOURCE ANY\n" KEYS,
    "access.conf:4: stanza #2 has no key", "stanza #2 has no key")
/* the stanza is at the message's own position: not named again */
REFUSE(stanza_without_key_names_reason, "SOURCE 10.0.0.1\nOPEN_PORTS tcp/22\n",
    "access.conf:1: stanza #1 has no key (KEY, KEY_BASE64, GPG_DECRYPT_PW "
    "or GPG_ALLOW_NO_PW)", "stanza #1 has no key (KEY, KEY_BASE64")
REFUSE(hmac_key_identical_to_key_is_refused,
    "SOURCE ANY\nKEY samesecret\nHMAC_KEY samesecret\n",
    "access.conf:3:", "access.conf:3: stanza #1 (line 1): the HMAC key")
REFUSE(hmac_key_identical_names_reason,
    "SOURCE ANY\nKEY_BASE64 " ENC64 "\nHMAC_KEY_BASE64 " ENC64 "\n",
    "access.conf:3:", "HMAC key is identical to the encryption key")
REFUSE(legacy_mode_with_hmac_is_refused, STANZA "ENCRYPTION_MODE legacy\n",
    "access.conf:4:", "ENCRYPTION_MODE legacy cannot be used with an HMAC key")
REFUSE(cycle_open_without_close_is_refused,
    STANZA "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_TIMER 5\n",
    "access.conf:4:", "CMD_CYCLE_OPEN without CMD_CYCLE_CLOSE")
REFUSE(cycle_close_without_open_is_refused,
    STANZA "CMD_CYCLE_CLOSE /bin/true\nCMD_CYCLE_TIMER 5\n",
    "access.conf:4:", "CMD_CYCLE_CLOSE without CMD_CYCLE_OPEN")
REFUSE(cycle_without_timer_is_refused,
    STANZA "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE /bin/false\n",
    "access.conf:4:", "CMD_CYCLE_TIMER is required unless CMD_CYCLE_CLOSE is "
    "NONE")
#define CYCLE	STANZA "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_TIMER 5\n"
REFUSE(close_absent_without_close_is_refused,
    STANZA "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE NONE\n"
    "CMD_CYCLE_CLOSE_ABSENT 1\n",
    "access.conf:6:", "CMD_CYCLE_CLOSE_ABSENT without a CMD_CYCLE_CLOSE command")
REFUSE(refresh_without_open_is_refused, STANZA "CMD_CYCLE_REFRESH NONE\n",
    "access.conf:4:", "CMD_CYCLE_REFRESH without CMD_CYCLE_OPEN")

/* Statuses 1..255, at most four, a list: nothing else. */
static void
close_absent_bad_lists_are_refused(void **state)
{
	static const char *const bad[] = {
		"0", "256", "1,2,3,4,5", "x", "1,,x", "-1", "",
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), CYCLE "CMD_CYCLE_CLOSE /bin/true\n"
		    "CMD_CYCLE_CLOSE_ABSENT %s\n", bad[i]);
		refused(*state, text, "access.conf:", bad[i][0] == '\0' ?
		    "CMD_CYCLE_CLOSE_ABSENT" : "CMD_CYCLE_CLOSE_ABSENT must list "
		    "1 to 4 exit statuses from 1 to 255");
	}
}

static void
close_absent_and_refresh_are_kept(void **state)
{
	struct access_conf *c = load_text(*state, CYCLE
	    "CMD_CYCLE_CLOSE /bin/true\nCMD_CYCLE_CLOSE_ABSENT 4, 1,255 4\n"
	    "CMD_CYCLE_REFRESH /bin/echo $IP\n");
	const struct stanza *st = c->stanzas[0];

	assert_int_equal(st->cmd_cycle_close_nabsent, 3);
	assert_memory_equal(st->cmd_cycle_close_absent,
	    ((uint8_t[]){ 1, 4, 255 }), 3);
	assert_string_equal(st->cmd_cycle_refresh, "/bin/echo $IP");
	assert_false(st->cmd_cycle_refresh_none);
	access_free(c);
	c = load_text(*state, CYCLE "CMD_CYCLE_CLOSE /bin/true\n"
	    "CMD_CYCLE_REFRESH none\n");
	assert_true(c->stanzas[0]->cmd_cycle_refresh_none);
	assert_null(c->stanzas[0]->cmd_cycle_refresh);
	access_free(c);
}

REFUSE(force_snat_without_nat_is_refused, STANZA "FORCE_SNAT 192.0.2.1\n",
    "access.conf:4:", "FORCE_SNAT needs FORCE_NAT or FORWARD_ALL")
REFUSE(force_masquerade_without_nat_is_refused, STANZA "FORCE_MASQUERADE Y\n",
    "access.conf:4:", "FORCE_MASQUERADE needs FORCE_NAT or FORWARD_ALL")
REFUSE(file_without_stanza_is_refused, "# nothing here\n\n",
    "access.conf: ", "no stanza found: access.conf needs at least one SOURCE "
    "line")

/* --- includes ------------------------------------------------------------ */

REFUSE(include_of_missing_file_is_refused, STANZA "%include nothere.conf\n",
    "access.conf:4:", "cannot open")

static void
include_error_names_missing_path(void **state)
{
	refused(*state, STANZA "%include nothere.conf\n", "nothere.conf",
	    "No such file or directory");
}

static void
include_deeper_than_8_levels_is_refused(void **state)
{
	char name[32], text[64];
	int i;

	for (i = 1; i <= 9; i++) {
		snprintf(name, sizeof(name), "i%d.conf", i);
		snprintf(text, sizeof(text), "%%include i%d.conf\n", i + 1);
		put(*state, name, i == 9 ? STANZA : text);
	}
	refused(*state, "%include i1.conf\n", "i8.conf:1:",
	    "includes nested deeper than 8 levels");
}

static void
include_8_levels_deep_is_accepted(void **state)
{
	char name[32], text[64];
	int i;

	for (i = 1; i <= 8; i++) {
		snprintf(name, sizeof(name), "i%d.conf", i);
		snprintf(text, sizeof(text), "%%include i%d.conf\n", i + 1);
		put(*state, name, i == 8 ? STANZA : text);
	}
	access_free(load_text(*state, "%include i1.conf\n"));
}

static void
include_loop_is_refused(void **state)
{
	put(*state, "other.conf", "%include access.conf\n");
	refused(*state, STANZA "%include other.conf\n", "other.conf:1:",
	    "include loop: ");
	refused(*state, STANZA "%include other.conf\n",
	    "access.conf is already being read", "");
}

REFUSE(include_folder_missing_is_refused, STANZA "%include_folder nodir\n",
    "access.conf:4:", "cannot open folder")

static void
include_folder_of_a_file_is_refused(void **state)
{
	put(*state, "plain", "x\n");
	refused(*state, STANZA "%include_folder plain\n", "access.conf:4:",
	    "plain is not a directory");
}

/* A member that is not a file disables itself (per-user file), alone. */
static void
folder_member_not_regular_is_refused(void **state)
{
	struct access_conf *c;
	char *p, *out;

	subdir(*state, "d");
	p = path_in(*state, "d/pipe.conf");
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	c = load_caught(*state, STANZA "%include_folder d\n", &out);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->ndisabled, 1);
	assert_contains(c->disabled[0].why, "access.conf:4: ");
	assert_contains(c->disabled[0].why, "pipe.conf is not a regular file");
	assert_contains(out, "pipe.conf is not a regular file");
	access_free(c);
	free(out);
}

/*
 * Whoever can add a name to a folder could link it to any file root can
 * read (the shadow file): a member is named as itself, and the folder
 * itself must be trusted like a file (root's or ours, written by no one
 * else).  Nothing of the target is shown.
 */
static void
folder_member_that_is_a_link_is_refused(void **state)
{
	struct fx *f = *state;
	struct access_conf *c = NULL;
	struct access_error e;
	char *target = path_in(f, "shadow"), *link = path_in(f, "d/zz.conf");
	char *p = path_in(f, "access.conf");

	subdir(f, "d");
	free(th_write(f->dir, "shadow", "root:$6$s3cr3t:19000:0:99999:7:::\n",
	    0640));
	assert_int_equal(symlink(target, link), 0);
	put(f, "access.conf", STANZA "%include_folder d\n");
	/* the link disables itself; the rest of the policy loads */
	capture_begin(f);
	assert_int_equal(access_load(p, false, &c, &e), 0);
	free(capture_end(f));
	assert_int_equal(c->ndisabled, 1);
	assert_contains(c->disabled[0].why, "access.conf:4: ");
	assert_contains(c->disabled[0].why, "d/zz.conf is a symbolic link "
	    "(name the file itself)");
	assert_null(strstr(c->disabled[0].why, "s3cr3t"));
	access_free(c);
	free(p);
	p = path_in(f, "d");
	/* alone in the folder: nothing usable is left, so it is refused */
	refused_path(p, true, "d/zz.conf", "is a symbolic link");
	free(p);
	free(target);
	free(link);
}

static void
folder_writable_by_others_is_refused(void **state)
{
	static const mode_t modes[] = { 0770, 0707, 0777, 01777 };
	struct fx *f = *state;
	char *d = path_in(f, "d");
	size_t i;

	subdir(f, "d");
	put(f, "d/a.conf", STANZA);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(d, modes[i]), 0);
		refused(f, STANZA "%include_folder d\n", "access.conf:4:",
		    "d must not be writable by group or others");
		refused_path(d, true, "folder /",
		    "d must not be writable by group or others");
	}
	free(d);
}

static void
folder_of_another_user_is_refused(void **state)
{
	struct fx *f = *state;
	char *d = path_in(f, "d");

	if (geteuid() != 0)
		skip();
	subdir(f, "d");
	put(f, "d/a.conf", STANZA);
	assert_int_equal(chown(d, 65534, 65534), 0);
	refused(f, STANZA "%include_folder d\n", "access.conf:4:",
	    "d is not owned by our uid or root");
	free(d);
}

/* --- per-user files: an error disables that file's stanzas only ------------ */

/*
 * b.conf has three stanzas and an error in its first: its stanzas all
 * become placeholders that refuse every packet, keeping their numbers,
 * so c.conf's stanza is still #5.  The error is logged at error level
 * with file:line.
 */
static void
member_error_disables_only_that_member(void **state)
{
	struct access_conf *c;
	char *out;

	subdir(*state, "d");
	put(*state, "d/a.conf", "SOURCE 10.0.0.1\nKEY a\n");
	put(*state, "d/b.conf", "SOURCE 10.0.0.2\nKEY b\nOPEN_PORTS tcp/0\n"
	    "SOURCE 10.0.0.3\nKEY b2\n\n  SOURCE: 10.0.0.4\nKEY b3\n");
	put(*state, "d/c.conf", "SOURCE 10.0.0.5\nKEY c\n");
	c = load_caught(*state, "%include_folder d\n", &out);
	assert_int_equal(c->n, 5);
	assert_false(c->stanzas[0]->disabled);
	assert_memory_equal(c->stanzas[0]->enc_key, "a", 1);
	assert_disabled(c->stanzas[1]);
	assert_disabled(c->stanzas[2]);
	assert_disabled(c->stanzas[3]);
	assert_false(c->stanzas[4]->disabled);
	assert_int_equal(c->stanzas[4]->number, 5);
	assert_memory_equal(c->stanzas[4]->enc_key, "c", 1);
	assert_int_equal(c->ndisabled, 1);
	assert_contains(c->disabled[0].file, "d/b.conf");
	assert_contains(c->disabled[0].why, "d/b.conf:3: invalid OPEN_PORTS");
	assert_int_equal(c->disabled[0].first, 2);
	assert_int_equal(c->disabled[0].last, 4);
	assert_contains(out, "error: ");
	assert_contains(out, "d/b.conf:3: invalid OPEN_PORTS");
	assert_contains(out, "stanzas #2-#4 refuse every packet");
	access_free(c);
	free(out);
}

/*
 * A key file that sets one key, then fails: its stanza is kept with no
 * key at all (never a partial one), as a placeholder; the stanzas
 * around it load.  A missing key file does the same.
 */
static void
key_file_error_disables_its_stanza_only(void **state)
{
	struct access_conf *c;
	char *out;

	put(*state, "good.keys", KEYS);
	put(*state, "bad.keys", "KEY_BASE64 " ENC64 "\nHMAC_KEY_BASE64 *\n");
	c = load_caught(*state, "SOURCE 10.0.0.1\n%include_keys good.keys\n"
	    "SOURCE 10.0.0.2\n%include_keys bad.keys\nOPEN_PORTS tcp/22\n"
	    "SOURCE 10.0.0.3\n%include_keys none.keys\n"
	    "SOURCE 10.0.0.4\n" KEYS, &out);
	assert_int_equal(c->n, 4);
	assert_true(c->stanzas[0]->has_enc_key && c->stanzas[0]->has_hmac_key);
	assert_disabled(c->stanzas[1]);
	assert_disabled(c->stanzas[2]);
	assert_true(c->stanzas[3]->has_enc_key);
	assert_int_equal(c->ndisabled, 2);
	assert_contains(c->disabled[0].file, "bad.keys");
	assert_contains(c->disabled[0].why, "bad.keys:2: HMAC_KEY_BASE64 is "
	    "not valid base64");
	assert_int_equal(c->disabled[0].first, 2);
	assert_int_equal(c->disabled[0].last, 2);
	assert_contains(c->disabled[1].why, "access.conf:7: cannot open ");
	assert_contains(out, "stanza #2 refuses every packet");
	assert_contains(out, "stanza #3 refuses every packet");
	access_free(c);
	free(out);
}

/* The admin's own files are not per-user: any error there refuses all. */
static void
main_file_and_include_errors_still_refuse(void **state)
{
	subdir(*state, "d");
	put(*state, "d/a.conf", STANZA);
	refused(*state, "%include_folder d\n" STANZA "OPEN_PORTS tcp/0\n",
	    "access.conf:5:", "invalid OPEN_PORTS");
	put(*state, "inc.conf", STANZA "OPEN_PORTS tcp/0\n");
	refused(*state, "%include_folder d\n%include inc.conf\n", "inc.conf:4:",
	    "invalid OPEN_PORTS");
	/* a folder that cannot be trusted is the including file's error */
	refused(*state, STANZA "%include_folder none\n", "access.conf:4:",
	    "cannot open folder");
}

/* Nothing usable left: refused, saying why (at start: no one gets in). */
static void
every_stanza_disabled_is_refused(void **state)
{
	char *d = path_in(*state, "d");

	subdir(*state, "d");
	put(*state, "d/a.conf", "SOURCE ANY\n%include_keys ../a.keys\n");
	put(*state, "a.keys", "KEY_BASE64 __CHANGEME__\n");
	capture_begin(*state);
	refused_path(d, true, "no usable stanza",
	    "a.keys:1: KEY_BASE64: key is the placeholder __CHANGEME__");
	free(capture_end(*state));
	free(d);
}

/* A disabled stanza is dumped as such, without any of its directives. */
static void
dump_shows_disabled_stanzas(void **state)
{
	struct access_conf *c;
	char *out, *dump;

	put(*state, "bad.keys", "HMAC_KEY_BASE64 *\n");
	c = load_caught(*state, "SOURCE 10.0.0.2\n%include_keys bad.keys\n"
	    "OPEN_PORTS tcp/22\n" STANZA, &out);
	dump = dump_text(c);
	assert_contains(dump, "# stanza #1 from ");
	assert_contains(dump, "# disabled: refuses every packet");
	assert_null(strstr(dump, "10.0.0.2"));
	assert_null(strstr(dump, "tcp/22"));
	access_free(c);
	free(dump);
	free(out);
}

REFUSE(include_keys_outside_stanza_is_refused, "%include_keys k.keys\n" STANZA,
    "access.conf:1:", "%include_keys appears before the first SOURCE line")

static void
include_keys_refuses_other_directives(void **state)
{
	put(*state, "k.keys", "KEY abc\nSOURCE 1.2.3.4\n");
	refused(*state, "SOURCE ANY\n%include_keys k.keys\n", "k.keys:2:",
	    "SOURCE is not allowed in a key file");
}

/*
 * Whose GnuPG keys a stanza loads: a folder member's, or those a key file
 * chooses (its passphrase, its key ID), are that user's (gpg_user_file),
 * so that keys that do not load disable that stanza alone; the admin's
 * own keys, and a key file that only names signers, leave it NULL.  A
 * member's own GPG_HOME_DIR is that user's too (gpg_home_per_user).
 */
static void
gnupg_keys_chosen_by_a_user_name_the_file(void **state)
{
	struct access_conf *c;

	subdir(*state, "d");
	put(*state, "d/a.conf", "SOURCE ANY\nGPG_ALLOW_NO_PW Y\n"
	    "GPG_HOME_DIR /tmp\nGPG_DISABLE_SIG Y\n");
	put(*state, "pw.keys", "GPG_DECRYPT_PW secret\n");
	put(*state, "sig.keys", "GPG_REMOTE_ID 28A08EFB\n");
	c = load_text(*state, "SOURCE 10.0.0.1\nGPG_HOME_DIR /tmp\n"
	    "%include_keys pw.keys\nGPG_DISABLE_SIG Y\n"
	    "SOURCE 10.0.0.2\nGPG_ALLOW_NO_PW Y\n%include_keys sig.keys\n"
	    "SOURCE 10.0.0.3\nKEY abc\n%include_folder d\n");
	assert_int_equal(c->n, 4);
	assert_non_null(c->stanzas[0]->gpg_user_file);
	assert_contains(c->stanzas[0]->gpg_user_file, "pw.keys");
	assert_null(c->stanzas[1]->gpg_user_file);
	assert_null(c->stanzas[2]->gpg_user_file);	/* no GnuPG keys */
	assert_non_null(c->stanzas[3]->gpg_user_file);
	assert_contains(c->stanzas[3]->gpg_user_file, "d/a.conf");
	/* whose keyring directory: the member's, not the admin's */
	assert_false(c->stanzas[0]->gpg_home_per_user);
	assert_true(c->stanzas[3]->gpg_home_per_user);
	access_free(c);
}

/* fwknopd reads its GnuPG key and signature directives in key files too
   (a user names the key that signs their packets). */
static void
include_keys_takes_gnupg_directives(void **state)
{
	struct access_conf *c;

	put(*state, "k.keys", "GPG_ALLOW_NO_PW Y\nGPG_DECRYPT_ID ABCD1234\n"
	    "GPG_REQUIRE_SIG Y\nGPG_IGNORE_SIG_VERIFY_ERROR N\n"
	    "GPG_REMOTE_ID 28A08EFB\nGPG_FINGERPRINT_ID "
	    "A3385CEBE0545394B7903E2E19DB5D1C28A08EFB\n");
	c = load_text(*state, "SOURCE ANY\n%include_keys k.keys\n");
	assert_true(c->stanzas[0]->gpg && c->stanzas[0]->gpg_require_sig);
	assert_string_equal(c->stanzas[0]->gpg_remote_id, "28A08EFB");
	assert_false(c->stanzas[0]->disabled);
	access_free(c);
	put(*state, "k.keys", "GPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\n");
	c = load_text(*state, "SOURCE ANY\n%include_keys k.keys\n");
	assert_false(c->stanzas[0]->gpg_require_sig);
	access_free(c);
	put(*state, "k.keys", "GPG_ALLOW_NO_PW Y\nGPG_HOME_DIR /tmp\n");
	refused(*state, "SOURCE ANY\n%include_keys k.keys\n", "k.keys:2:",
	    "GPG_HOME_DIR is not allowed in a key file");
}

REFUSE(include_keys_missing_file_is_refused,
    "SOURCE ANY\n%include_keys k.keys\n",
    "access.conf:2:", "cannot open")

static void
include_keys_duplicate_key_is_refused(void **state)
{
	put(*state, "k.keys", "HMAC_KEY_BASE64 " HMAC64 "\nKEY_BASE64 " ENC64
	    "\n");
	refused(*state, "SOURCE ANY\nKEY abc\n%include_keys k.keys\n",
	    "k.keys:2:",
	    "duplicate KEY_BASE64 (first set at ");
}

static void
include_keys_error_propagates(void **state)
{
	put(*state, "k.keys", "KEY_BASE64 not*base64\n");
	refused(*state, "SOURCE ANY\n%include_keys k.keys\n", "k.keys:1:",
	    "KEY_BASE64 is not valid base64");
}

/* A key file's path is its owner's to choose: none of its text is shown. */
static void
include_keys_unknown_line_is_not_shown(void **state)
{
	struct access_conf *c = NULL;
	struct access_error e;
	char *p = path_in(*state, "access.conf");

	put(*state, "k.keys", "root:$6$secret:19000:0:99999:7:::\n");
	put(*state, "access.conf", "SOURCE ANY\n%include_keys k.keys\n");
	assert_int_equal(access_load(p, false, &c, &e), SPA_ERR_CONFIG);
	free(p);
	assert_contains(e.text, "k.keys:1: unknown directive (");
	assert_null(strstr(e.text, "secret"));
}

/*
 * No error or warning quotes more of a rejected line than its directive
 * name: the file may not be what it claims (a link to the shadow file
 * read as a folder member), and a key file's text is its owner's secret.
 */
static const char *const secret_lines[] = {
	"s3cr3t:$6$hash:19000:0:99999:7:::",
	"root:x s3cr3t",
	"S3CR3T_DIRECTIVE s3cr3t",
	"Source s3cr3t",
	"ENABLE_CMD_EXEC s3cr3t",
	"FW_ACCESS_TIMEOUT s3cr3t",
	"SOURCE 10.0.0.1, s3cr3t",
	"DESTINATION ANY, s3cr3t/8",
	"OPEN_PORTS tcp/22, s3cr3t",
	"OPEN_PORTS s3cr3t/22",
	"OPEN_PORTS tcp/s3cr3t",
	"RESTRICT_PORTS s3cr3t",
	"CMD_EXEC_USER s3cr3t",
	"CMD_EXEC_GROUP s3cr3t",
	"CMD_SUDO_EXEC_USER s3cr3t",
	"HMAC_DIGEST_TYPE s3cr3t",
	"ENCRYPTION_MODE s3cr3t",
	"ACCESS_EXPIRE s3cr3t",
	"ACCESS_EXPIRE_EPOCH s3cr3t",
	"FORCE_NAT s3cr3t 22",
	"FORCE_NAT 10.0.0.1 s3cr3t",
	"FORCE_SNAT s3cr3t",
	"KEY_BASE64 s3cr3t*",
	"HMAC_KEY_BASE64 s3cr3t=x",
	"KEY s3cr3t0123456789abcdef0123456789abcdef",
	"REQUIRE_USERNAME s3cr3t0123456789abcdef0123456789abcdef0123456789abc",
};

static void
no_error_quotes_its_line(void **state)
{
	struct fx *f = *state;
	struct access_conf *c = NULL;
	struct access_error e;
	char text[512], *p = path_in(f, "access.conf"), *out;
	size_t i;

	for (i = 0; i < sizeof(secret_lines) / sizeof(secret_lines[0]); i++) {
		/* line 2 in a stanza that has no key yet */
		if (strncmp(secret_lines[i], "KEY", 3) == 0 ||
		    strncmp(secret_lines[i], "HMAC_KEY", 8) == 0)
			snprintf(text, sizeof(text), "SOURCE ANY\n%s\n",
			    secret_lines[i]);
		else if (strncmp(secret_lines[i], "SOURCE ", 7) == 0)
			snprintf(text, sizeof(text), "# a stanza:\n%s\n",
			    secret_lines[i]);
		else
			snprintf(text, sizeof(text), "SOURCE ANY\n%s\n"
			    "KEY_BASE64 " ENC64 "\n", secret_lines[i]);
		put(f, "access.conf", text);
		capture_begin(f);
		assert_int_equal(access_load(p, false, &c, &e), SPA_ERR_CONFIG);
		out = capture_end(f);
		if (strcasestr(e.text, "s3cr3t") != NULL ||
		    strcasestr(out, "s3cr3t") != NULL)
			fail_msg("\"%s\" shown: %s%s", secret_lines[i], e.text,
			    out);
		assert_contains(e.text, "access.conf:2: ");
		free(out);
	}
	free(p);
}

/* ... but a case or spelling slip still gets the directive's name. */
REFUSE(misspelt_directive_gets_a_hint, STANZA "OPEN_PORT tcp/22\n",
    "access.conf:4:", "unknown directive (did you mean 'OPEN_PORTS'?)")

/* --- permissions --------------------------------------------------------- */

static void
group_writable_access_file_is_refused(void **state)
{
	char *p = th_write(((struct fx *)*state)->dir, "access.conf", STANZA,
	    0620);

	refused_path(p, false, "access.conf",
	    "must not be writable by group or others");
	free(p);
}

static void
world_writable_include_is_refused(void **state)
{
	free(th_write(((struct fx *)*state)->dir, "inc.conf", STANZA, 0602));
	refused(*state, STANZA "%include inc.conf\n", "access.conf:4:",
	    "inc.conf must not be writable by group or others");
}

static void
access_file_of_another_user_is_refused(void **state)
{
	char *p;

	if (geteuid() != 0)
		skip();
	put(*state, "inc.conf", STANZA);
	p = path_in(*state, "inc.conf");
	assert_int_equal(chown(p, 1234, 1234), 0);
	free(p);
	refused(*state, STANZA "%include inc.conf\n", "access.conf:4:",
	    "inc.conf is not owned by our uid or root");
}

static void
access_file_that_is_a_directory_is_refused(void **state)
{
	subdir(*state, "dir.conf");
	refused(*state, STANZA "%include dir.conf\n", "access.conf:4:",
	    "dir.conf is not a regular file");
}

static void
writable_key_file_is_refused(void **state)
{
	free(th_write(((struct fx *)*state)->dir, "k.keys", KEYS, 0660));
	refused(*state, "SOURCE ANY\n%include_keys k.keys\n", "access.conf:2:",
	    "k.keys must not be writable by group or others");
}

static void
key_file_of_another_user_is_accepted(void **state)
{
	struct access_conf *c;
	char *p;

	if (geteuid() != 0)
		skip();
	put(*state, "k.keys", KEYS);
	p = path_in(*state, "k.keys");
	assert_int_equal(chown(p, 1234, 1234), 0);
	free(p);
	c = load_text(*state, "SOURCE ANY\n%include_keys k.keys\n");
	assert_true(c->stanzas[0]->has_enc_key);
	access_free(c);
}

/*
 * A key file holds a user's secret and is read as root: named as itself.
 * Through a link, a user who can write the directory could have root
 * read any file as their keys.
 */
static void
symlinked_key_file_is_refused(void **state)
{
	char *target = path_in(*state, "real.keys"), *link;

	put(*state, "real.keys", KEYS);
	link = path_in(*state, "k.keys");
	assert_int_equal(symlink(target, link), 0);
	refused(*state, "SOURCE ANY\n%include_keys k.keys\n", "access.conf:2:",
	    "k.keys is a symbolic link (name the file itself)");
	free(target);
	free(link);
}

static void
readable_access_file_warns(void **state)
{
	struct fx *f = *state;
	struct access_conf *c;
	char *p = th_write(f->dir, "access.conf", STANZA, 0640), *out, *want;

	capture_begin(f);
	c = load_path(p, false);
	out = capture_end(f);
	/* named once: no "path: " position before the path */
	assert_true(asprintf(&want, "warning: %s is readable by group or "
	    "others: it holds keys\n", p) > 0);
	assert_contains(out, want);
	free(want);
	access_free(c);
	free(out);
	free(p);
}

static void
world_readable_key_file_warns(void **state)
{
	free(th_write(((struct fx *)*state)->dir, "k.keys", KEYS, 0604));
	warns(*state, "SOURCE ANY\n%include_keys k.keys\n",
	    "access.conf:2: ");
	warns(*state, "SOURCE ANY\n%include_keys k.keys\n",
	    "k.keys is readable by others");
}

/* The top file's own troubles name it once, without a position. */
static void
top_file_named_once(void **state)
{
	struct fx *f = *state;
	struct access_conf *c = NULL;
	struct access_error e;
	char *p = path_in(f, "none.conf"), *want;

	assert_int_equal(access_load(p, false, &c, &e), SPA_ERR_CONFIG);
	assert_true(asprintf(&want, "cannot open %s: No such file or "
	    "directory", p) > 0);
	assert_string_equal(e.text, want);
	free(want);
	assert_int_equal(access_load(p, true, &c, &e), SPA_ERR_CONFIG);
	assert_true(asprintf(&want, "cannot open folder %s: No such file or "
	    "directory", p) > 0);
	assert_string_equal(e.text, want);
	free(want);
	free(p);
}

/* --- warnings ------------------------------------------------------------ */

static void
quoted_value_warns(void **state)
{
	warns(*state, STANZA "REQUIRE_USERNAME \"bob\"\n",
	    "access.conf:4: the value of REQUIRE_USERNAME is in double quotes: "
	    "quotes are part of the value");
}

static void
missing_hmac_key_warns(void **state)
{
	warns(*state, "SOURCE ANY\nKEY abc\n",
	    "access.conf:1: stanza #1 has no HMAC key");
	warns(*state, "SOURCE ANY\nKEY abc\n", "has no HMAC key: packets are "
	    "not authenticated before decryption");
}

static void
digest_without_hmac_key_warns(void **state)
{
	warns(*state, "SOURCE ANY\nKEY abc\nHMAC_DIGEST_TYPE sha1\n",
	    "access.conf:3: stanza #1");
}

static void
max_timeout_below_access_timeout_warns(void **state)
{
	warns(*state, STANZA "FW_ACCESS_TIMEOUT 100\nMAX_FW_TIMEOUT 50\n",
	    "MAX_FW_TIMEOUT is smaller than FW_ACCESS_TIMEOUT");
}

/* Which wins is said at CMD_CYCLE_TIMER's own line. */
static void
cycle_timer_and_access_timeout_differ_warns(void **state)
{
	struct access_conf *c;
	char *out;

	c = load_caught(*state, STANZA "FW_ACCESS_TIMEOUT 60\n"
	    "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE /bin/true\n"
	    "EXTERNAL_CMD_ALARM 300\n", &out);
	assert_contains(out, "access.conf:7: stanza #1 ");
	assert_contains(out, ": EXTERNAL_CMD_ALARM 300 and FW_ACCESS_TIMEOUT "
	    "60 differ: a grant without the client's timeout lasts 300 s "
	    "(EXTERNAL_CMD_ALARM wins");
	free(out);
	access_free(c);
	/* the same, or FW_ACCESS_TIMEOUT left out: nothing to say */
	c = load_caught(*state, STANZA "FW_ACCESS_TIMEOUT 300\n"
	    "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE /bin/true\n"
	    "CMD_CYCLE_TIMER 300\n", &out);
	assert_null(strstr(out, "differ"));
	free(out);
	access_free(c);
	c = load_caught(*state, STANZA "CMD_CYCLE_OPEN /bin/true\n"
	    "CMD_CYCLE_CLOSE /bin/true\nCMD_CYCLE_TIMER 300\n", &out);
	assert_null(strstr(out, "differ"));
	free(out);
	access_free(c);
}

static void
sudo_without_exec_warns(void **state)
{
	warns(*state, STANZA "ENABLE_CMD_SUDO_EXEC Y\n",
	    "ENABLE_CMD_SUDO_EXEC has no effect without ENABLE_CMD_EXEC");
}

static void
sudo_as_root_warns(void **state)
{
	warns(*state, STANZA "ENABLE_CMD_EXEC Y\nENABLE_CMD_SUDO_EXEC Y\n",
	    "ENABLE_CMD_SUDO_EXEC without CMD_EXEC_USER starts sudo as root");
}

static void
past_expiry_warns_and_loads(void **state)
{
	warns(*state, STANZA "ACCESS_EXPIRE 3/10/01;   ### very old\n",
	    "access.conf:4: ACCESS_EXPIRE is in the past");
	warns(*state, STANZA "ACCESS_EXPIRE_EPOCH 1000\n",
	    "ACCESS_EXPIRE_EPOCH is in the past");
}

/* A GnuPG stanza: keys to decrypt with, and fwknopd's signature rules. */
static void
gpg_stanza_is_flagged(void **state)
{
	struct access_conf *c;

	c = load_text(*state,
	    "SOURCE ANY\nGPG_DECRYPT_PW secret\nGPG_REMOTE_ID 0xABCD1234\n"
	    "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\n"
	    "SOURCE ANY\nKEY abc\nGPG_DECRYPT_PW x\nGPG_FINGERPRINT_ID "
	    "782DA40A30A2D57BDA7F7CE93726FF1CFE8D2A4C\n"
	    "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_REQUIRE_SIG Y\n"
	    "GPG_DISABLE_SIG Y\nGPG_REMOTE_ID 3726FF1CFE8D2A4C\n");
	assert_true(c->stanzas[0]->gpg && c->stanzas[0]->gpg_only);
	assert_true(c->stanzas[0]->gpg_require_sig);	/* the default */
	assert_string_equal(c->stanzas[0]->gpg_decrypt_pw, "secret");
	assert_true(c->stanzas[1]->gpg && !c->stanzas[1]->gpg_require_sig);
	assert_true(c->stanzas[2]->gpg && !c->stanzas[2]->gpg_only);
	assert_true(c->stanzas[3]->gpg_require_sig);	/* REQUIRE wins */
	access_free(c);
	warns(*state, "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\n",
	    "GPG_DISABLE_SIG: any packet encrypted to the stanza's key is "
	    "accepted");
	warns(*state, "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_REQUIRE_SIG Y\n"
	    "GPG_DISABLE_SIG Y\nGPG_REMOTE_ID ABCD1234\n",
	    "both set: signatures are checked");
}

REFUSE(gpg_signature_needs_a_signer_list,
    "SOURCE ANY\nGPG_ALLOW_NO_PW Y\n", "access.conf:1:",
    "name the signers with GPG_REMOTE_ID or GPG_FINGERPRINT_ID")
REFUSE(gpg_decrypt_id_must_be_a_key_name,
    "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_DISABLE_SIG Y\nGPG_DECRYPT_ID 0xZZ\n",
    "access.conf:4:", "GPG_DECRYPT_ID: names no key the way gpg reads")
REFUSE(gpg_remote_id_must_be_a_key_id,
    "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_REMOTE_ID ABCD\n", "access.conf:3:",
    "GPG_REMOTE_ID: not a key ID of 8 or 16 hex digits")
REFUSE(gpg_fingerprint_must_have_40_digits,
    "SOURCE ANY\nGPG_ALLOW_NO_PW Y\nGPG_FINGERPRINT_ID 3726FF1CFE8D2A4C\n",
    "access.conf:3:", "not a fingerprint of 40 hex digits")
REFUSE(asymmetric_mode_needs_gnupg_keys,
    "SOURCE ANY\nKEY abc\nENCRYPTION_MODE Asymmetric\n", "access.conf:3:",
    "ENCRYPTION_MODE Asymmetric needs GPG_DECRYPT_PW or GPG_ALLOW_NO_PW")
REFUSE(gpg_password_as_hmac_key_is_refused,
    "SOURCE ANY\nGPG_DECRYPT_PW samesecret\nHMAC_KEY samesecret\n"
    "GPG_REMOTE_ID ABCD1234\n", "access.conf:3:",
    "the HMAC key is identical to GPG_DECRYPT_PW")

static void
legacy_mode_truncates_long_key(void **state)
{
	struct access_conf *c;

	warns(*state, "SOURCE ANY\nKEY 0123456789abcdefXYZ\nENCRYPTION_MODE "
	    "legacy\n", "uses only the first 16 bytes of the key");
	c = load_text(*state, "SOURCE ANY\nKEY_BASE64 "
	    "MDEyMzQ1Njc4OWFiY2RlZlhZWg==\nENCRYPTION_MODE legacy\n");
	assert_int_equal(c->stanzas[0]->mode, SPA_MODE_LEGACY);
	assert_int_equal(c->stanzas[0]->enc_key_len, 16);
	assert_memory_equal(c->stanzas[0]->enc_key, "0123456789abcdef", 16);
	access_free(c);
}

/* --- fwknopd's refusal tests, table by table ------------------------------ */

/* An address list value, the entry refused in it, and why. */
struct bad_address {
	const char	*value;
	int		 entry;		/* which entry of the list, 1-based */
	const char	*why;
};

/* Each value refused in SOURCE and in DESTINATION, naming its entry. */
static void
addresses_refused(const struct fx *f, const struct bad_address *t, size_t n)
{
	char text[512], want[256];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "SOURCE %s\n" KEYS, t[i].value);
		snprintf(want, sizeof(want), "invalid SOURCE entry #%d: %s",
		    t[i].entry, t[i].why);
		refused(f, text, "access.conf:1:", want);
		snprintf(text, sizeof(text), STANZA "DESTINATION %s\n",
		    t[i].value);
		snprintf(want, sizeof(want), "invalid DESTINATION entry #%d: "
		    "%s", t[i].entry, t[i].why);
		refused(f, text, "access.conf:4:", want);
	}
}

/* "SOURCE/DESTINATION syntax": each bad entry refused with its reason. */
static void
addresses_refuse_each_bad_mask_and_ip(void **state)
{
	static const struct bad_address t[] = {
		{ "10.0.0.0/abc", 1, "invalid prefix length" },
		{ "10.0.0.0/0", 1, "invalid prefix length (1..32)" },
		{ "10.0.0.0/33", 1, "invalid prefix length (1..32)" },
		{ "10.0.0.0/", 1, "missing mask after '/'" },
		{ "10.0.0.0/255.0.255.0", 1,
		    "invalid netmask (must be contiguous" },
		{ "10.0.0.0/255.255.255.256", 1,
		    "invalid netmask" },
		{ "10.0.0.300", 1, "invalid IP address" },
		{ "123.123.123", 1, "invalid IP address" },
		{ "10.0.0.1, 1.2.3.4/40, 10.0.0.3", 2,
		    "invalid prefix length" },
	};
	addresses_refused(*state, t, sizeof(t) / sizeof(t[0]));
}

/* Out-of-range FW_ACCESS_TIMEOUT and MAX_FW_TIMEOUT, both ends. */
static void
timeouts_refuse_out_of_range(void **state)
{
	static const char *const bad[] = {
		"FW_ACCESS_TIMEOUT 0", "FW_ACCESS_TIMEOUT 8388609",
		"FW_ACCESS_TIMEOUT -1", "MAX_FW_TIMEOUT 0",
		"MAX_FW_TIMEOUT 8388609", "MAX_FW_TIMEOUT -5",
	};
	char text[256], want[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), STANZA "%s\n", bad[i]);
		snprintf(want, sizeof(want), "%.*s must be a number from 1 to "
		    "8388608", (int)strcspn(bad[i], " "), bad[i]);
		refused(*state, text, "access.conf:4:", want);
	}
}

/* CMD_CYCLE_TIMER out of range at the low end, an over-long close. */
static void
cycle_refuses_timer_zero_and_long_close(void **state)
{
	char text[2048];

	refused(*state, STANZA "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE "
	    "/bin/true\nCMD_CYCLE_TIMER 0\n", "access.conf:6:",
	    "CMD_CYCLE_TIMER must be a number from 1 to 8388608");
	snprintf(text, sizeof(text), STANZA "CMD_CYCLE_OPEN /bin/true\n"
	    "CMD_CYCLE_CLOSE %01025d\nCMD_CYCLE_TIMER 5\n", 1);
	refused(*state, text, "access.conf:5:",
	    "CMD_CYCLE_CLOSE is longer than 1024 characters");
}

/* %include_folder and --access-folder: /dev/null, no path, "", too long. */
static void
folders_refuse_dev_null_empty_and_long_paths(void **state)
{
	char text[sizeof(STANZA) + 1100];

	refused(*state, STANZA "%include_folder /dev/null\n", "access.conf:4:",
	    "folder /dev/null is not a directory");
	refused(*state, STANZA "%include_folder\n", "access.conf:4:",
	    "missing value for %include_folder");
	/* the top folder is named once, without a position */
	refused_path("/dev/null", true, "folder /dev/null is not",
	    "folder /dev/null is not a directory");
	refused_path("", true, "cannot open folder : ",
	    "cannot open folder : No such file or directory");
	/* 1030 characters (fwknopd's buffer is 1024) */
	strcpy(text, STANZA "%include_folder /");
	memset(text + strlen(text), 'a', 1029);
	strcpy(text + strlen(STANZA) + 17 + 1029, "\n");
	refused(*state, text, "access.conf:4:", "cannot open folder /aaaa");
}

/* %include_keys: a file with no key leaves its stanza keyless (fatal,
 * where fwknopd drops the stanza), placeholders are refused. */
static void
include_keys_without_a_key_is_refused(void **state)
{
	static const char *const files[] = {
		"",
		"### 1.1.1.1:\n",	/* fwknop's test/invalid.key, line 1 */
		"; nothing\n\n",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		put(*state, "k.keys", files[i]);
		refused(*state, "SOURCE ANY\n%include_keys k.keys\n",
		    "access.conf:1:", "has no key (KEY, KEY_BASE64");
	}
	put(*state, "k.keys", "KEY __CHANGEME__\n");
	refused(*state, "SOURCE ANY\n%include_keys k.keys\n", "k.keys:1:",
	    "key is the placeholder __CHANGEME__");
	put(*state, "k.keys", "KEY abc\nHMAC_KEY_BASE64 __CHANGEME__\n");
	refused(*state, "SOURCE ANY\n%include_keys k.keys\n", "k.keys:2:",
	    "key is the placeholder __CHANGEME__");
}

/* fwknop's test/invalid*.key lines (the client's --get-key "IP: key"
 * format) and fwknopd's "KEYinvalidline" in a key file. */
static void
include_keys_refuses_malformed_lines(void **state)
{
	static const char *const lines[] = {
		" 1.1.1.1:\n", "127.0.0.1: \n", "127.0.0.1\n",
		"KEYinvalidline\n",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		put(*state, "k.keys", lines[i]);
		refused(*state, "SOURCE ANY\n%include_keys k.keys\n",
		    "k.keys:1:", "unknown directive");
	}
}

/* fwknop's key fuzz lengths: 33, 34, 128, 1000, 2000 (encryption), 1000
 * and 2000 (HMAC); and a key with a NUL byte in it. */
static void
keys_of_fwknop_fuzz_lengths_are_refused(void **state)
{
	static const int enc[] = { 33, 34, 128, 1000, 2000 };
	static const int hmac[] = { 1000, 2000 };
	static const char nul[] = "SOURCE ANY\nKEY abc\0def\n";
	struct access_conf *c = NULL;
	struct access_error e;
	char text[2200], want[80];
	size_t i;

	for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		snprintf(text, sizeof(text), "SOURCE ANY\nKEY %0*d\n", enc[i], 7);
		snprintf(want, sizeof(want), "KEY is %d bytes long: it must be "
		    "1 to 32", enc[i]);
		refused(*state, text, "access.conf:2:", want);
	}
	for (i = 0; i < sizeof(hmac) / sizeof(hmac[0]); i++) {
		snprintf(text, sizeof(text), "SOURCE ANY\nKEY a\nHMAC_KEY %0*d\n",
		    hmac[i], 7);
		snprintf(want, sizeof(want), "HMAC_KEY is %d bytes long: it "
		    "must be 1 to 136", hmac[i]);
		refused(*state, text, "access.conf:3:", want);
	}
	assert_int_equal(access_load_buffer("mem.conf", nul, sizeof(nul) - 1,
	    &c, &e), SPA_ERR_CONFIG);
	assert_null(c);
	assert_contains(e.text, "mem.conf:2:");
	assert_contains(e.text, "NUL byte");
}

/* fwknop's test/conf/fuzzing_open_ports_access.conf and the SOURCE of
 * fuzzing_source_access.conf. */
REFUSE(ports_refuse_tcp_123453, STANZA "OPEN_PORTS tcp/123453\n",
    "access.conf:4:", "invalid OPEN_PORTS entry #1: port must be")
REFUSE(source_refuses_letter_in_first_octet,
    "SOURCE 10.10.10.10, A0.10.10.10\n" KEYS, "access.conf:1:",
    "invalid SOURCE entry #2: invalid IP address")

/* An expiry centuries ahead is a date like any other, not an error. */
static void
expire_in_2500_is_accepted(void **state)
{
	struct tm tm = { .tm_year = 600, .tm_mon = 0, .tm_mday = 1,
	    .tm_isdst = -1 };
	struct access_conf *c = load_text(*state, STANZA
	    "ACCESS_EXPIRE 01/01/2500\n");

	assert_int_equal(c->stanzas[0]->expire, (int64_t)mktime(&tm));
	access_free(c);
}

/* --- acceptance ---------------------------------------------------------- */

static void
upstream_style_sample_loads(void **state)
{
	struct access_conf *c = load_text(*state,
	    "#\n# access.conf in the fwknop layout\n#\n"
	    "SOURCE              ANY\n"
	    "KEY_BASE64          " ENC64 "\n"
	    "HMAC_KEY_BASE64     " HMAC64 "\n"
	    "OPEN_PORTS          tcp/22\n"
	    "FW_ACCESS_TIMEOUT   30\n\n"
	    "SOURCE: 192.168.10.0/24, 10.1.1.1;  office\n"
	    "KEY                 officepassphrase\n"
	    "HMAC_KEY            officehmackey\n"
	    "HMAC_DIGEST_TYPE    sha512\n"
	    "REQUIRE_USERNAME    alice\n\n"
	    "SOURCE              ANY\n"
	    "KEY_BASE64          " ENC64 "\n"
	    "HMAC_KEY_BASE64     " HMAC64 "\n"
	    "CMD_CYCLE_OPEN      /usr/sbin/ipset add spa $SRC timeout "
	    "$TIMEOUT\n"
	    "CMD_CYCLE_CLOSE     NONE\n");
	const struct stanza *s1 = c->stanzas[0], *s2 = c->stanzas[1],
	    *s3 = c->stanzas[2];

	assert_int_equal(c->n, 3);
	assert_int_equal(s1->number, 1);
	assert_int_equal(s1->line, 4);
	assert_int_equal(s2->number, 2);
	assert_int_equal(s2->line, 10);
	assert_int_equal(s3->number, 3);
	assert_true(s1->source.any);
	assert_int_equal(s1->enc_key_len, 32);
	assert_int_equal(s1->hmac_key_len, 64);
	assert_int_equal(s1->hmac_type, SPA_DIGEST_SHA256);
	assert_int_equal(s1->open_ports.n, 1);
	assert_int_equal(s2->source.n, 2);
	assert_memory_equal(s2->enc_key, "officepassphrase", 16);
	assert_int_equal(s2->hmac_type, SPA_DIGEST_SHA512);
	assert_string_equal(s2->require_username, "alice");
	assert_true(s3->cmd_cycle_close_none);
	assert_null(s3->cmd_cycle_close);
	assert_string_equal(s3->cmd_cycle_open,
	    "/usr/sbin/ipset add spa $SRC timeout $TIMEOUT");
	access_free(c);
}

#define EVERY_DIRECTIVE							\
	"SOURCE 192.168.1.0/24, 10.1.2.3, 2001:db8::/48\n"		\
	"DESTINATION 10.0.0.0/255.0.0.0\n"				\
	"OPEN_PORTS tcp/22, udp/53\n"					\
	"RESTRICT_PORTS TCP/23\n"					\
	"KEY secretkey\n"						\
	"HMAC_KEY hmackey-different\n"					\
	"HMAC_DIGEST_TYPE SHA3_512\n"					\
	"ENCRYPTION_MODE ctr\n"						\
	"FW_ACCESS_TIMEOUT 60\n"					\
	"MAX_FW_TIMEOUT 600\n"						\
	"ACCESS_EXPIRE_EPOCH 4102444800\n"				\
	"REQUIRE_USERNAME alice\n"					\
	"REQUIRE_SOURCE_ADDRESS Y\n"					\
	"ENABLE_CMD_EXEC yes\n"						\
	"ENABLE_CMD_SUDO_EXEC y\n"					\
	"CMD_EXEC_USER nobody\n"					\
	"CMD_EXEC_GROUP root\n"						\
	"CMD_SUDO_EXEC_USER daemon\n"					\
	"CMD_SUDO_EXEC_GROUP daemon\n"					\
	"CMD_CYCLE_OPEN /usr/local/bin/open $SRC $PORT\n"		\
	"CMD_CYCLE_CLOSE /usr/local/bin/close $SRC\n"			\
	"CMD_CYCLE_TIMER 120\n"						\
	"FORCE_NAT 192.168.10.2   2222\n"				\
	"FORCE_SNAT 203.0.113.1\n"					\
	"FORCE_MASQUERADE Y\n"						\
	"DISABLE_DNAT Y\n"						\
	"FORWARD_ALL Y\n"						\
	"GPG_HOME_DIR /root/.gnupg\n"					\
	"GPG_EXE /usr/bin/gpg\n"					\
	"GPG_DECRYPT_ID ABCD1234\n"					\
	"GPG_DECRYPT_PW gpgpass\n"					\
	"GPG_ALLOW_NO_PW N\n"						\
	"GPG_REQUIRE_SIG Y\n"						\
	"GPG_DISABLE_SIG no\n"						\
	"GPG_IGNORE_SIG_VERIFY_ERROR Y\n"				\
	"GPG_REMOTE_ID 1234ABCD\n"					\
	"GPG_FINGERPRINT_ID 00112233445566778899AABBCCDDEEFF00112233\n"

static void
check_every_address_and_key(const struct stanza *st)
{
	struct spa_addr a = ip("2001:db8:0:ffff::1");

	assert_int_equal(st->source.n, 3);
	assert_true(addr_list_match(&st->source, &a));
	a = ip("10.1.2.4");
	assert_false(addr_list_match(&st->source, &a));
	assert_true(st->has_destination);
	assert_true(addr_list_match(&st->destination, &a));
	assert_true(st->has_open_ports);
	assert_int_equal(st->open_ports.n, 2);
	assert_int_equal(st->open_ports.v[1].proto, IPPROTO_UDP);
	assert_int_equal(st->open_ports.v[1].port, 53);
	assert_int_equal(st->restrict_ports.n, 1);
	assert_int_equal(st->restrict_ports.v[0].proto, IPPROTO_TCP);
	assert_int_equal(st->enc_key_len, 9);
	assert_memory_equal(st->enc_key, "secretkey", 9);
	assert_int_equal(st->hmac_key_len, 17);
	assert_int_equal(st->hmac_type, SPA_DIGEST_SHA3_512);
	assert_int_equal(st->mode, SPA_MODE_CTR);
	assert_false(st->gpg_only);
}

static void
check_every_policy_field(const struct stanza *st)
{
	struct passwd *pw = getpwnam("daemon");
	uid_t daemon_uid, nobody_uid;
	gid_t daemon_gid;

	assert_non_null(pw);
	daemon_uid = pw->pw_uid;
	daemon_gid = pw->pw_gid;
	assert_non_null(pw = getpwnam("nobody"));
	nobody_uid = pw->pw_uid;
	assert_int_equal(st->fw_access_timeout, 60);
	assert_int_equal(st->max_fw_timeout, 600);
	assert_int_equal(st->expire, 4102444800LL);
	assert_string_equal(st->require_username, "alice");
	assert_true(st->require_source_address);
	assert_true(st->enable_cmd_exec && st->enable_cmd_sudo_exec);
	assert_string_equal(st->cmd_exec_user.name, "nobody");
	assert_int_equal(st->cmd_exec_user.uid, nobody_uid);
	assert_string_equal(st->cmd_exec_group.name, "root");
	assert_int_equal(st->cmd_exec_group.gid, 0);
	assert_int_equal(st->cmd_sudo_exec_user.uid, daemon_uid);
	assert_int_equal(st->cmd_sudo_exec_user.gid, daemon_gid);
	assert_int_equal(st->cmd_sudo_exec_group.gid,
	    getgrnam("daemon")->gr_gid);
	assert_string_equal(st->cmd_cycle_open,
	    "/usr/local/bin/open $SRC $PORT");
	assert_string_equal(st->cmd_cycle_close, "/usr/local/bin/close $SRC");
	assert_int_equal(st->cmd_cycle_timer, 120);
}

static void
check_every_nat_and_gpg_field(const struct stanza *st)
{
	struct spa_addr a = ip("192.168.10.2");

	assert_true(st->has_force_nat);
	assert_true(addr_equal(&st->force_nat_addr, &a));
	assert_int_equal(st->force_nat_port, 2222);
	a = ip("203.0.113.1");
	assert_true(st->has_force_snat);
	assert_true(addr_equal(&st->force_snat_addr, &a));
	assert_true(st->force_masquerade && st->disable_dnat);
	assert_true(st->forward_all);
	assert_string_equal(st->gpg_home_dir, "/root/.gnupg");
	assert_string_equal(st->gpg_exe, "/usr/bin/gpg");
	assert_string_equal(st->gpg_decrypt_id, "ABCD1234");
	assert_true(st->has_gpg_decrypt_pw);
	assert_false(st->gpg_allow_no_pw);
	assert_true(st->gpg_require_sig);
	assert_false(st->gpg_disable_sig);
	assert_true(st->gpg_ignore_sig_verify_error);
	assert_string_equal(st->gpg_remote_id, "1234ABCD");
	assert_string_equal(st->gpg_fingerprint_id,
	    "00112233445566778899AABBCCDDEEFF00112233");
}

static void
every_directive_is_stored(void **state)
{
	struct access_conf *c = load_text(*state, EVERY_DIRECTIVE);

	assert_int_equal(c->n, 1);
	check_every_address_and_key(c->stanzas[0]);
	check_every_policy_field(c->stanzas[0]);
	check_every_nat_and_gpg_field(c->stanzas[0]);
	access_free(c);
}

static void
synonyms_are_stored(void **state)
{
	struct access_conf *c = load_text(*state, STANZA
	    "REQUIRE_SOURCE yes\n"
	    "EXTERNAL_CMD_OPEN /bin/open\n"
	    "EXTERNAL_CMD_CLOSE /bin/close\n"
	    "EXTERNAL_CMD_ALARM 9\n");
	const struct stanza *st = c->stanzas[0];

	assert_true(st->require_source_address);
	assert_string_equal(st->cmd_cycle_open, "/bin/open");
	assert_string_equal(st->cmd_cycle_close, "/bin/close");
	assert_int_equal(st->cmd_cycle_timer, 9);
	access_free(c);
}

static void
defaults_are_filled_in(void **state)
{
	struct access_conf *c = load_text(*state, "SOURCE ANY\nKEY abc\n");
	const struct stanza *st = c->stanzas[0];

	assert_int_equal(st->fw_access_timeout, ACCESS_DEF_FW_TIMEOUT);
	assert_int_equal(st->max_fw_timeout, ACCESS_DEF_MAX_TIMEOUT);
	assert_int_equal(st->mode, SPA_MODE_CBC);
	assert_false(st->has_hmac_key);
	assert_false(st->has_destination || st->has_open_ports);
	assert_int_equal(st->expire, 0);
	assert_false(st->require_source_address || st->enable_cmd_exec);
	access_free(c);
}

static void
group_is_looked_up_in_group_database(void **state)
{
	struct group *gr = getgrnam("adm");
	struct access_conf *c;

	if (gr == NULL || getpwnam("adm") != NULL)
		skip();
	c = load_text(*state, STANZA "CMD_EXEC_GROUP adm\n");
	assert_int_equal(c->stanzas[0]->cmd_exec_group.gid, gr->gr_gid);
	access_free(c);
}

static void
line_syntax_is_lenient_where_documented(void **state)
{
	struct access_conf *c = load_text(*state,
	    "; a comment\r\n   # an indented comment\n\t\n"
	    "SOURCE:\t10.0.0.1   \r\n"
	    "KEY abc def   ; the key is 'abc def'\r\n"
	    "FW_ACCESS_TIMEOUT: 45\n"
	    "ENABLE_CMD_EXEC No\n"
	    "OPEN_PORTS tcp/22,  udp/53 ,TCP/22, tcp/22");
	const struct stanza *st = c->stanzas[0];

	assert_int_equal(st->line, 4);
	assert_int_equal(st->source.n, 1);
	assert_int_equal(st->enc_key_len, 7);
	assert_memory_equal(st->enc_key, "abc def", 7);
	assert_int_equal(st->fw_access_timeout, 45);
	assert_false(st->enable_cmd_exec);
	assert_int_equal(st->open_ports.n, 2);
	access_free(c);
}

static void
expire_date_is_local_midnight(void **state)
{
	struct access_conf *c = load_text(*state, STANZA
	    "ACCESS_EXPIRE 2/29/2096\nSOURCE ANY\n" KEYS
	    "ACCESS_EXPIRE 12/31/99\n");
	struct tm tm = { .tm_year = 196, .tm_mon = 1, .tm_mday = 29,
	    .tm_isdst = -1 };
	struct tm tm2 = { .tm_year = 199, .tm_mon = 11, .tm_mday = 31,
	    .tm_isdst = -1 };

	assert_int_equal(c->stanzas[0]->expire, (int64_t)mktime(&tm));
	assert_int_equal(c->stanzas[1]->expire, (int64_t)mktime(&tm2));
	access_free(c);
}

static void
includes_in_all_three_forms(void **state)
{
	struct access_conf *c;

	subdir(*state, "keys");
	subdir(*state, "conf.d");
	put(*state, "keys/alice.keys", "# alice\n" KEYS);
	put(*state, "users.conf", "SOURCE 10.0.0.2\nKEY two\n");
	put(*state, "conf.d/a.conf", "SOURCE 10.0.0.3\nKEY three\n");
	put(*state, "conf.d/b.conf", "SOURCE 10.0.0.4\nKEY four\n");
	c = load_text(*state, "SOURCE 10.0.0.1\n%include_keys keys/alice.keys\n"
	    "%include users.conf\nOPEN_PORTS tcp/22\n"
	    "%include_folder conf.d/\nSOURCE 10.0.0.5\nKEY five\n");
	assert_int_equal(c->n, 5);
	assert_int_equal(c->stanzas[0]->enc_key_len, 32);
	assert_int_equal(c->stanzas[0]->hmac_key_len, 64);
	assert_true(c->stanzas[0]->has_open_ports);
	assert_false(c->stanzas[1]->has_open_ports);
	assert_contains(c->stanzas[1]->file, "/users.conf");
	assert_contains(c->stanzas[2]->file, "conf.d/a.conf");
	assert_contains(c->stanzas[3]->file, "conf.d/b.conf");
	assert_memory_equal(c->stanzas[4]->enc_key, "five", 4);
	assert_int_equal(c->stanzas[4]->line, 6);
	access_free(c);
}

static void
included_stanzas_are_numbered_at_the_include(void **state)
{
	struct access_conf *c;

	put(*state, "inc.conf", "SOURCE 3.3.3.3\nKEY inc\n");
	c = load_text(*state, STANZA "SOURCE 2.2.2.2\n%include inc.conf\n"
	    "KEY stanza2key\n");
	assert_int_equal(c->n, 3);
	assert_int_equal(c->stanzas[1]->line, 4);
	assert_memory_equal(c->stanzas[1]->enc_key, "stanza2key", 10);
	assert_contains(c->stanzas[2]->file, "inc.conf");
	assert_memory_equal(c->stanzas[2]->enc_key, "inc", 3);
	access_free(c);
}

static void
interrupted_stanza_without_key_is_refused(void **state)
{
	put(*state, "inc.conf", "SOURCE 3.3.3.3\nKEY inc\n");
	refused(*state, STANZA "SOURCE 2.2.2.2\n%include inc.conf\n"
	    "SOURCE 4.4.4.4\n" KEYS, "access.conf:4:",
	    "access.conf:4: stanza #2 has no key");
}

static void
folder_is_read_in_byte_order(void **state)
{
	struct access_conf *c;
	char *p;

	subdir(*state, "d");
	subdir(*state, "d/sub.conf");
	put(*state, "d/b.conf", "SOURCE 10.0.0.2\nKEY b\n");
	put(*state, "d/a.conf", "SOURCE 10.0.0.1\nKEY a\n");
	put(*state, "d/Z.conf", "SOURCE 10.0.0.3\nKEY Z\n");
	put(*state, "d/10.conf", "SOURCE 10.0.0.4\nKEY 10\n");
	put(*state, "d/.hidden.conf", "broken\n");
	put(*state, "d/x.confx", "broken\n");
	put(*state, "d/x.conf~", "broken\n");
	put(*state, "d/x.conf.bak", "broken\n");
	p = path_in(*state, "d");
	capture_begin(*state);
	c = load_path(p, true);
	free(capture_end(*state));
	assert_int_equal(c->n, 4);
	assert_memory_equal(c->stanzas[0]->enc_key, "10", 2);
	assert_memory_equal(c->stanzas[1]->enc_key, "Z", 1);
	assert_memory_equal(c->stanzas[2]->enc_key, "a", 1);
	assert_memory_equal(c->stanzas[3]->enc_key, "b", 1);
	assert_int_equal(c->stanzas[3]->number, 4);
	access_free(c);
	free(p);
}

static void
folder_skips_directory_with_warning(void **state)
{
	subdir(*state, "d");
	subdir(*state, "d/sub.conf");
	warns(*state, STANZA "%include_folder d\n", "sub.conf is a directory: "
	    "skipped");
}

static void
empty_folder_is_fine_but_needs_a_stanza(void **state)
{
	char *p;

	subdir(*state, "d");
	access_free(load_text(*state, STANZA "%include_folder d\n"));
	p = path_in(*state, "d");
	refused_path(p, true, "/d: ", "no stanza found");
	free(p);
}

static void
relative_paths_follow_the_including_file(void **state)
{
	struct fx *f = *state;
	char cwd[4096];
	struct access_conf *c;

	subdir(f, "etc");
	subdir(f, "etc/sub");
	put(f, "etc/access.conf", "%include sub/one.conf\n");
	put(f, "etc/sub/one.conf", "%include two.conf\n");
	put(f, "etc/sub/two.conf", STANZA);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	c = load_named(f, "etc/access.conf");
	assert_contains(c->stanzas[0]->file, "/etc/sub/two.conf");
	access_free(c);
	assert_int_equal(chdir(f->dir), 0);
	c = load_path("etc/access.conf", false);
	assert_string_equal(c->stanzas[0]->file, "etc/sub/two.conf");
	access_free(c);
	assert_int_equal(chdir(cwd), 0);
}

static void
buffer_includes_are_relative_to_cwd(void **state)
{
	static const char text[] = "%include inc.conf\n";
	struct fx *f = *state;
	struct access_conf *c = NULL;
	struct access_error e;
	char cwd[4096];

	put(f, "inc.conf", STANZA);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(access_load_buffer("mem", text, sizeof(text) - 1, &c,
	    &e), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->stanzas[0]->file, "inc.conf");
	access_free(c);
}

/* The file Debian's fwknop-server installs, with its two keys filled in. */
static void
debian_access_conf_loads_unchanged(void **state)
{
	char *text = th_slurp("/etc/fwknop/access.conf", NULL), *k1 = NULL;
	char *k2 = NULL, *out = NULL;
	struct access_conf *c;

	if (text == NULL || (k1 = strstr(text, "__CHANGEME__")) == NULL ||
	    (k2 = strstr(k1 + 12, "__CHANGEME__")) == NULL) {
		free(text);
		skip();
	}
	assert_true(asprintf(&out, "%.*s%s%.*s%s%s", (int)(k1 - text), text,
	    ENC64, (int)(k2 - k1 - 12), k1 + 12, HMAC64, k2 + 12) > 0);
	c = load_text(*state, out);
	assert_int_equal(c->n, 1);
	assert_true(c->stanzas[0]->source.any);
	assert_int_equal(c->stanzas[0]->enc_key_len, 32);
	assert_int_equal(c->stanzas[0]->hmac_key_len, 64);
	assert_int_equal(c->stanzas[0]->hmac_type, SPA_DIGEST_SHA256);
	access_free(c);
	free(out);
	free(text);
}

static void
any_source_checks_every_stanza(void **state)
{
	struct access_conf *c = load_text(*state, "SOURCE 10.0.0.0/8\nKEY a\n"
	    "SOURCE 2001:db8::/32\nKEY b\n");
	struct spa_addr in4 = ip("10.9.9.9"), in6 = ip("2001:db8::5"),
	    out = ip("192.0.2.1");

	assert_true(access_any_source(c, &in4));
	assert_true(access_any_source(c, &in6));
	assert_false(access_any_source(c, &out));
	access_free(c);
}

/* IPv6 SOURCE and DESTINATION entries as written in a stanza. */
static void
ipv6_source_and_destination_load(void **state)
{
	struct access_conf *c = load_text(*state, "SOURCE 2001:db8:1::/48, "
	    "192.0.2.0/24 ,::/0\n" KEYS "DESTINATION fd00:231:150::1/128,"
	    "10.1.0.0/16\n");
	const struct stanza *st = c->stanzas[0];
	struct spa_addr a = ip("2001:db8:1:2::3"), v4 = ip("192.0.2.77"),
	    any6 = ip("fe80::1"), out4 = ip("198.51.100.1"),
	    d6 = ip("fd00:231:150::1"), d6b = ip("fd00:231:150::2");

	assert_int_equal(st->source.n, 3);
	assert_true(addr_list_match(&st->source, &a));
	assert_true(addr_list_match(&st->source, &v4));
	assert_true(addr_list_match(&st->source, &any6));
	assert_false(addr_list_match(&st->source, &out4));
	assert_true(st->has_destination);
	assert_true(addr_list_match(&st->destination, &d6));
	assert_false(addr_list_match(&st->destination, &d6b));
	access_free(c);
}

/* Bad IPv6 entries: refused with file, line, entry and reason. */
static void
ipv6_addresses_refuse_each_bad_entry(void **state)
{
	static const struct bad_address t[] = {
		{ "2001:db8::/129", 1,
		    "invalid prefix length (0..128)" },
		{ "2001:db8::/", 1, "missing mask after '/'" },
		{ "2001:db8::/ffff::", 1,
		    "invalid prefix length (0..128)" },
		{ "2001:db8::g", 1, "invalid IP address" },
		{ "fe80::1%eth0", 1, "invalid IP address" },
		{ "::ffff:192.0.2.1", 1,
		    "an IPv4-mapped IPv6 address (write the IPv4 address)" },
		{ "10.0.0.0/8, ::ffff:10.0.0.0/104", 2,
		    "an IPv4-mapped IPv6 address" },
		{ "0.0.0.0/0", 1, "invalid prefix length (1..32)" },
	};
	addresses_refused(*state, t, sizeof(t) / sizeof(t[0]));
}

/* --- dump ---------------------------------------------------------------- */

static char *
dump_text(const struct access_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	access_dump(c, fp);
	fclose(fp);
	return buf;
}

/* Drop "# stanza" origin lines and put real keys where the masks are. */
static char *
unmask(const char *dump, bool drop_origin)
{
	char *out = calloc(1, strlen(dump) * 4 + 1), *copy = strdup(dump);
	char *line, *save = NULL;

	assert_non_null(out);
	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (drop_origin && strncmp(line, "# stanza", 8) == 0)
			continue;
		if (strncmp(line, "KEY_BASE64 ", 11) == 0)
			line = "KEY_BASE64 " ENC64;
		else if (strncmp(line, "HMAC_KEY_BASE64 ", 16) == 0)
			line = "HMAC_KEY_BASE64 " HMAC64;
		else if (strncmp(line, "GPG_DECRYPT_PW ", 15) == 0)
			line = "GPG_DECRYPT_PW secret";
		strcat(strcat(out, line), "\n");
	}
	free(copy);
	return out;
}

static void
dump_masks_keys_and_shows_defaults(void **state)
{
	struct access_conf *c = load_text(*state, "SOURCE ANY\nKEY abcdef\n"
	    "HMAC_KEY ghijkl\n");
	char *d = dump_text(c);

	assert_contains(d, "# stanza #1 from ");
	assert_contains(d, "access.conf:1\n");
	assert_contains(d, "KEY_BASE64             ********\n");
	assert_contains(d, "HMAC_KEY_BASE64        ********\n");
	assert_contains(d, "HMAC_DIGEST_TYPE       sha256\n");
	assert_contains(d, "ENCRYPTION_MODE        CBC\n");
	assert_contains(d, "FW_ACCESS_TIMEOUT      30\n");
	assert_contains(d, "MAX_FW_TIMEOUT         300\n");
	assert_contains(d, "REQUIRE_SOURCE_ADDRESS N\n");
	assert_null(strstr(d, "abcdef"));
	assert_null(strstr(d, "ghijkl"));
	free(d);
	access_free(c);
}

/* IPv6 entries are dumped in the form they load from. */
static void
dump_shows_ipv6_entries(void **state)
{
	struct access_conf *c = load_text(*state, "SOURCE 2001:DB8:0:0::5/64,"
	    " ::/0, 10.0.0.1\n" KEYS "DESTINATION fd00::1\n");
	char *d = dump_text(c);

	assert_contains(d, "2001:db8::/64, ::/0, 10.0.0.1/32\n");
	assert_contains(d, "fd00::1/128\n");
	free(d);
	access_free(c);
}

static void
dump_reparses_to_the_same_policy(void **state)
{
	struct access_conf *c = load_text(*state, EVERY_DIRECTIVE "SOURCE ANY\n"
	    KEYS "CMD_CYCLE_OPEN x\nCMD_CYCLE_CLOSE none\nACCESS_EXPIRE "
	    "1/2/2090\n");
	char *d1 = dump_text(c), *text = unmask(d1, false), *d2;

	access_free(c);
	c = load_text(*state, text);
	d2 = dump_text(c);
	free(text);
	text = unmask(d1, true);
	free(d1);
	d1 = unmask(d2, true);
	assert_string_equal(text, d1);
	free(text);
	free(d1);
	free(d2);
	access_free(c);
}

/*
 * A stanza of fwknopd's stock file has no command: what it opens depends
 * on spagated.conf's firewall backend, so the executor's plan says it
 * (test_firewall), not the file's reader, which stays silent.
 */
static void
stanza_without_cycle_open_loads_quietly(void **state)
{
	struct fx *f = *state;
	struct access_conf *c;
	char *out;

	put(f, "access.conf", STANZA "OPEN_PORTS tcp/22\n" STANZA
	    "ENABLE_CMD_EXEC Y\n" STANZA
	    "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE NONE\n");
	capture_begin(f);
	c = load_named(f, "access.conf");
	out = capture_end(f);
	assert_int_equal(c->n, 3);
	assert_null(strstr(out, "CMD_CYCLE_OPEN"));
	free(out);
	access_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(line_longer_than_4096_bytes_is_refused),
		T(line_of_4096_bytes_is_accepted),
		T(nul_byte_in_line_is_refused),
		T(unknown_directive_is_refused),
		T(lowercase_directive_is_refused_with_hint),
		T(directive_without_value_is_refused),
		T(value_that_is_only_a_comment_is_refused),
		T(directive_before_first_source_is_refused),
		T(duplicate_directive_is_refused),
		T(included_file_starts_without_a_stanza),
		T(synonyms_count_as_one_directive),
		T(key_and_key_base64_are_one_directive),
		T(hmac_key_and_hmac_key_base64_are_one_directive),
		T(bool_refuses_maybe),
		T(integer_refuses_trailing_junk),
		T(integer_refuses_sign),
		T(integer_refuses_zero),
		T(integer_refuses_above_range),
		T(integer_refuses_huge_number),
		T(source_refuses_bad_prefix),
		T(source_refuses_one_bad_element),
		T(source_refuses_quoted_any),
		T(source_refuses_colon_any),
		T(ports_refuse_39_letters),
		T(destination_refuses_bad_mask),
		T(ports_refuse_missing_slash),
		T(ports_refuse_icmp),
		T(ports_refuse_port_zero),
		T(ports_refuse_port_above_65535),
		T(ports_refuse_non_digit_port),
		T(ports_refuse_empty_entry),
		T(ports_refuse_missing_comma),
		T(key_refuses_placeholder),
		T(key_base64_refuses_placeholder),
		T(hmac_key_refuses_placeholder),
		T(hmac_key_base64_refuses_placeholder),
		T(gpg_password_refuses_placeholder),
		T(key_base64_refuses_non_base64),
		T(hmac_key_base64_refuses_non_base64),
		T(key_refuses_33_bytes),
		T(key_base64_refuses_33_bytes),
		T(hmac_key_base64_refuses_137_bytes),
		T(hmac_key_refuses_137_bytes),
		T(digest_refuses_unknown_name),
		T(mode_refuses_pcbc),
		T(mode_refuses_unknown_name),
		T(expire_refuses_dashes),
		T(expire_refuses_impossible_date),
		T(expire_refuses_three_digit_year),
		T(expire_epoch_refuses_junk),
		T(expire_epoch_refuses_out_of_range),
		T(username_refuses_49_characters),
		T(exec_user_refuses_unknown_user),
		T(sudo_group_refuses_unknown_group),
		T(exec_group_named_after_a_user_gets_a_hint),
		T(cycle_open_refuses_1025_characters),
		T(force_nat_refuses_missing_port),
		T(force_nat_refuses_bad_address),
		T(force_nat_refuses_port_zero),
		T(force_snat_refuses_bad_address),
		T(stanza_without_key_is_refused),
		T(stanza_without_key_names_reason),
		T(hmac_key_identical_to_key_is_refused),
		T(hmac_key_identical_names_reason),
		T(legacy_mode_with_hmac_is_refused),
		T(cycle_open_without_close_is_refused),
		T(cycle_close_without_open_is_refused),
		T(cycle_without_timer_is_refused),
		T(close_absent_without_close_is_refused),
		T(refresh_without_open_is_refused),
		T(close_absent_bad_lists_are_refused),
		T(close_absent_and_refresh_are_kept),
		T(force_snat_without_nat_is_refused),
		T(force_masquerade_without_nat_is_refused),
		T(file_without_stanza_is_refused),
		T(addresses_refuse_each_bad_mask_and_ip),
		T(timeouts_refuse_out_of_range),
		T(cycle_refuses_timer_zero_and_long_close),
		T(folders_refuse_dev_null_empty_and_long_paths),
		T(include_keys_without_a_key_is_refused),
		T(include_keys_refuses_malformed_lines),
		T(keys_of_fwknop_fuzz_lengths_are_refused),
		T(ports_refuse_tcp_123453),
		T(source_refuses_letter_in_first_octet),
		T(expire_in_2500_is_accepted),
		T(include_of_missing_file_is_refused),
		T(include_error_names_missing_path),
		T(include_deeper_than_8_levels_is_refused),
		T(include_8_levels_deep_is_accepted),
		T(include_loop_is_refused),
		T(include_folder_missing_is_refused),
		T(include_folder_of_a_file_is_refused),
		T(folder_member_not_regular_is_refused),
		T(folder_member_that_is_a_link_is_refused),
		T(folder_writable_by_others_is_refused),
		T(folder_of_another_user_is_refused),
		T(member_error_disables_only_that_member),
		T(key_file_error_disables_its_stanza_only),
		T(main_file_and_include_errors_still_refuse),
		T(every_stanza_disabled_is_refused),
		T(dump_shows_disabled_stanzas),
		T(include_keys_outside_stanza_is_refused),
		T(include_keys_refuses_other_directives),
		T(include_keys_missing_file_is_refused),
		T(include_keys_duplicate_key_is_refused),
		T(include_keys_error_propagates),
		T(include_keys_unknown_line_is_not_shown),
		T(no_error_quotes_its_line),
		T(misspelt_directive_gets_a_hint),
		T(group_writable_access_file_is_refused),
		T(world_writable_include_is_refused),
		T(access_file_of_another_user_is_refused),
		T(access_file_that_is_a_directory_is_refused),
		T(writable_key_file_is_refused),
		T(key_file_of_another_user_is_accepted),
		T(symlinked_key_file_is_refused),
		T(readable_access_file_warns),
		T(top_file_named_once),
		T(world_readable_key_file_warns),
		T(quoted_value_warns),
		T(missing_hmac_key_warns),
		T(digest_without_hmac_key_warns),
		T(max_timeout_below_access_timeout_warns),
		T(cycle_timer_and_access_timeout_differ_warns),
		T(sudo_without_exec_warns),
		T(sudo_as_root_warns),
		T(past_expiry_warns_and_loads),
		T(gpg_stanza_is_flagged),
		T(include_keys_takes_gnupg_directives),
		T(gnupg_keys_chosen_by_a_user_name_the_file),
		T(gpg_signature_needs_a_signer_list),
		T(gpg_decrypt_id_must_be_a_key_name),
		T(gpg_remote_id_must_be_a_key_id),
		T(gpg_fingerprint_must_have_40_digits),
		T(asymmetric_mode_needs_gnupg_keys),
		T(gpg_password_as_hmac_key_is_refused),
		T(legacy_mode_truncates_long_key),
		T(upstream_style_sample_loads),
		T(every_directive_is_stored),
		T(synonyms_are_stored),
		T(defaults_are_filled_in),
		T(group_is_looked_up_in_group_database),
		T(line_syntax_is_lenient_where_documented),
		T(expire_date_is_local_midnight),
		T(includes_in_all_three_forms),
		T(included_stanzas_are_numbered_at_the_include),
		T(interrupted_stanza_without_key_is_refused),
		T(folder_is_read_in_byte_order),
		T(folder_skips_directory_with_warning),
		T(empty_folder_is_fine_but_needs_a_stanza),
		T(relative_paths_follow_the_including_file),
		T(buffer_includes_are_relative_to_cwd),
		T(debian_access_conf_loads_unchanged),
		T(any_source_checks_every_stanza),
		T(ipv6_source_and_destination_load),
		T(ipv6_addresses_refuse_each_bad_entry),
		T(dump_shows_ipv6_entries),
		T(dump_masks_keys_and_shows_defaults),
		T(dump_reparses_to_the_same_policy),
		T(stanza_without_cycle_open_loads_quietly),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
