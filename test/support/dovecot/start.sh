#!/usr/bin/env bash
# Starts (once) a Dovecot IMAP server for Haven's tests: 127.0.0.1:${HAVEN_TEST_IMAP_PORT:-10143}, plain IMAP
# with plaintext logins, test users from a passwd file, maildirs under a temporary base directory. Idempotent:
# if something already listens on the port it does nothing. Prints the TEST_IMAP_URL to use.
set -euo pipefail
port="${HAVEN_TEST_IMAP_PORT:-10143}"
base="${HAVEN_TEST_IMAP_DIR:-/tmp/haven-dovecot}"
password="haven-test-password"
here="$(cd "$(dirname "$0")" && pwd)"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! listening "$port"; then
  dovecot_bin="$(command -v dovecot || echo /usr/sbin/dovecot)"
  [ -x "$dovecot_bin" ] || { echo "dovecot is not installed (apt-get install dovecot-imapd)" >&2; exit 1; }
  mkdir -p "$base/run" "$base/state" "$base/mail"
  if [ "$(id -u)" = 0 ]; then
    # Dovecot will not open mail as root: the mail belongs to its own unprivileged user.
    mail_user=dovecot
    login_user=dovenull
    internal_user=dovecot
  else
    mail_user="$(id -un)"
    login_user="$mail_user"
    internal_user="$mail_user"
  fi
  uid="$(id -u "$mail_user")"
  gid="$(id -g "$mail_user")"
  chown -R "$uid:$gid" "$base/mail" 2>/dev/null || true
  : > "$base/users"
  for user in haven haven2; do
    echo "$user:{PLAIN}$password:$uid:$gid::$base/mail/$user" >> "$base/users"
  done
  sed -e "s#@BASE@#$base#g" -e "s#@PORT@#$port#g" -e "s#@UID@#$uid#g" \
    -e "s#@LOGIN_USER@#$login_user#g" -e "s#@INTERNAL_USER@#$internal_user#g" \
    "$here/dovecot.conf" > "$base/dovecot.conf"
  "$dovecot_bin" -c "$base/dovecot.conf"
  for _ in $(seq 1 40); do
    if listening "$port"; then break; fi
    sleep 0.25
  done
  listening "$port" || { echo "dovecot did not start; see $base/dovecot.log" >&2; exit 1; }
fi
echo "imap://haven:$password@127.0.0.1:$port"
