import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The Dovecot IMAP server the email tests deliver to. CI starts it (`.ci/run` runs dovecot/start.sh and exports
 * TEST_IMAP_URL); locally it is started here when the binary is installed and nothing listens yet. Null when
 * there is no Dovecot outside CI: the caller skips, saying so. Under CI its absence is an error.
 */
export interface TestImap {
  host: string;
  port: number;
  /** Two users with their own mailboxes. */
  users: { username: string; password: string }[];
  /** Disconnects every session of a user (as a server restart would), when the config file is known. */
  kick(username: string): void;
}

const startScript = path.join(import.meta.dirname, 'dovecot', 'start.sh');
const baseDir = process.env.HAVEN_TEST_IMAP_DIR ?? '/tmp/haven-dovecot';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function dovecotInstalled(): boolean {
  return ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].some((p) => fs.existsSync(p));
}

export async function testImap(): Promise<TestImap | null> {
  let url = process.env.TEST_IMAP_URL;
  const inCi = Boolean(process.env.CI || process.env.TEST_IMAP_URL);
  if (!url) {
    if (!(await listening(10143))) {
      if (!dovecotInstalled()) {
        if (inCi) throw new Error('CI runs the IMAP tests: Dovecot must be installed and TEST_IMAP_URL set');
        return null;
      }
    }
    url = execFileSync('bash', [startScript], { encoding: 'utf8' }).trim().split('\n').pop()!;
  }
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  const conf = path.join(baseDir, 'dovecot.conf');
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 143),
    users: [
      { username: decodeURIComponent(parsed.username), password },
      { username: `${decodeURIComponent(parsed.username)}2`, password },
    ],
    kick(username) {
      execFileSync('doveadm', ['-c', conf, 'kick', username], { stdio: 'ignore' });
    },
  };
}
