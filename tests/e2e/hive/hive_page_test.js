#!/usr/bin/env node
// Browser test of the gateway's /hive page (web/hive/hive.html).
//
// Starts aura-core (SQLite in a temp dir, seeded with the demo inventory) and
// aura-gateway on free loopback ports, sends four signed negotiations (one per
// outcome: countered, accepted, ui_required, rejected), opens
// http://127.0.0.1:<port>/hive in Debian's headless chromium driven by
// playwright-core, and checks what a person would see:
//   - every chart has drawn at least 2 points (canvas[data-points] >= 2);
//   - the outcome bars show all four outcomes with non-zero counts;
//   - the traces table has rows; clicking the first trace whose root span is
//     "POST /v1/negotiate" draws a waterfall of >= 3 span rows, one of them
//     the call into the core (the gRPC client span, or a span of aura-core);
//   - the page never reports "cannot reach the gateway" and logs no errors.
// A screenshot is saved to AURA_HIVE_SCREENSHOT (default ./hive.png).
//
// Needs (scripts/setup.sh installs them): /usr/bin/chromium (Debian package
// chromium) and playwright-core in tests/e2e/hive/node_modules
// (npm install --prefix tests/e2e/hive). Either missing FAILS the test.
//
// Run by ctest (label e2e) with AURA_GATEWAY_BIN, AURA_CORE_BIN, AURA_SEED_BIN;
// by hand:
//   AURA_GATEWAY_BIN=... AURA_CORE_BIN=... AURA_SEED_BIN=... node hive_page_test.js
// AURA_HIVE_PAGE=web/hive/hive.html serves that file as /hive instead of the
// copy compiled into the gateway (to try page edits without a rebuild).
"use strict";

const assert = require("node:assert/strict");
const childProcess = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

const CHROMIUM = process.env.AURA_CHROMIUM || "/usr/bin/chromium";
const SCREENSHOT = path.resolve(process.env.AURA_HIVE_SCREENSHOT || "hive.png");
const WAIT_MS = 45000;

function fail(message) {
  console.error("FAIL: " + message);
  process.exitCode = 1;
}

function requireBinary(name) {
  const value = process.env[name] || "";
  if (!value || !fs.existsSync(value)) throw new Error(`${name} must name the built binary (got '${value}')`);
  return value;
}

