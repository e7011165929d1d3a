#!/bin/bash
# Installed as an admin installs it (issue 18, items 2 and 9).
#
# make install, from this build tree into DESTDIR=$WORK/root: the sample
# spagated.conf and access.conf (examples/sample) in the configuration
# directory, root's alone; the state directory 0700; the systemd unit in
# the directory configure found, naming the configured paths; access.conf's
# page as spagate-access.conf(5), none as access.conf(5) (PAM's).  A
# second install keeps an edited file, uninstall removes only the samples
# as they were installed.
#
# The Debian package, built from a copy of this source tree (never
# installed before the test: it refuses to run over one that is): lintian
# finds nothing; dpkg -i makes the verifier's user and the state directory,
# installs the unit neither enabled nor started, and the daemon refuses the
# sample's placeholder keys.  With keys written into /etc/spagate/access.
# conf, the installed /usr/sbin/spagated (not this tree's) grants the real
# fwknop client through the built-in firewall in a namespace: a TCP connect
# dropped before succeeds after; the installed spagate answers status
# --json with that grant's cycle, its bash completion and its QR code are
# there (zbarimg reads Fwknop2's key text).  dpkg --purge leaves none of the package's
# files, no /etc/spagate, no /var/lib/spagate; it keeps the _spagate user,
# as Debian keeps system users.  At exit, also when a check fails, the
# package is purged and the user removed: the machine is as before, and
# the next run sees the postinst make the user again (so neither the
# package, /etc/spagate, /var/lib/spagate nor _spagate may be there at
# the start: the test stops, touching nothing).
#
# In the plain pass only (Makefile.am, PACKAGE_TESTS): a package built
# with the sanitizers would prove nothing.  It builds once, without the
# unit tests (DEB_BUILD_OPTIONS=nocheck) or debug symbols, on one core:
# it runs beside the other tests, and a compile on every core starved
# sandbox.sh's flood of UDP packets (334 of 1300 granted in its 30 s).
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in make dpkg-buildpackage dh lintian nft adduser zbarimg python3; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
[ -x "$top_builddir/tests/tools/tcp_accept" ] || skip_all "tests/tools/tcp_accept is not built"

# make in the build tree, not as part of the make check running this
in_build() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" "$@"; }
# mkvar NAME: a variable of the build tree's Makefile, expanded
mkvar() { printf 'spa-print:\n\t@echo $(%s)\n' "$1" | in_build -f Makefile -f - spa-print; }
mode_of() { stat -c '%a %U' "$1" 2>/dev/null; }
# check_shown DESCRIPTION OUTPUT COMMAND...: check, with OUTPUT's last
# lines shown when it fails (the command writes OUTPUT itself)
check_shown() {
	local what=$1 out=$2
	shift 2
	if "$@"; then ok "$what"; else not_ok "$what"; diag "$(tail -n 15 "$out" 2>/dev/null)"; fi
}

R=$WORK/root
CONFDIR=$R$(mkvar sysconfdir)/spagate
STATEDIR=$R$(mkvar spa_state_dir)
SBINDIR=$(mkvar sbindir)
UNITDIR=$(mkvar systemdsystemunitdir)
MAN5=$R$(mkvar mandir)/man5

plan 28

# --- make install -------------------------------------------------------
install_to() { in_build install DESTDIR="$R" >"$WORK/$1" 2>&1; }
check_shown "make install DESTDIR=... installs" "$WORK/install.out" install_to install.out
samples_installed() {
	local f
	for f in spagated.conf access.conf; do
		cmp -s "$top_srcdir/examples/sample/$f" "$CONFDIR/$f" &&
			[ "$(mode_of "$CONFDIR/$f")" = "600 root" ] || return 1
	done
}
check "the sample spagated.conf and access.conf, root's alone (0600)" samples_installed
check "the state directory, root's alone (0700)" \
	[ "$(mode_of "$STATEDIR")" = "700 root" ]
unit_installed() {
	local u=$R$UNITDIR/spagated.service
	grep -qF "ExecStart=$SBINDIR/spagated -f -c $(mkvar sysconfdir)/spagate/spagated.conf " "$u"
}
if [ "$UNITDIR" = no ]; then
	check "configured without a unit directory: no unit installed" \
		[ -z "$(find "$R" -name spagated.service)" ]
else
	check "the unit in systemd's unit directory ($UNITDIR), with the configured paths" unit_installed
fi
check "access.conf's page is spagate-access.conf(5)" [ -f "$MAN5/spagate-access.conf.5" ]
check "... and no page named access.conf(5) is installed" \
	[ -z "$(find "$R" -name 'access.conf.5*')" ]
