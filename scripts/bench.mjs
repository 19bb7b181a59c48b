#!/usr/bin/env node
// Gateway benchmark (`npm run bench`, after `npm run build`). Loopback only, ~4 minutes.
//
// Targets, each ONE process, pinned with the upstream to core 1 (load generator on core 0):
//   bare     node:http + undici Pool proxy (the floor for a Node proxy)
//   fastify  @fastify/http-proxy, no plugins
//   gateway  apps/gateway (full pipeline: route, key, Redis rate limit + quota, proxy, metering to
//            BullMQ, access log) with a real key in a temporary database
// Correctness first (same body byte for byte with the key; 401 without), then alternating rounds
// (A B C, C B A, …) with wrk (autocannon when wrk is absent), reporting medians of req/s, p50,
// p99 and CPU µs per request of the target process (/proc/<pid>/stat), ratios gateway/bare and
// gateway/fastify, and the p99 latency each proxy adds over the bare upstream at half the
// gateway's peak rate. See docs/benchmarking.md for why CPU per request is the steadier figure.
//
// Env: BENCH_ROUND_S (3), BENCH_ROUNDS (10), BENCH_LATENCY_ROUNDS (5), BENCH_CONNECTIONS (50), BENCH_PORT_BASE
// (18100), DATABASE_URL, REDIS_URL;
// many short alternating rounds: on a shared machine the speed drifts over tens of seconds, and a
// median over ten interleaved rounds moved far less between runs than one over four long ones.
// BENCH_HOLD=1 starts the targets, checks them and keeps them up for profiling by hand (Ctrl-C);
// BENCH_STDOUT_INHERIT=1 shows the gateways' stdout (their access log, or V8's --trace-gc lines).
// A second gateway for an A/B in the same run: BENCH_GATEWAY_B_ENV, BENCH_GATEWAY_B_NODE_ARGS,
// BENCH_GATEWAY_B_MAIN (see below); BENCH_B_LIMITS="1000000000/second,1000000000/hour,1000000000/day"
// gives gateway-b its own app on a plan with those stacked limits (gateway keeps one limit);
// BENCH_GATEWAY_B_UNPINNED=1 lets it use every core (GATEWAY_WORKERS). CPU per request counts
// each target's whole process tree (a gateway primary and its workers).
//
// `node scripts/bench.mjs cluster` (npm run bench:cluster): the gateway on one Redis against the same
// gateway on a real 6-node Redis Cluster (3 masters + 3 replicas, started here with the tests'
// harness, REDIS_CLUSTER_NODES), both one process on core 1: CPU per request cluster/single.
// `node scripts/bench.mjs workers` (npm run bench:workers): GATEWAY_WORKERS=1 against
// GATEWAY_WORKERS=2 (the primary and both workers counted), both on core 1 unless
// BENCH_WORKERS_UNPINNED=1: CPU per request 2/1. Both modes skip bare/fastify and, unless
// BENCH_LATENCY_ROUNDS is set, the latency part; the other BENCH_* settings apply.
//
// `node scripts/bench.mjs memory` (npm run bench:memory): Redis memory one app's limit keys and
// quota counter use after BENCH_MEMORY_S (60) seconds of admissions as fast as one connection
// takes them, for 100/minute, 10,000/hour and 1,000,000/hour.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteRedisPrefix } from './lib/infra.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const self = fileURLToPath(import.meta.url);
const BODY = JSON.stringify({
  id: 42,
  name: 'benchmark',
  tags: ['a', 'b', 'c'],
  price: '19.99',
  text: 'x'.repeat(110),
});

// ---------------------------------------------------------------- child roles
const role = process.argv[2] === '--serve' ? process.argv[3] : null;
if (role) {
  await serve(role, Number(process.argv[4]), process.argv[5]);
} else if (process.argv[2] === '--fixed-rate') {
  await fixedRateClient(JSON.parse(process.argv[3]));
} else if (process.argv[2] === 'memory') {
  await memory();
} else if (process.argv[2] === 'cluster' || process.argv[2] === 'workers') {
  await main(process.argv[2]);
} else {
  await main('proxies');
}

