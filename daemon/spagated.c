/*
 * spagated: the SPA gateway daemon.  Start-up order: command line →
 * spagated.conf → access.conf and the stanzas' commands → pid lock and
 * daemonize → executor (journal, open cycles restored) → verifier process
 * (capture, privilege drop, replay store) → event loop.  Everything that
 * can fail on a bad configuration fails before the daemon detaches, so
 * the admin sees why.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "cli.h"
#include "control_client.h"
#include "conf.h"
#include "err.h"
#include "executor.h"
#include "log.h"
#include "pidfile.h"
#include "status.h"

#define KILL_WAIT_MS	70000	/* covers the executor's grace with the
				   default command timeout: an open still
				   running, then its close */

struct daemon {
	struct cli_opts		 cli;
	struct executor		 x;
	int			 pid_fd;
	char			*pid_path;
};

static int
signal_daemon(const struct spa_conf *c, int sig)
{
	pid_t pid = pidfile_running(c->pid_file);
	int waited = 0;

	if (pid <= 0) {
		fprintf(stderr, "spagated is not running (no lock on %s)\n",
		    c->pid_file);
		return 1;
	}
	if (kill(pid, sig) != 0) {
		fprintf(stderr, "spagated: pid %ld: %s\n", (long)pid,
		    strerror(errno));
		return 1;
	}
	while (sig == SIGTERM && pidfile_running(c->pid_file) == pid &&
	    waited < KILL_WAIT_MS) {
		usleep(50 * 1000);
		waited += 50;
	}
	if (sig == SIGTERM && waited >= KILL_WAIT_MS) {
		fprintf(stderr, "spagated: pid %ld did not stop within %d s\n",
		    (long)pid, KILL_WAIT_MS / 1000);
		return 1;
	}
	printf("%s spagated (pid %ld)\n", sig == SIGTERM ? "stopped" :
	    "sent SIGHUP to", (long)pid);
	return 0;
}

static int
report_status(const struct spa_conf *c)
{
	struct status_opts o = {
		.pid_file = c->pid_file,
		.state_dir = c->state_dir,
		.metrics_file = c->metrics_file,
		.metrics_hint = STATUS_METRICS_HINT,
	};

	return status_report(&o, stdout);
}

static int
make_state_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_err("state directory %s", dir);
		return SPA_ERR_STATE;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_errx("state directory %s is not a directory", dir);
		return SPA_ERR_STATE;
	}
	if ((st.st_mode & 022) != 0) {
		log_errx("state directory %s is writable by group or others",
		    dir);
		return SPA_ERR_STATE;
	}
	return 0;
}

static int
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		return SPA_ERR_SYS;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") != 0)
		return SPA_ERR_SYS;
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return SPA_ERR_SYS;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

static int
take_pid_lock(struct daemon *d)
{
	pid_t running = 0;

	d->pid_fd = pidfile_lock(d->x.conf.pid_file, &running);
	if (d->pid_fd >= 0)
		return 0;
	if (running > 0)
		log_errx("spagated is already running (pid %ld, %s)",
		    (long)running, d->x.conf.pid_file);
	else
		log_err("pid file %s", d->x.conf.pid_file);
	return SPA_ERR_STATE;
}

static int
control_action(struct daemon *d)
{
	const struct spa_conf *c = &d->x.conf;

	switch (d->cli.action) {
	case CLI_KILL:
		return signal_daemon(c, SIGTERM);
	case CLI_RESTART:
		return signal_daemon(c, SIGHUP);
	case CLI_STATUS:
		return report_status(c);
	case CLI_FW_LIST:	/* fwknopd's names for spagate list, close */
		return control_list(c->state_dir, false, stdout);
	case CLI_FW_FLUSH:
		return control_close_cycles(c->state_dir, "close all", stdout);
	case CLI_DUMP_CONFIG:
		conf_dump(c, stdout);
		printf("\n");
		access_dump(d->x.access, stdout);
		return 0;
	case CLI_PARSE_CONFIG:
		return access_print_verdict(d->x.access, c->access_folder ?
		    c->access_folder : c->access_file, stdout);
	default:
		return -1;
	}
}

static void
log_start(struct daemon *d)
{
	const struct spa_conf *c = &d->x.conf;
	size_t n = d->x.access->n;

	log_info("spagated %s started: %zu stanza%s from %s, state in %s, "
	    "max packet age %u s%s", PACKAGE_VERSION, n, n == 1 ? "" : "s",
	    c->access_folder ? c->access_folder : c->access_file,
	    c->state_dir, c->max_packet_age, d->cli.test_mode ?
	    ", test mode: OPEN events are printed, nothing is run" : "");
}

static int
setup(struct daemon *d)
{
	int r;

	if ((r = make_state_dir(d->x.conf.state_dir)) != 0)
		return r;
	if (d->cli.pcap_file == NULL) {
		if ((r = take_pid_lock(d)) != 0)
			return r;
		if (!d->cli.foreground) {
			log_init(d->x.conf.syslog_ident, LOG_TO_SYSLOG,
			    d->x.conf.syslog_facility);
			if ((r = daemonize()) != 0)
				return r;
		}
		if (pidfile_write(d->pid_fd) != 0)
			return SPA_ERR_SYS;
	}
	return executor_setup(&d->x);
}

static void
teardown(struct daemon *d)
{
	executor_free(&d->x);
	if (d->pid_fd >= 0)
		pidfile_release(d->pid_path, d->pid_fd);
	free(d->pid_path);
}

int
main(int argc, char **argv)
{
	struct daemon d;
	int r;

	memset(&d, 0, sizeof(d));
	d.pid_fd = -1;
	d.x.loop.sigfd = -1;
	log_init("spagated", LOG_TO_STDERR, LOG_DAEMON);
	if (cli_parse(argc, argv, &d.cli) != 0)
		return 2;
	d.x.cli = &d.cli;
	if (d.cli.action == CLI_HELP) {
		cli_usage(stdout);
		return 0;
	}
	if (d.cli.action == CLI_VERSION) {
		printf("spagated %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (d.cli.action == CLI_KILL || d.cli.action == CLI_RESTART ||
	    d.cli.action == CLI_STATUS || d.cli.action == CLI_FW_LIST ||
	    d.cli.action == CLI_FW_FLUSH) {
		if (executor_load_conf(&d.cli, &d.x.conf) != 0)
			return 1;
		r = control_action(&d);
		conf_free(&d.x.conf);
		return r;
	}
	if (action_table_new(&d.x.modules) != 0 ||
	    executor_load(&d.cli, d.x.modules, &d.x.conf, &d.x.access,
	    &d.x.plan) != 0) {
		action_table_free(d.x.modules);
		return 1;
	}
	log_set_verbose(d.x.conf.verbose);
	d.pid_path = strdup(d.x.conf.pid_file);
	if (d.cli.action != CLI_RUN)
		r = control_action(&d);
	else if (setup(&d) == 0) {
		log_start(&d);
		r = executor_run(&d.x);
	} else
		r = 1;
	teardown(&d);
	return r;
}