echo "KEY_BASE64 edited" >>"$CONFDIR/access.conf"
install_to install2.out
check "a second make install keeps an edited access.conf, and says so" eval \
	'grep -q "^KEY_BASE64 edited" "$CONFDIR/access.conf" &&
	grep -q "kept .*/access.conf" "$WORK/install2.out"'
in_build uninstall DESTDIR="$R" >"$WORK/uninstall.out" 2>&1
check "make uninstall removes the unedited sample, keeps the edited one, says so" eval \
	'[ ! -e "$CONFDIR/spagated.conf" ] && [ -e "$CONFDIR/access.conf" ] &&
	grep -q "left .*/access.conf" "$WORK/uninstall.out"'

# --- the Debian package ---------------------------------------------------
installed() { dpkg-query -W -f='${Status}' spagate 2>/dev/null | grep -q ' installed$'; }
installed && bail_out "the spagate package is installed on this host: not touching it"
for d in /etc/spagate /var/lib/spagate; do
	[ ! -e $d ] || bail_out "$d exists on this host (not the package's): not touching it"
done
# The user a purge keeps is removed at exit, for the next run to see the
# postinst make it: so it must not be here before
getent passwd _spagate >/dev/null &&
	bail_out "the user _spagate exists (an earlier purge kept it): deluser --system _spagate"
on_exit "getent passwd _spagate >/dev/null && deluser --system --quiet _spagate >/dev/null 2>&1; getent group _spagate >/dev/null && delgroup --system --quiet _spagate >/dev/null 2>&1"
# dpkg waits for nobody: retry while another dpkg or apt holds its lock
dpkg_run() {
	local i
	for i in $(seq 60); do
		DEBIAN_FRONTEND=noninteractive dpkg "$@" >"$WORK/dpkg.out" 2>&1 && return 0
		grep -q 'lock' "$WORK/dpkg.out" || return 1
		sleep 1
	done
	return 1
}
# At exit, also after a failure: nothing of the package left (neither
# directory was there before: checked above)
on_exit "installed && dpkg_run --purge spagate; rm -rf /etc/spagate /var/lib/spagate"

SRC=$WORK/pkg/spagate
mkdir -p "$SRC"
tar -C "$top_srcdir" --exclude=./.git --exclude='./_build*' \
	--exclude=./autom4te.cache --exclude=./debian/spagate \
	--exclude=./debian/.debhelper --exclude=./debian/files \
	--exclude='./config.status' --exclude='./config.log' -cf - . |
	tar -C "$SRC" -xf -