function loadPlaywright() {
  try {
    return require("playwright-core");
  } catch (e) {
    throw new Error("playwright-core is not installed next to this test; run scripts/setup.sh " +
                    "(npm install --prefix tests/e2e/hive): " + e.message);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// One HTTP request on a fresh connection; resolves {status, body}.
function request(port, method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers: headers || {},
                               agent: false, timeout: 10000 }, res => {
      const chunks = [];
      res.on("data", c => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

// Canonical body as the Python agents sign it: json.dumps(sort_keys=True,
// separators=(",", ":")). Good for flat objects of strings and non-integral
// numbers (Python prints 850.0 where JavaScript prints 850, so callers use
// bids like 850.5).
function canonicalJson(obj) {
  const out = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return JSON.stringify(out);
}

// A signing agent: Ed25519 over METHOD + PATH + TIMESTAMP + sha256hex(canonical body).
class Agent {
  constructor() {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
    this.privateKey = privateKey;
    const raw = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url");
    this.did = "did:key:" + raw.toString("hex");
  }

  headers(method, urlPath, canonical) {
    const ts = String(Math.floor(Date.now() / 1000));
    const digest = crypto.createHash("sha256").update(canonical, "utf8").digest("hex");
    const signature = crypto.sign(null, Buffer.from(method + urlPath + ts + digest, "utf8"), this.privateKey);
    return { "X-Agent-ID": this.did, "X-Timestamp": ts, "X-Signature": signature.toString("hex"),
             "Content-Type": "application/json" };
  }
}

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("AURA_") || k.startsWith("OTEL_")) continue;
    if (["DATABASE_URL", "REDIS_URL", "HTTP_PORT", "GRPC_PORT", "CORE_SERVICE_HOST", "CORS_ORIGINS",
         "LLM_MODEL", "PROMETHEUS_URL", "MISTRAL_API_KEY"].includes(k)) continue;
    env[k] = v;
  }
  return Object.assign(env, extra);
}

// aura-core + aura-gateway in a temp dir.
class Hive {
  constructor() {
    this.gatewayBin = requireBinary("AURA_GATEWAY_BIN");
    this.coreBin = requireBinary("AURA_CORE_BIN");
    this.seedBin = requireBinary("AURA_SEED_BIN");
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "aura-hive-e2e-"));
    this.procs = [];
  }

  spawn(binary, env, logName) {
    const log = fs.openSync(path.join(this.dir, logName), "a");
    const proc = childProcess.spawn(binary, [], { cwd: this.dir, env: cleanEnv(env), stdio: ["ignore", log, log] });
    fs.closeSync(log);
    proc.exited = new Promise(resolve => proc.once("exit", resolve));
    this.procs.push(proc);
    return proc;
  }

  async start() {
    const dbUrl = "sqlite://" + path.join(this.dir, "aura.db");
    const seed = childProcess.spawnSync(this.seedBin, [dbUrl], { cwd: this.dir, encoding: "utf8" });
    if (seed.status !== 0) throw new Error(`seeding failed: ${seed.stdout}${seed.stderr}`);
    const corePort = await freePort();
    this.httpPort = await freePort();
    this.core = this.spawn(this.coreBin, {
      AURA_DATABASE__URL: dbUrl,
      AURA_SERVER__PORT: String(corePort),
      AURA_SERVER__METRICS_PORT: String(await freePort()),
      AURA_DATA_DIR: this.dir,
      AURA_LLM__MODEL: "rule",
      AURA_LOG_LEVEL: "warning",
    }, "core.log");
    this.gateway = this.spawn(this.gatewayBin, {
      HTTP_PORT: String(this.httpPort),
      AURA_GATEWAY__BIND_ADDRESS: "127.0.0.1",
      AURA_GATEWAY__CORE_ADDRESS: `127.0.0.1:${corePort}`,
      AURA_DATA_DIR: this.dir,
      AURA_LOG_LEVEL: "warning",
      OTEL_BSP_SCHEDULE_DELAY: "20",
    }, "gateway.log");
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      for (const p of this.procs) {
        if (p.exitCode !== null || p.signalCode !== null) throw new Error("a binary exited early:\n" + this.logs());
      }
      try {
        if ((await request(this.httpPort, "GET", "/readyz")).status === 200) return;
      } catch (e) { /* not listening yet */ }
      await sleep(100);
    }
    throw new Error("the hive never became ready:\n" + this.logs());
  }

  logs() {
    return ["core.log", "gateway.log"].map(name => {
      const file = path.join(this.dir, name);
      if (!fs.existsSync(file)) return "";
      return `--- ${name} (tail) ---\n` + fs.readFileSync(file, "utf8").slice(-4000);
    }).join("\n");
  }

  async stop() {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
    for (const p of this.procs) {
      const done = await Promise.race([p.exited.then(() => true), sleep(15000).then(() => false)]);
      if (!done) { p.kill("SIGKILL"); await p.exited; }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function negotiate(hive, agent, itemId, bid) {
  const body = canonicalJson({ agent_did: agent.did, bid_amount: bid, currency: "USD", item_id: itemId });
  const res = await request(hive.httpPort, "POST", "/v1/negotiate", body,
                            agent.headers("POST", "/v1/negotiate", body));
  assert.equal(res.status, 200, `negotiate ${itemId} ${bid}: ${res.status} ${res.body}`);
  return JSON.parse(res.body).status;
}

async function checkPage(page, hive) {
  const pageErrors = [];
  page.on("pageerror", e => pageErrors.push(String(e)));
  page.on("console", m => { if (m.type() === "error") pageErrors.push(`${m.text()} (${m.location().url})`); });
  if (process.env.AURA_HIVE_PAGE) {
    // Editing the page without rebuilding: serve the given file as /hive.
    const html = fs.readFileSync(process.env.AURA_HIVE_PAGE, "utf8");
    await page.route("**/hive", route => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8",
                                                         body: html }));
  }

  await page.goto(`http://127.0.0.1:${hive.httpPort}/hive`, { waitUntil: "load" });
  assert.equal(await page.title(), "Aura Hive");

  // Charts: every canvas has drawn >= 2 points.
  await page.waitForFunction(() => {
    const cs = [...document.querySelectorAll("canvas")];
    return cs.length >= 4 && cs.every(c => Number(c.dataset.points || 0) >= 2);
  }, null, { timeout: WAIT_MS });
  const points = await page.$$eval("canvas", cs => cs.map(c => `${c.id}=${c.dataset.points}`));
  console.log("charts: " + points.join(" "));

  // Outcome bars: the four outcomes, each counted once.
  await page.waitForFunction(() => document.querySelectorAll("div.bar[data-outcome]").length === 4,
                             null, { timeout: WAIT_MS });
  const bars = await page.$$eval("div.bar[data-outcome]", rs => rs.map(r => ({
    outcome: r.dataset.outcome, count: Number(r.lastElementChild.textContent),
    width: r.querySelector("div.fill").getBoundingClientRect().width })));
  console.log("outcome bars: " + JSON.stringify(bars));
  assert.deepEqual(bars.map(b => b.outcome).sort(), ["accepted", "countered", "rejected", "ui_required"]);
  for (const b of bars) {
    assert.ok(b.count > 0, `outcome ${b.outcome} shows ${b.count}`);
    assert.ok(b.width > 0, `outcome ${b.outcome} has no visible bar`);
  }

  // Traces table: negotiate traces listed (export is batched: wait for them).
  const negotiateRow = page.locator("#traces tr.trace").filter({
    has: page.locator("td:nth-child(3)", { hasText: /^POST \/v1\/negotiate$/ }) });
  await negotiateRow.first().waitFor({ state: "attached", timeout: WAIT_MS });
  const rows = await page.locator("#traces tr.trace").count();
  console.log(`traces table: ${rows} rows, ${await negotiateRow.count()} rooted at POST /v1/negotiate`);
  assert.ok(rows > 0);

  // Waterfall of the first negotiate trace.
  await negotiateRow.first().click();
  const spanRows = page.locator("#waterfall .span-row");
  await page.waitForFunction(() => document.querySelectorAll("#waterfall .span-row").length >= 3,
                             null, { timeout: WAIT_MS });
  const names = await spanRows.evaluateAll(rs => rs.map(r => r.querySelector(".name").textContent.trim()));
  console.log("waterfall: " + JSON.stringify(names));
  assert.ok(names.length >= 3, `waterfall has ${names.length} rows`);
  assert.ok(names.some(n => n.startsWith("POST /v1/negotiate")), "no server span in the waterfall");
  assert.ok(names.some(n => n.includes("NegotiationService/Negotiate") || n.includes("aura-core")),
            "no span of the call into aura-core in the waterfall");
  const title = await page.locator("#trace-title").textContent();
  assert.match(title, /^[0-9a-f]{32}$/, "trace title is not the trace id");
  assert.equal(await page.locator("#traces tr.trace.selected").count(), 1, "the clicked row is not selected");

  const status = await page.locator("#status").textContent();
  assert.match(status, /^live/, `page status: ${status}`);
  assert.deepEqual(pageErrors, [], "the page logged errors");
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/setup.sh)`);
  }
  const { chromium } = loadPlaywright();
  const hive = new Hive();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "aura-hive-chromium-"));
  let context = null;
  try {
    await hive.start();
    const agent = new Agent();
    const outcomes = [];
    outcomes.push(await negotiate(hive, agent, "hotel_alpha", 1.5));
    outcomes.push(await negotiate(hive, agent, "hotel_alpha", 850.5));
    outcomes.push(await negotiate(hive, agent, "hotel_alpha", 1200.5));
    outcomes.push(await negotiate(hive, agent, "no_such_item", 100.5));
    assert.deepEqual(outcomes, ["countered", "accepted", "ui_required", "rejected"]);

    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--disable-quic"],
      viewport: { width: 1280, height: 900 },
    });
    const page = context.pages()[0] || await context.newPage();
    try {
      await checkPage(page, hive);
    } finally {
      await page.screenshot({ path: SCREENSHOT, fullPage: true }).then(
        () => console.log("screenshot: " + SCREENSHOT),
        e => console.error("screenshot failed: " + e.message));
    }
  } catch (e) {
    fail((e && e.stack) || String(e));
    console.error(hive.logs());
  } finally {
    if (context) await context.close().catch(e => console.error("closing chromium: " + e.message));
    await hive.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(process.exitCode ? "hive_page: 0 passed, 1 failed" : "hive_page: 1 passed, 0 failed");
}

main().catch(e => {
  fail((e && e.stack) || String(e));
  console.log("hive_page: 0 passed, 1 failed");
});
