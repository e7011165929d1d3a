/* The recording fake action modules (see fake_action.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fake_action.h"
#include "journal.h"

#define SCRIPT_MAX	32

/* One fake for one test program: its instances share this record. */
static struct {
	const char		*dir;
	struct fake_req		 reqs[FAKE_REQS_MAX];
	size_t			 n;
	struct fake_outcome	 script[SCRIPT_MAX];
	size_t			 nscript;
	size_t			 next;
	struct fake_outcome	 dflt;
	char			 adopted[ACTION_DATA_MAX + 1];
	int			 verdict;
	size_t			 nverify;
	void			(*on_verify)(void *);
	void			*on_verify_arg;
} fk;

void
fake_reset(const char *journal_dir)
{
	memset(&fk, 0, sizeof(fk));
	fk.dir = journal_dir;
	fk.dflt = FAKE_LATER;
	fk.verdict = ACTION_PRESENT;
}

void
fake_verdict(int v)
{
	fk.verdict = v;
}

void
fake_on_verify(void (*fn)(void *arg), void *arg)
{
	fk.on_verify = fn;
	fk.on_verify_arg = arg;
}

size_t
fake_verifies(void)
{
	return fk.nverify;
}

void
fake_script(struct fake_outcome o)
{
	assert_true(fk.nscript < SCRIPT_MAX);
	fk.script[fk.nscript++] = o;
}

void
fake_default(struct fake_outcome o)
{
	fk.dflt = o;
}

size_t
fake_count(void)
{
	return fk.n;
}

const struct fake_req *
fake_req(size_t i)
{
	assert_true(i < fk.n);
	return &fk.reqs[i];
}

size_t
fake_adopted(char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s", fk.adopted);
}

void
fake_finish(size_t i, struct fake_outcome o)
{
	struct fake_req *r;
	char detail[64];

	assert_true(i < fk.n);
	r = &fk.reqs[i];
	assert_false(r->done);
	r->done = true;
	snprintf(detail, sizeof(detail), "fake %s", o.result == 0 ? "done" :
	    "failed");
	action_report(r->env, &(struct action_result){ .job = r->job,
	    .result = o.result, .detail = detail, .absent = o.absent,
	    .exit_status = o.exit_status });
}

/* Cycles in the journal file now: what a crash would leave. */
static size_t
on_disk(void)
{
	struct journal *j;
	size_t n;

	if (fk.dir == NULL || journal_open_readonly(fk.dir, &j) != 0)
		return 0;
	n = journal_count(j);
	journal_close(j);
	return n;
}

static void
text_of(const uint8_t *data, uint16_t len, char *out)
{
	memcpy(out, data, len);
	out[len] = '\0';
}

static int
record(enum fake_hook hook, const char *module, struct action_env *env,
    const struct action_req *req)
{
	struct fake_outcome o;
	struct fake_req *r;
	size_t i = fk.n;

	assert_true(fk.n < FAKE_REQS_MAX);
	r = &fk.reqs[fk.n++];
	memset(r, 0, sizeof(*r));
	r->hook = hook;
	r->module = module;
	cmd_argv_format(req->argv, r->line, sizeof(r->line));
	r->close_at = req->close_at;
	if (req->data != NULL)
		text_of(req->data, *req->data_len, r->data);
	r->on_disk = on_disk();
	r->job = req->job;
	r->env = env;
	/* a device records what its close must undo before it acts */
	if (hook == FAKE_OPEN && strcmp(module, "dev") == 0 &&
	    req->data != NULL)
		*req->data_len = (uint16_t)snprintf((char *)req->data,
		    ACTION_DATA_MAX, "seq %llu", (unsigned long long)req->job);
	o = fk.next < fk.nscript ? fk.script[fk.next++] : fk.dflt;
	if (!o.later)
		fake_finish(i, o);	/* may record the engine's next request */
	return 0;
}

static bool
first_word(const struct cmd_argv *argv, const char *word)
{
	return argv->argc > 0 && strcmp(argv->argv[0], word) == 0;
}

static bool
set_claims(void *priv, const struct cmd_argv *argv)
{
	(void)priv;
	return first_word(argv, "set");
}

static int
set_verify(void *priv, const struct cmd_argv *open, const uint8_t *data,
    uint16_t data_len, char *why, size_t whylen)
{
	(void)priv;
	(void)data;
	(void)data_len;
	assert_true(first_word(open, "set"));
	assert_string_equal(open->argv[1], "add");
	fk.nverify++;
	if (fk.on_verify != NULL)
		fk.on_verify(fk.on_verify_arg);
	snprintf(why, whylen, "fake verdict %d", fk.verdict);
	return fk.verdict;
}

static bool
dev_claims(void *priv, const struct cmd_argv *argv)
{
	(void)priv;
	return first_word(argv, "dev");
}

static int
set_open(void *priv, struct action_env *env,
    const struct action_req *req)
{
	(void)priv;
	return record(FAKE_OPEN, "set", env, req);
}

static int
set_close(void *priv, struct action_env *env,
    const struct action_req *req)
{
	(void)priv;
	return record(FAKE_CLOSE, "set", env, req);
}

static int
dev_open(void *priv, struct action_env *env,
    const struct action_req *req)
{
	(void)priv;
	return record(FAKE_OPEN, "dev", env, req);
}

static int
dev_close(void *priv, struct action_env *env,
    const struct action_req *req)
{
	(void)priv;
	return record(FAKE_CLOSE, "dev", env, req);
}

static int
dev_refresh(void *priv, struct action_env *env,
    const struct action_req *req)
{
	(void)priv;
	return record(FAKE_REFRESH, "dev", env, req);
}

static void
dev_adopt(void *priv, const struct cmd_argv *close, const uint8_t *data,
    uint16_t data_len)
{
	(void)priv;
	(void)close;
	text_of(data, data_len, fk.adopted);
}

static int
cmd_open(void *priv, struct action_env *env,
    const struct action_req *req)
{
	(void)priv;
	return record(FAKE_OPEN, "cmd", env, req);
}

static int
cmd_close(void *priv, struct action_env *env,
    const struct action_req *req)
{
	(void)priv;
	return record(FAKE_CLOSE, "cmd", env, req);
}

static const struct action_ops fake_set = {
	.name = "set",
	.claims = set_claims,
	.open = set_open,
	.close = set_close,
	.verify = set_verify,
	.open_is_idempotent = true,
};

static const struct action_ops fake_dev = {
	.name = "dev",
	.claims = dev_claims,
	.open = dev_open,
	.close = dev_close,
	.refresh = dev_refresh,
	.close_pairs_open = true,
	.adopt = dev_adopt,
};

static const struct action_ops fake_cmd = {
	.name = "cmd",
	.open = cmd_open,
	.close = cmd_close,
};

static struct action_module fakes[] = {
	{ &fake_set, NULL, 0 }, { &fake_dev, NULL, 0 }, { &fake_cmd, NULL, 0 },
};

struct action_table fake_table = { fakes, 3 };