/**
 * Open-loop load at a fixed rate with µs timing (autocannon reports whole milliseconds): requests
 * are issued on a schedule whatever the answers (undici queues them when all connections are
 * busy), so a stall of the target is not hidden (no coordinated omission). Latency runs from the
 * moment the request is issued to its response: the timer that issues them fires about once a
 * millisecond, and counting from the ideal schedule instead would add that client-side lag (up to
 * 1 ms) to every figure, the upstream's own included. The first two seconds (of five) are load but
 * not measured: they are this fresh client's own JIT warm-up and connection set-up. Per 250 ms
 * of issue time, its first ~second showed 100–175 ms latencies against any target while it caught
 * up with its schedule, and when that ran past a one-second cut it put 40–370 ms into one round's
 * p99 (the bare proxy's, fastify's and the gateway's alike).
 * Prints JSON {requests, errors, p50, p99} in ms.
 */
async function fixedRateClient({ url, headers, rate, seconds, connections }) {
  const { Pool } = require('undici');
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections, pipelining: 1 });
  const path = u.pathname + u.search;
  const lat = [];
  let errors = 0;
  let inFlight = 0;
  const start = performance.now();
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const measureFrom = start + Math.min(2000, (seconds * 1000 * 2) / 5);
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        const measured = start + sent * interval >= measureFrom;
        sent++;
        inFlight++;
        const issued = performance.now();
        pool
          .request({ path, method: 'GET', headers })
          .then(
            async (r) => {
              if (measured) lat.push(performance.now() - issued);
              if (r.statusCode !== 200) errors++;
              await r.body.dump();
            },
            () => errors++,
          )
          .finally(() => {
            inFlight--;
            if (sent >= total && inFlight === 0) resolve();
          });
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  await pool.close();
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  process.stdout.write(JSON.stringify({ requests: sent, errors, p50: q(0.5), p99: q(0.99) }));
}

async function serve(kind, port, upstream) {
  if (kind === 'upstream') {
    process.on('SIGTERM', () => process.exit(0));
    http
      .createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
          res.end(BODY);
        });
      })
      .listen(port, '127.0.0.1');
    return;
  }
  process.on('SIGTERM', () => process.exit(0));
  if (kind === 'bare') {
    const { Pool } = require('undici');
    const pool = new Pool(upstream, { connections: 256, pipelining: 1 });
    const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);
    http
      .createServer((req, res) => {
        const headers = {};
        for (const k in req.headers) if (!HOP.has(k)) headers[k] = req.headers[k];
        const hasBody = req.headers['content-length'] > 0 || req.headers['transfer-encoding'];
        pool.request({ path: req.url, method: req.method, headers, body: hasBody ? req : null }).then(
          (r) => {
            const out = {};
            for (const k in r.headers) if (!HOP.has(k)) out[k] = r.headers[k];
            res.writeHead(r.statusCode, out);
            r.body.pipe(res);
          },
          () => res.writeHead(502).end(),
        );
      })
      .listen(port, '127.0.0.1');
    return;
  }
  if (kind === 'fastify') {
    const Fastify = require('fastify');
    const app = Fastify({ logger: false });
    await app.register(require('@fastify/http-proxy'), { upstream, prefix: '/bench', rewritePrefix: '' });
    await app.listen({ port, host: '127.0.0.1' });
    return;
  }
  throw new Error(`unknown role ${kind}`);
}