build_package() {
	(cd "$SRC" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=1" \
		dpkg-buildpackage -b -uc -us -Pnocheck) >"$WORK/build.out" 2>&1
}
t0=$SECONDS
check_shown "dpkg-buildpackage builds the package" "$WORK/build.out" build_package
diag "the package build took $((SECONDS - t0)) s"
DEB=$(ls "$WORK"/pkg/spagate_*.deb 2>/dev/null | head -n 1)
[ -n "$DEB" ] || bail_out "no .deb was built"
lintian_clean() {
	lintian --fail-on error,warning "$WORK"/pkg/spagate_*.changes >"$WORK/lintian.out" 2>&1 &&
		! grep -q '^[EW]:' "$WORK/lintian.out"
}
check_shown "lintian finds nothing (debian/spagate.lintian-overrides says why)" \
	"$WORK/lintian.out" lintian_clean
check_shown "dpkg -i installs it" "$WORK/dpkg.out" dpkg_run -i "$DEB"
dpkg -L spagate >"$WORK/files" 2>/dev/null

system_user() {
	local uid shell
	uid=$(getent passwd _spagate | cut -d: -f3)
	shell=$(getent passwd _spagate | cut -d: -f7)
	[ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$uid" -ne 0 ] &&
		[ "$shell" = /usr/sbin/nologin ]
}
check "the postinst made the verifier's system user _spagate (no login)" system_user
check "/var/lib/spagate is root's alone (0700); /etc/spagate/access.conf 0600" eval \
	'[ "$(mode_of /var/lib/spagate)" = "700 root" ] &&
	[ "$(mode_of /etc/spagate/access.conf)" = "600 root" ]'
not_enabled() {
	grep -q '^ExecStart=/usr/sbin/spagated -f -c /etc/spagate/spagated.conf ' \
		/lib/systemd/system/spagated.service &&
		[ -z "$(find /etc/systemd/system -name spagated.service 2>/dev/null)" ] &&
		{ [ ! -d /run/systemd/system ] || ! systemctl -q is-active spagated; }
}
check "the unit is installed (running /usr/sbin/spagated), neither enabled nor started" not_enabled
check "the installed daemon refuses the sample's placeholder keys" eval \
	'! /usr/sbin/spagated --exit-parse-config >"$WORK/parse.out" 2>&1 &&
	grep -q "access.conf:[0-9]*: KEY_BASE64: key is the placeholder __CHANGEME__" "$WORK/parse.out"'

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
sed -i -e "s|^KEY_BASE64 .*|KEY_BASE64          $K1|" \
	-e "s|^HMAC_KEY_BASE64 .*|HMAC_KEY_BASE64     $H1|" /etc/spagate/access.conf
tool_check() { /usr/bin/spagate check >"$WORK/check.out" 2>&1; }
check_shown "with keys written, spagate check accepts the installed files" \
	"$WORK/check.out" tool_check

netns_pair 185 || bail_out "cannot create network namespaces"
in_srv nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		meta mark & 0x5350 == 0x5350 accept
	}
}
NFT
start_tcp_accept 22
connects() {
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
check "tcp/22 is dropped before any SPA packet" eval '! connects "$SRV_IP" 22'
# The installed program, its installed verifier, the installed files
SPAGATED=/usr/sbin/spagated
touch "$WORK/log"
mark
start_spagated -p "$WORK/spagated.pid" || bail_out "the installed spagated did not start"
check "the installed verifier runs as _spagate in /var/lib/spagate/verifier" \
	wait_logged "verifier ready .*chroot /var/lib/spagate/verifier, uid [0-9]+ \\(_spagate\\)" 15
fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
	-A tcp/22 -a "$CLI_IP" -f 30 >/dev/null 2>&1
listed() { in_srv nft list set inet spagate allow4 2>/dev/null | grep -qF "$CLI_IP . tcp . 22"; }
check "the real client's packet is granted: the element is in spagated's set" wait_ok 5 listed
check "the TCP connect succeeds once granted" connects "$SRV_IP" 22
# The admin's tools as installed, on the installed daemon (items 3, 8, 10)
status_json() {
	/usr/bin/spagate status -p "$WORK/spagated.pid" --json >"$WORK/status.json" 2>&1 &&
		python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if any(sys.argv[2] in json.dumps(c) for c in d.get("cycles") or []) else 1)' \
		"$WORK/status.json" "$CLI_IP"
}
check_shown "spagate status --json answers for the installed daemon, its open cycle in it" \
	"$WORK/status.json" status_json
stop_spagated
tools_installed() {
	grep -qx /usr/share/bash-completion/completions/spagated "$WORK/files" &&
		grep -qx /usr/share/bash-completion/completions/spagate "$WORK/files" &&
		/usr/bin/spagate help >/dev/null 2>&1
}
check "bash completion for both programs is installed; spagate help answers" tools_installed
qr_reads() {
	/usr/bin/spagate keygen --qr-png "$WORK/key.png" >/dev/null 2>&1 &&
		zbarimg -q --raw "$WORK/key.png" 2>/dev/null |
		grep -Eq '^KEY_BASE64:[A-Za-z0-9+/=]+ HMAC_KEY_BASE64:[A-Za-z0-9+/=]+$'
}
check "spagate keygen --qr-png: zbarimg reads Fwknop2's key text from it" qr_reads

check_shown "dpkg --purge removes it" "$WORK/dpkg.out" dpkg_run --purge spagate
# dpkg -L's paths: every file gone, and every directory of spagate's own;
# the shared ones (/usr/bin, ...) stay
left_over() {
	local p
	while read -r p; do
		if [ -d "$p" ]; then	# a directory, or a link to one (/lib)
			case $p in *spagate*) echo "$p" ;; esac
		elif [ -e "$p" ] || [ -L "$p" ]; then
			echo "$p"
		fi
	done <"$WORK/files"
}
left_over >"$WORK/left"
check_shown "none of the package's files is left (dpkg -L before the purge)" \
	"$WORK/left" eval '[ -s "$WORK/files" ] && [ ! -s "$WORK/left" ]'
check "/etc/spagate and /var/lib/spagate are gone" \
	eval '[ ! -e /etc/spagate ] && [ ! -e /var/lib/spagate ]'
check "the unit is gone" [ ! -e /lib/systemd/system/spagated.service ]
user_kept() { getent passwd _spagate >/dev/null; }
check "the purge keeps the system user _spagate, as Debian keeps them (removed at exit)" \
	user_kept
diag "$SECONDS s in all"
finish
