/**
 * A throwaway single-node Slurm cluster on loopback for the job-script tests, from
 * Debian's munge, slurmctld and slurmd (no systemd): a munge key and socket of its own
 * in a temp dir, munged run as the munge user, slurm.conf naming this host at 127.0.0.1
 * on two free ports, the daemons in the foreground (-D) so their PIDs are ours to stop.
 * `startSlurm()` returns a reason instead when the daemons cannot run here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../qa/helpers/postgres.js';

export interface Cluster {
  dir: string;
  /** The environment for sbatch, squeue and the like (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  /** Runs a Slurm client command; throws with its stderr when it fails. */
  run(cmd: string, args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): string;
  /** Waits until no job is queued or running (false on timeout). */
  drained(timeoutMs: number): Promise<boolean>;
  /** The last lines of the daemons' logs, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

const NEEDED = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'setpriv'];

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops a child we started: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export async function startSlurm(): Promise<Cluster | { skip: string }> {
  const missing = NEEDED.filter((c) => !which(c));
  if (missing.length) return { skip: `no ${missing.join(', ')} (apt-get install slurmctld slurmd slurm-client munge; .ci/run does)` };
  if (process.getuid?.() !== 0) return { skip: 'slurmd must run as root to start jobs, and this test is not root' };
  const id = (flag: string) => spawnSync('id', [flag, 'munge'], { encoding: 'utf8' });
  const uid = id('-u'), gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return { skip: 'no munge user to run munged as' };
  const mungeUid = Number(uid.stdout.trim()), mungeGid = Number(gid.stdout.trim());

  const dir = mkdtempSync(join(tmpdir(), 'stereotax-slurm-'));
  chmodSync(dir, 0o755);
  // munged wants its socket directory executable by all and its key private to it.
  const sock = join(dir, 'munge'), keyDir = join(dir, 'munge-key');
  for (const [d, mode] of [[sock, 0o755], [keyDir, 0o700]] as const) {
    mkdirSync(d);
    chownSync(d, mungeUid, mungeGid);
    chmodSync(d, mode);
  }
  const key = join(keyDir, 'munge.key');
  writeFileSync(key, randomBytes(128), { mode: 0o600 });
  chownSync(key, mungeUid, mungeGid);
  for (const d of ['state', 'spool', 'log']) mkdirSync(join(dir, d));

  const children: ChildProcess[] = [];
  const start = (cmd: string, args: string[], log: string) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') } });
    let text = '';
    child.stderr!.on('data', (b: Buffer) => {
      text += b.toString();
      if (text.length > 20000) text = text.slice(-10000);
      writeFileSync(join(dir, 'log', log), text);
    });
    child.on('error', () => {});
    children.push(child);
    return child;
  };
  const host = hostname().split('.')[0];
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const socket = join(sock, 'munge.socket');
  const conf = [
    'ClusterName=stereotax-test',
    `SlurmctldHost=${host}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    // Bind to 127.0.0.1 (the node's and the controller's address), not to every interface.
    'CommunicationParameters=NoInAddrAny',
    'AuthType=auth/munge',
    `AuthInfo=socket=${socket}`,
    'CredType=cred/munge',
    'SlurmUser=root',
    'SlurmdUser=root',
    `StateSaveLocation=${join(dir, 'state')}`,
    `SlurmdSpoolDir=${join(dir, 'spool')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
    `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    // The default batch_sched_delay adds seconds to every scheduling round.
    'SchedulerParameters=batch_sched_delay=0',
    'MailProg=/bin/true',
    'ReturnToService=2',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU',
    `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${Math.max(1, (await import('node:os')).availableParallelism())} State=UNKNOWN`,
    `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
  ].join('\n') + '\n';
  writeFileSync(join(dir, 'slurm.conf'), conf);
  const env = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') };

  const cluster: Cluster = {
    dir,
    env,
    run(cmd, args, o = {}) {
      const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: o.cwd, env: { ...env, ...o.env }, timeout: 20_000 });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
      return r.stdout;
    },
    async drained(timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const r = spawnSync('squeue', ['-h', '-o', '%i'], { encoding: 'utf8', env, timeout: 5000 });
        if (r.status === 0 && r.stdout.trim() === '') return true;
        await sleep(300);
      }
      return false;
    },
    logs() {
      return [join(sock, 'munged.log'), ...['slurmctld.err', 'slurmd.err'].map((f) => join(dir, 'log', f))].map((p) => {
        const f = p.slice(dir.length + 1);
        return existsSync(p) ? `--- ${f}\n${readFileSync(p, 'utf8').split('\n').slice(-15).join('\n')}` : `--- ${f}: none`;
      }).join('\n');
    },
    async stop() {
      // Daemons first (slurmd, then the controller), munged last: each by its own PID.
      for (const child of [...children].reverse()) await stopChild(child, 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // setpriv execs munged itself, so the child's PID is munged's.
    start('setpriv', ['--reuid', String(mungeUid), '--regid', String(mungeGid), '--init-groups', 'munged', '-F',
      `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${join(sock, 'munged.pid')}`,
      `--seed-file=${join(sock, 'munged.seed')}`, `--log-file=${join(sock, 'munged.log')}`], 'munged.err');
    for (let i = 0; i < 50 && !existsSync(socket); i++) await sleep(100);
    if (!existsSync(socket)) throw new Error('munged did not open its socket');
    start('slurmctld', ['-D', '-f', join(dir, 'slurm.conf')], 'slurmctld.err');
    start('slurmd', ['-D', '-N', host, '-f', join(dir, 'slurm.conf')], 'slurmd.err');
    const end = Date.now() + 30_000;
    let state = '';
    while (Date.now() < end) {
      const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', env, timeout: 3000 });
      state = r.stdout?.trim() ?? '';
      if (state === 'idle') return cluster;
      if (children.some((c) => c.exitCode !== null)) break;
      await sleep(200);
    }
    throw new Error(`the node did not come up idle (sinfo: ${JSON.stringify(state)})`);
  } catch (err) {
    const logs = cluster.logs();
    await cluster.stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}