// ---------------------------------------------------------------- orchestration
/** mode: 'proxies' (bare, fastify, gateway[, gateway-b]), 'cluster' or 'workers' (two gateways, see the top). */
async function main(mode) {
  const started = Date.now();
  const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 3);
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
  const LATENCY_ROUNDS = Number(process.env.BENCH_LATENCY_ROUNDS ?? (mode === 'proxies' ? 5 : 0));
  const CONNS = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const hasWrk = spawnSync('which', ['wrk']).status === 0;
  const hasTaskset = spawnSync('which', ['taskset']).status === 0;
  const clkTck = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);
  const pin = (core, cmd, args) => (hasTaskset ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

  for (const f of ['apps/gateway/dist/src/main.js', 'libs/testing/dist/src/index.js', 'libs/keys/dist/src/index.js']) {
    try {
      readFileSync(join(root, f));
    } catch {
      console.error(`missing ${f}: run \`npm run build\` first`);
      process.exit(1);
    }
  }
  const { createTestDatabase, testRedisPrefix } = require('@apim/testing');
  const { generateKey } = require('@apim/keys');
  const pg = require('pg');

  const children = [];
  const cleanups = [];
  const cleanup = async () => {
    // SIGTERM first (the gateway flushes; --cpu-prof writes its profile), SIGKILL after 5 s.
    await Promise.all(
      children.map((c) => {
        if (c.exitCode !== null) return undefined;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        return Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]).then(
          () => c.exitCode === null && c.kill('SIGKILL'),
        );
      }),
    );
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  // Ctrl-C or a plain `kill`: stop the targets and drop the temporary database and Redis keys either way.
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));

  try {
    // Temporary database + Redis prefix, exactly as the tests create them.
    const db = await createTestDatabase('bench');
    cleanups.push(() => db.drop());
    const prefix = testRedisPrefix('bench');
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    cleanups.push(() => deleteRedisPrefix(redisUrl, prefix));

    // BENCH_PORT_BASE (18100): the upstream takes base+1, bare +2, fastify +3, the gateways +4 and +5 (admin +14, +15).
    const base = Number(process.env.BENCH_PORT_BASE ?? 18_100);
    const ports = { upstream: base + 1, bare: base + 2, fastify: base + 3, gateway: base + 4 };
    const upstreamUrl = `http://127.0.0.1:${ports.upstream}`;
    const secret = 'bench-key-hash-secret-0123456789';
    const k = generateKey(secret);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const one = async (sql, args) => (await c.query(sql, args)).rows[0]?.id;
    const consumer = await one(`INSERT INTO consumers (name) VALUES ('bench') RETURNING id`);
    // A limit far beyond what one machine can send: the script runs on every request, never trips.
    const plan = await one(
      `INSERT INTO plans (name, slug, rate_limit_requests, rate_limit_per) VALUES ('bench', 'bench', 1000000000, 'second') RETURNING id`,
    );
    const api = await one(
      `INSERT INTO apis (name, slug, upstream_url, route_path) VALUES ('bench', 'bench', $1, '/bench') RETURNING id`,
      [upstreamUrl],
    );
    await c.query(`INSERT INTO plan_apis (plan_id, api_id) VALUES ($1, $2)`, [plan, api]);
    const app = await one(`INSERT INTO apps (consumer_id, name, plan_id) VALUES ($1, 'bench', $2) RETURNING id`, [
      consumer,
      plan,
    ]);
    await c.query(`INSERT INTO api_keys (app_id, prefix, hash) VALUES ($1, $2, $3)`, [app, k.prefix, k.hash]);
    // gateway-b's own app on a plan of stacked limits (BENCH_B_LIMITS), e.g. 3 limits against the gateway's 1.
    let keyB = k;
    if (process.env.BENCH_B_LIMITS) {
      const limits = process.env.BENCH_B_LIMITS.split(',').map((x) => {
        const [requests, per] = x.split('/');
        return { requests: Number(requests), per };
      });
      const planB = await one(
        `INSERT INTO plans (name, slug, rate_limit_requests, rate_limit_per, rate_limits) VALUES ('bench-b', 'bench-b', $1, $2, $3) RETURNING id`,
        [limits[0].requests, limits[0].per, JSON.stringify(limits)],
      );
      await c.query(`INSERT INTO plan_apis (plan_id, api_id) VALUES ($1, $2)`, [planB, api]);
      const appB = await one(`INSERT INTO apps (consumer_id, name, plan_id) VALUES ($1, 'bench-b', $2) RETURNING id`, [
        consumer,
        planB,
      ]);
      keyB = generateKey(secret);
      await c.query(`INSERT INTO api_keys (app_id, prefix, hash) VALUES ($1, $2, $3)`, [appB, keyB.prefix, keyB.hash]);
      console.log(
        `gateway-b: its own app on a plan of ${limits.length} stacked limits (${process.env.BENCH_B_LIMITS})`,
      );
    }
    await c.end();

    const start = (name, cmd, args, env = {}, pinned = true) => {
      const [bin, argv] = pinned ? pin(1, cmd, args) : [cmd, args];
      const child = spawn(bin, argv, {
        env: { ...process.env, ...env },
        stdio: [
          'ignore',
          process.env.BENCH_STDOUT_INHERIT && name.startsWith('gateway') ? 'inherit' : 'ignore',
          'inherit',
        ],
      });
      children.push(child);
      return { name, child };
    };
    function gatewayTarget(
      name,
      port,
      extraEnv,
      nodeArgs,
      main = join(root, 'apps/gateway/dist/src/main.js'),
      key = k,
      pinned = true,
    ) {
      return {
        // BENCH_GATEWAY_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", for profiling.
        ...start(
          name,
          process.execPath,
          [...(nodeArgs ?? '').split(' ').filter(Boolean), main],
          {
            NODE_ENV: 'production',
            LOG_LEVEL: 'info',
            GATEWAY_PORT: String(port),
            GATEWAY_HOST: '127.0.0.1',
            GATEWAY_ID: name,
            // Metrics live on the admin listener: its own port per gateway (base + 14, + 15), clear of the others.
            GATEWAY_ADMIN_PORT: String(port + 10),
            DATABASE_URL: db.url,
            REDIS_URL: redisUrl,
            REDIS_PREFIX: prefix,
            KEY_HASH_SECRET: secret,
            GATEWAY_WORKERS: '1',
            // No load balancer to drain for: stop at once (and in time for --cpu-prof to write its profile).
            GATEWAY_DRAIN_MS: '0',
            // e.g. BENCH_GATEWAY_ENV="LOG_LEVEL=warn,USAGE_BATCH_SIZE=1000" to try settings (or an object).
            ...(typeof extraEnv === 'object'
              ? extraEnv
              : Object.fromEntries(
                  (extraEnv ?? '')
                    .split(',')
                    .filter(Boolean)
                    .map((kv) => kv.split('=')),
                )),
          },
          pinned,
        ),
        url: `http://127.0.0.1:${port}/bench/hello`,
        headers: { 'x-api-key': key.key },
        // A build from before the admin port (v1, e.g. as gateway-b) answers readiness on its own port.
        admin: [`http://127.0.0.1:${port + 10}/readyz`, `http://127.0.0.1:${port}/_gateway/readyz`],
      };
    }
    // With taskset the child's pid is the target itself (taskset execs), so /proc/<pid>/stat is the target's.
    start('upstream', process.execPath, [self, '--serve', 'upstream', String(ports.upstream)]);
    const envOf = (v) =>
      Object.fromEntries(
        (v ?? '')
          .split(',')
          .filter(Boolean)
          .map((kv) => kv.split('=')),
      );
    let compare = null;
    let targets;
    if (mode === 'cluster') {
      const { startRedisCluster, clusterUnavailable, PrivateRedis } = require('@apim/testing');
      const why = clusterUnavailable();
      if (why) throw new Error(`bench:cluster needs redis-server and redis-cli: ${why}`);
      const cluster = await startRedisCluster();
      cleanups.push(() => cluster.stop());
      // The single node is a fresh redis-server of the bench's own too, not the shared one: same
      // binary, same settings, nothing else using it.
      const single = await new PrivateRedis().start();
      cleanups.push(() => single.kill());
      console.log(`Redis Cluster: 3 masters + 3 replicas on ${cluster.nodes}; single node on ${single.url}`);
      targets = [
        gatewayTarget(
          'gateway',
          ports.gateway,
          { ...envOf(process.env.BENCH_GATEWAY_ENV), REDIS_URL: single.url },
          process.env.BENCH_GATEWAY_NODE_ARGS,
        ),
        gatewayTarget(
          'gw-cluster',
          ports.gateway + 1,
          {
            ...envOf(process.env.BENCH_GATEWAY_ENV),
            REDIS_URL: 'redis://127.0.0.1:1',
            REDIS_CLUSTER_NODES: cluster.nodes,
          },
          process.env.BENCH_GATEWAY_NODE_ARGS,
        ),
      ];
      compare = { a: 'gateway', b: 'gw-cluster', what: 'Redis Cluster vs single node', within: 0.15 };
    } else if (mode === 'workers') {
      const pinned = !process.env.BENCH_WORKERS_UNPINNED;
      targets = [
        gatewayTarget(
          'gateway',
          ports.gateway,
          process.env.BENCH_GATEWAY_ENV,
          process.env.BENCH_GATEWAY_NODE_ARGS,
          undefined,
          k,
          pinned,
        ),
        gatewayTarget(
          'gw-2-workers',
          ports.gateway + 1,
          { ...envOf(process.env.BENCH_GATEWAY_ENV), GATEWAY_WORKERS: '2' },
          process.env.BENCH_GATEWAY_NODE_ARGS,
          undefined,
          k,
          pinned,
        ),
      ];
      compare = { a: 'gateway', b: 'gw-2-workers', what: 'GATEWAY_WORKERS=2 vs 1', within: 0.1 };
    } else
      targets = [
        {
          ...start('bare', process.execPath, [self, '--serve', 'bare', String(ports.bare), upstreamUrl]),
          url: `http://127.0.0.1:${ports.bare}/hello`,
        },
        {
          ...start('fastify', process.execPath, [self, '--serve', 'fastify', String(ports.fastify), upstreamUrl]),
          url: `http://127.0.0.1:${ports.fastify}/bench/hello`,
        },
        gatewayTarget('gateway', ports.gateway, process.env.BENCH_GATEWAY_ENV, process.env.BENCH_GATEWAY_NODE_ARGS),
        // A second gateway with other settings, node flags or build, for an A/B in one run:
        // BENCH_GATEWAY_B_ENV="RATE_LIMIT_COALESCE=false", BENCH_GATEWAY_B_NODE_ARGS="--max-semi-space-size=8",
        // BENCH_GATEWAY_B_MAIN=/path/to/another/checkout/apps/gateway/dist/src/main.js (e.g. the previous commit's build).
        ...(process.env.BENCH_GATEWAY_B_ENV ||
        process.env.BENCH_GATEWAY_B_NODE_ARGS ||
        process.env.BENCH_GATEWAY_B_MAIN ||
        process.env.BENCH_B_LIMITS
          ? [
              gatewayTarget(
                'gateway-b',
                ports.gateway + 1,
                process.env.BENCH_GATEWAY_B_ENV,
                process.env.BENCH_GATEWAY_B_NODE_ARGS,
                process.env.BENCH_GATEWAY_B_MAIN || undefined,
                keyB,
                !process.env.BENCH_GATEWAY_B_UNPINNED,
              ),
            ]
          : []),
      ];
    // The admin port's readyz: with GATEWAY_WORKERS > 1 it is 200 only once every worker is ready.
    for (const t of targets.filter((x) => x.name.startsWith('gateway'))) await waitFor(t.admin, 200);
    for (const t of targets.slice(0, 2)) await waitFor(t.url, 200);
    await waitFor(`${upstreamUrl}/`, 200);

    // Correctness before speed.
    const direct = await get(`${upstreamUrl}/hello`);
    for (const t of targets) {
      const r = await get(t.url, t.headers);
      if (r.status !== 200 || !r.body.equals(direct.body))
        throw new Error(`${t.name}: body differs from the upstream's (${r.status})`);
    }
    const noKey = await get(targets.find((t) => t.name === 'gateway').url);
    if (noKey.status !== 401) throw new Error(`gateway without key answered ${noKey.status}, expected 401`);
    console.log(
      `correctness: all ${targets.length} return the upstream body byte for byte (${direct.body.length} B); gateway without key → 401`,
    );
    if (process.env.BENCH_HOLD) {
      // Keep the targets up for manual profiling (perf, strace, wrk by hand) until Ctrl-C.
      for (const t of targets)
        console.log(
          `hold: ${t.name} pid ${t.child.pid} ${t.url}${t.headers ? ` -H 'x-api-key: ${t.headers['x-api-key']}'` : ''}`,
        );
      console.log(`hold: upstream pid ${children[0].pid} ${upstreamUrl}/hello`);
      await new Promise(() => undefined);
    }
    console.log(
      `load generator: ${hasWrk ? 'wrk' : 'autocannon'}${hasTaskset ? ', pinned to core 0; targets + upstream on core 1' : ' (no taskset: unpinned)'}; ${CONNS} connections`,
    );

    // utime + stime (fields 14, 15) of the target and every process below it (a primary's workers).
    const cpuTicks = (pid) => {
      const procs = [];
      for (const d of readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
          const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
          procs.push({ pid: Number(d), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
        } catch {
          // gone meanwhile
        }
      }
      const tree = new Set([pid]);
      for (let grew = true; grew;) {
        grew = false;
        for (const p of procs)
          if (!tree.has(p.pid) && tree.has(p.ppid)) {
            tree.add(p.pid);
            grew = true;
          }
      }
      return procs.filter((p) => tree.has(p.pid)).reduce((a, p) => a + p.ticks, 0);
    };
    const run = async (t, seconds, rate) => {
      const before = cpuTicks(t.child.pid);
      const r = rate
        ? fixedRate(t, seconds, rate, pin)
        : hasWrk
          ? await wrk(t, seconds, CONNS, pin)
          : await autocannon(t, seconds, CONNS, 0, pin);
      const cpuUs = ((cpuTicks(t.child.pid) - before) / clkTck) * 1e6;
      return { ...r, cpuUsPerReq: r.requests ? cpuUs / r.requests : NaN };
    };

    // Five seconds each: with three, the gateway's first measured round (more code for V8 to tier
    // up than a bare proxy's) was repeatedly its slowest of the run.
    console.log('warm-up: 5 s per target');
    for (const t of targets) await run(t, 5);

    const results = Object.fromEntries(targets.map((t) => [t.name, []]));
    const W = Math.max(9, ...targets.map((t) => t.name.length));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const r = await run(t, ROUND_S);
        results[t.name].push(r);
        console.log(
          `  round ${round + 1} ${t.name.padEnd(W)} ${fmt(r.rps, 0).padStart(7)} req/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms  ${fmt(r.cpuUsPerReq, 0)} µs CPU/req${r.errors ? `  ${r.errors} errors/non-2xx` : ''}`,
        );
      }
    }
    const med = (name, field) => median(results[name].map((r) => r[field]));
    console.log('\nmedians');
    console.log(`${'target'.padEnd(W)}  req/s  p50 ms  p99 ms  CPU µs/req`);
    for (const t of targets) {
      console.log(
        `${t.name.padEnd(W)}${fmt(med(t.name, 'rps'), 0).padStart(7)}  ${fmt(med(t.name, 'p50')).padStart(6)}  ${fmt(med(t.name, 'p99')).padStart(6)}  ${fmt(med(t.name, 'cpuUsPerReq'), 0).padStart(6)}`,
      );
    }
    const ratio = (a, b, f) => med(a, f) / med(b, f);
    if (compare) {
      const cpu = ratio(compare.b, compare.a, 'cpuUsPerReq');
      // Per round too: each b round against the a round run next to it (the order alternates).
      const paired = results[compare.b].map((r, i) => r.cpuUsPerReq / results[compare.a][i].cpuUsPerReq);
      console.log(
        `\n${compare.what}: ${compare.b}/${compare.a} req/s ${fmt(ratio(compare.b, compare.a, 'rps'))}, CPU/req ${fmt(cpu)} (paired rounds: median ${fmt(median(paired))}, ${paired.map((x) => fmt(x)).join(' ')})`,
      );
      console.log(
        `target: CPU per request within ${Math.round(compare.within * 100)} % → ${Math.abs(cpu - 1) <= compare.within ? 'met' : 'NOT met'} in this run (${fmt((cpu - 1) * 100, 1)} %)`,
      );
    } else {
      console.log(
        `\nratios  gateway/bare: req/s ${fmt(ratio('gateway', 'bare', 'rps'))}, CPU/req ${fmt(ratio('gateway', 'bare', 'cpuUsPerReq'))}`,
      );
      console.log(
        `        gateway/fastify: req/s ${fmt(ratio('gateway', 'fastify', 'rps'))}, CPU/req ${fmt(ratio('gateway', 'fastify', 'cpuUsPerReq'))}`,
      );
    }
    if (results['gateway-b'])
      console.log(
        `        gateway-b/gateway: req/s ${fmt(ratio('gateway-b', 'gateway', 'rps'))}, CPU/req ${fmt(ratio('gateway-b', 'gateway', 'cpuUsPerReq'))}`,
      );

    // Added latency at half of the gateway's peak: same fixed rate through each proxy and straight to the upstream.
    if (LATENCY_ROUNDS > 0) await latency();
    console.log(`\ndone in ${Math.round((Date.now() - started) / 1000)} s`);
    return;

    async function latency() {
      const rate = Math.max(100, Math.round(med('gateway', 'rps') / 2));
      const LAT_S = 5;
      console.log(
        `\nadded latency at ${rate} req/s (half the gateway's median peak): open-loop fixed rate, µs timing, ${LATENCY_ROUNDS} rounds of ${LAT_S} s straight to the upstream then ${LAT_S} s through each proxy; medians`,
      );
      const upstreamTarget = { name: 'upstream', child: children[0], url: `${upstreamUrl}/hello` };
      // Each proxied run is compared with a direct run taken just before it, on the same machine state.
      const lat = Object.fromEntries(targets.map((t) => [t.name, []]));
      for (let round = 0; round < LATENCY_ROUNDS; round++) {
        for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
          const base = await run(upstreamTarget, LAT_S, rate);
          const r = await run(t, LAT_S, rate);
          lat[t.name].push({
            p50: r.p50,
            p99: r.p99,
            base50: base.p50,
            base99: base.p99,
            add50: r.p50 - base.p50,
            add99: r.p99 - base.p99,
            errors: r.errors,
            cpu: r.cpuUsPerReq,
          });
        }
      }
      for (const t of targets) {
        const m = (f) => median(lat[t.name].map((x) => x[f]));
        const errors = lat[t.name].reduce((a, x) => a + x.errors, 0);
        console.log(
          `  ${t.name.padEnd(W)} p50 ${fmt(m('p50'))} ms  p99 ${fmt(m('p99'))} ms  (upstream direct p50 ${fmt(m('base50'))}, p99 ${fmt(m('base99'))})  → added p50 ${fmt(m('add50'))} ms, p99 ${fmt(m('add99'))} ms  [p99 added per round: ${lat[t.name].map((x) => fmt(x.add99)).join(', ')}]${errors ? `  ${errors} errors` : ''}`,
        );
      }
    }
  } finally {
    await cleanup();
  }
}

// ---------------------------------------------------------------- Redis memory per app
/**
 * Redis memory one app's limits use (MEMORY USAGE summed over its keys: the limit keys and the
 * quota counter) after BENCH_MEMORY_S seconds of admissions as fast as the limiter takes them, per
 * limit size: the exact log below EXACT_LOG_MAX grows with the limit, the bucketed window above it
 * stays under 4 KB (docs/api-contract.md, "Bounded memory").
 */
async function memory() {
  const seconds = Number(process.env.BENCH_MEMORY_S ?? 60);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { testRedisPrefix } = require('@apim/testing');
  const { QuotaCounter, RateLimiter, RedisScriptConnection } = require('@apim/ratelimit');
  const { redisKeys } = require('@apim/contracts');
  const Redis = require('ioredis');
  const prefix = testRedisPrefix('bench-memory');
  const redis = new Redis(redisUrl);
  const conn = new RedisScriptConnection({ url: redisUrl, commandTimeoutMs: 2_000, coalesce: true });
  const limiter = new RateLimiter(conn, { coalesce: true });
  for (let i = 0; conn.status !== 'ready'; i++) {
    if (i > 100) throw new Error(`Redis at ${redisUrl}: ${conn.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const cases = [
    { requests: 100, per: 'minute' },
    { requests: 10_000, per: 'hour' },
    { requests: 1_000_000, per: 'hour' },
  ];
  console.log(`Redis memory per app after ${seconds} s of admissions at full speed (one connection, 256 in flight)`);
  try {
    for (const [i, limit] of cases.entries()) {
      const appId = `00000000-0000-4000-8000-00000000000${i}`;
      const keys = {
        rateLimit: redisKeys.rateLimit(prefix, appId),
        quota: QuotaCounter.base(prefix, appId),
        anchorDay: 1,
      };
      const policy = { requests: limit.requests, per: limit.per, monthlyQuota: 1_000_000_000 };
      const until = Date.now() + seconds * 1000;
      let seq = 0;
      let admitted = 0;
      const worker = async () => {
        while (Date.now() < until) {
          const d = await limiter.admit(keys, policy, `m${(seq++).toString(36)}`, new Date());
          if (d.verdict === 'allowed') admitted++;
        }
      };
      await Promise.all(Array.from({ length: 256 }, worker));
      let bytes = 0;
      let n = 0;
      for (const key of await redis.keys(`${prefix}*${appId}*`)) {
        bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
        n++;
      }
      console.log(
        `  ${String(limit.requests).padStart(9)}/${limit.per.padEnd(6)}  ${String(seq).padStart(9)} calls, ${String(admitted).padStart(9)} admitted  → ${n} keys, ${fmt(bytes / 1024, 1)} KB`,
      );
    }
  } finally {
    for (const key of await redis.keys(`${prefix}*`)) await redis.del(key);
    await conn.close();
    redis.disconnect();
  }
}

// ---------------------------------------------------------------- load generators
function fixedRate(t, seconds, rate, pin) {
  const [bin, argv] = pin(0, process.execPath, [
    self,
    '--fixed-rate',
    JSON.stringify({ url: t.url, headers: t.headers ?? {}, rate, seconds, connections: 32 }),
  ]);
  const j = JSON.parse(execFileSync(bin, argv, { encoding: 'utf8' }));
  return { rps: j.requests / seconds, p50: j.p50, p99: j.p99, requests: j.requests, errors: j.errors };
}

function wrk(t, seconds, conns, pin) {
  const args = ['-t1', `-c${conns}`, `-d${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(t.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(t.url);
  const [bin, argv] = pin(0, 'wrk', args);
  const out = execFileSync(bin, argv, { encoding: 'utf8' });
  const num = (re) => Number(re.exec(out)?.[1] ?? NaN);
  const ms = (label) => {
    const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
  };
  const requests = num(/(\d+) requests in/);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/) || 0;
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, v) => a + Number(v), 0) : 0);
  return Promise.resolve({ rps: num(/Requests\/sec:\s+([\d.]+)/), p50: ms('50'), p99: ms('99'), requests, errors });
}

function autocannon(t, seconds, conns, rate, pin) {
  const args = [join(root, 'node_modules/autocannon/autocannon.js'), '-j', '-c', String(conns), '-d', String(seconds)];
  if (rate) args.push('-R', String(rate));
  for (const [k, v] of Object.entries(t.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(t.url);
  const [bin, argv] = pin(0, process.execPath, args);
  const out = execFileSync(bin, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const j = JSON.parse(out);
  return Promise.resolve({
    rps: j.requests.average,
    p50: j.latency.p50,
    p99: j.latency.p99,
    requests: j.requests.total,
    errors: (j.errors ?? 0) + (j.non2xx ?? 0),
  });
}

// ---------------------------------------------------------------- helpers
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/** Waits until `url` (or, given a list, the first of them that answers) answers `status`. */
async function waitFor(url, status, timeoutMs = 20_000) {
  const urls = Array.isArray(url) ? url : [url];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const u of urls) {
      const r = await get(u).catch(() => null);
      if (r && !(urls.length > 1 && r.status === 404) && (r.status === status || (status === 200 && r.status < 500)))
        return;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${urls.join(' or ')} not ready`);
}

function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function fmt(x, digits = 2) {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}
