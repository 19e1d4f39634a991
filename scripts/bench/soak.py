"""Soak test: two app instances on one PostgreSQL database, a third process playing Dodo (its
built-in sandbox, so Dodo's books are independent of the apps) with 20 % of payment-API calls
failing (timeouts whose charge still happens, 5xx, declines, slow answers). For
BENCH_SOAK_SECONDS (600; `make test` runs 60), customers' journeys run concurrently against
both instances: purchases (signed webhooks, some delivered twice, to both instances),
one-click accepts (some double-clicked across the two instances), declines, plan-change
upgrades of subscriptions, and cancellations with save offers. Then every offer must end in a
terminal state or an explained one, and Dodo's books must match ours: 0 double charges, 0 lost
offers, every charge matched to one offer, at most one change-plan call per plan change.
Fails loudly; writes bench/results/soak.json.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import threading
import time
from pathlib import Path

from benchlib import Server, log, require_release_build, workdir, write_result
from crash import SECRET, api_token, purchase_body, request, sign

DURATION_S = float(os.environ.get("BENCH_SOAK_SECONDS", "600"))
FAULT_RATE = float(os.environ.get("BENCH_SOAK_FAULT_RATE", "0.2"))
WORKERS = int(os.environ.get("BENCH_SOAK_WORKERS", "8"))
SUBSCRIPTIONS = int(os.environ.get("BENCH_SOAK_SUBSCRIPTIONS", "40"))
# Every demo customer: three with a usable card, one expired, one without a mandate, one with none.
CUSTOMERS = ["cus_PriyaRaman0001", "cus_JonasWeber0002", "cus_AikoTanaka0003",
             "cus_MarcoRossi0004", "cus_LeaMartin0005", "cus_SamOkafor0006"]
SUBSCRIBERS = {"cus_PriyaRaman0001": "pm_PriyaVisa4242", "cus_JonasWeber0002": "pm_JonasMc5454",
               "cus_AikoTanaka0003": "pm_AikoJcb3566"}
BASIC, PRO, PACK = "pdt_BasicMonthly05", "pdt_ProMonthly06", "pdt_LpTemplatePack01"
REASONS = ["too_expensive", "not_using_enough", "missing_feature", "switching", "other"]
TERMINAL = {"paid", "failed", "declined", "expired", "fallback"}


def psql(url: str, sql: str) -> list[list[str]]:
    out = subprocess.run(["psql", url, "-AtF", "\t", "-c", sql], check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


class Tally:
    """What the clients did and saw, shared by the worker threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.clicked: set[str] = set()  # tokens someone accepted or declined
        self.paid_answers: set[str] = set()  # tokens an accept answered "paid" for
        self.errors: list[str] = []

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n


class Soak:
    def __init__(self, apps: list[Server], dodo: Server, key: str, tally: Tally):
        self.apps, self.dodo, self.key, self.t = apps, dodo, key, tally
        self.subs: list[str] = []  # Basic subscriptions waiting for an upgrade offer
        self.pro: list[str] = []  # Pro subscriptions that may ask to cancel
        self.subs_lock = threading.Lock()

    def api(self, method: str, path: str, body: dict | None = None, app: Server | None = None):
        app = app or random.choice(self.apps)
        data = json.dumps(body).encode() if body is not None else b""
        try:
            s, raw = request(app.port, method, f"/api/v1{path}", data,
                             {"authorization": f"Bearer {self.key}", "content-type": "application/json"})
        except OSError as e:
            self.t.add(f"transport_error:{type(e).__name__}")
            return 0, {}
        try:
            return s, json.loads(raw) if raw else {}
        except ValueError:
            return s, {"raw": raw[:200].decode(errors="replace")}

    def deliver(self, body: str, msg_id: str, app: Server) -> int:
        ts = int(time.time())
        s, _ = request(app.port, "POST", "/webhooks/dodo", body.encode(), {
            "content-type": "application/json", "webhook-id": msg_id, "webhook-timestamp": str(ts),
            "webhook-signature": sign(msg_id, ts, body),
        })
        return s

    def purchase(self, i: int) -> None:
        customer = random.choice(CUSTOMERS)
        msg_id, body = purchase_body(f"soak{i}", customer, PACK)
        first = random.choice(self.apps)
        if self.deliver(body, msg_id, first) != 200:
            self.t.add("purchase_not_applied")
            return
        self.t.add("purchases")
        if random.random() < 0.2:  # Dodo redelivers; a load balancer picks either instance
            s = self.deliver(body, msg_id, random.choice(self.apps))
            self.t.add("redeliveries" if s == 200 else "redelivery_not_applied")
        self.act_on_open_offer(customer)

    def act_on_open_offer(self, customer: str) -> None:
        s, v = self.api("GET", f"/customers/{customer}/offer")
        offer = v.get("offer") if s == 200 else None
        if not offer:
            self.t.add("no_open_offer")
            return
        self.view(offer["token"])
        self.click(offer["token"], offer.get("action") == "one_time")

    def click(self, token: str, may_decline: bool) -> None:
        r = random.random()
        with self.t.lock:
            self.t.clicked.add(token)
        # A decline ends that rule for the customer for good, and the demo has six customers:
        # declines are rare, and only of one-time offers, so upgrades go on for the whole run
        # (save offers are declined below).
        if may_decline and r < 0.06:
            s, v = self.api("POST", f"/offers/{token}/decline")
            self.t.add(f"decline:{s}")
        elif r < 0.30:
            self.double_click(token)
        else:
            self.accept(token, random.choice(self.apps))

    def double_click(self, token: str) -> None:
        """Two accepts of one offer landing on both instances at once."""
        threads = [threading.Thread(target=self.accept, args=(token, a)) for a in self.apps]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.t.add("double_clicks")

    def view(self, token: str) -> None:
        """The customer opens the hosted offer page: that is when the offer is quoted."""
        s, _ = request(random.choice(self.apps).port, "GET", f"/offer/{token}")
        self.t.add(f"page_view:{s}")

    def accept(self, token: str, app: Server, again: bool = True) -> None:
        s, v = self.api("POST", f"/offers/{token}/accept", app=app)
        state = v.get("state") if s == 200 else f"http_{s}"
        if state == "pending" and v.get("requoted"):
            # The amount moved since the page was shown: nothing was charged, and the page
            # shows the new amount; the customer clicks once more.
            self.t.add("accept:requoted")
            if again:
                self.accept(token, app, again=False)
            return
        self.t.add(f"accept:{state}")
        if state == "paid":
            with self.t.lock:
                self.t.paid_answers.add(token)

    def upgrade(self) -> None:
        with self.subs_lock:
            picked = self.subs.pop(random.randrange(len(self.subs))) if self.subs else None
        if picked is None:
            # A new subscriber (a checkout, which may itself meet a fault): the upgrades go on.
            customer, method = random.choice(list(SUBSCRIBERS.items()))
            sid = new_subscription(self.dodo, customer, method, strict=False)
            if not sid:
                self.t.add("subscription_checkout_failed")
                return
            self.t.add("subscriptions_started")
            picked = (sid, customer)
        sid, customer = picked
        s, v = self.api("POST", "/events", {"customer_id": customer, "product_id": BASIC,
                                             "event": "near_plan_limit", "subscription_id": sid})
        if s != 200 or not v.get("offer_created"):
            self.t.add(f"upgrade_no_offer:{s}:{v.get('reason')}")
            return
        self.t.add("upgrade_offers")
        token = v["offer_url"].rsplit("/", 1)[1]
        self.view(token)
        with self.t.lock:
            self.t.clicked.add(token)
        if random.random() < 0.3:
            self.double_click(token)
        else:
            self.accept(token, random.choice(self.apps))
        with self.subs_lock:
            self.pro.append((sid, customer))

    def cancel(self) -> None:
        with self.subs_lock:
            if not self.pro:
                return
            sid, _ = self.pro.pop(random.randrange(len(self.pro)))
        s, v = self.api("POST", f"/subscriptions/{sid}/cancel", {"reason": random.choice(REASONS), "comment": ""})
        if s != 200:
            # Still on Basic (the upgrade failed) or already cancelling: explained by the answer.
            self.t.add(f"cancel:{s}:{v.get('code', '')}")
            return
        if v.get("cancelled"):
            self.t.add("cancel:cancelled")
            return
        token = v["offer"]["token"]
        self.t.add("save_offers")
        self.view(token)
        with self.t.lock:
            self.t.clicked.add(token)
        if random.random() < 0.5:
            s, v = self.api("POST", f"/offers/{token}/decline")
            self.t.add(f"save_decline:{s}")
        else:
            self.accept(token, random.choice(self.apps))

    def worker(self, deadline: float, seed: int) -> None:
        rnd = random.Random(seed)
        i = 0
        while time.time() < deadline:
            i += 1
            r = rnd.random()
            try:
                if r < 0.5:
                    self.purchase(seed * 1_000_000 + i)
                elif r < 0.8:
                    self.upgrade()
                else:
                    self.cancel()
            except Exception as e:  # a client bug must not end the run silently
                with self.t.lock:
                    self.t.errors.append(repr(e))


def new_subscription(dodo: Server, customer: str, method: str, strict: bool = True) -> str:
    body = json.dumps({"product_cart": [{"product_id": BASIC, "quantity": 1}], "customer": {"customer_id": customer},
                       "payment_method_id": method, "confirm": True}).encode()
    auth = {"authorization": "Bearer sandbox_key", "content-type": "application/json"}
    s, data = request(dodo.port, "POST", "/sandbox/dodo/checkouts", body, auth)
    if s != 200:
        if not strict:
            return ""
        dodo.fail(f"checkout answered {s}: {data!r}")
    session = json.loads(data)["session_id"]
    for _ in range(100):
        s, data = request(dodo.port, "GET", f"/sandbox/dodo/checkouts/{session}", None, auth)
        session_state = json.loads(data) if s == 200 else {}
        if session_state.get("subscription_id"):
            return session_state["subscription_id"]
        if session_state.get("payment_status") == "failed":  # a declined card: no subscription
            break
        time.sleep(0.05)
    if strict:
        dodo.fail(f"checkout {session} started no subscription")
    return ""


def dodo_books(dodo: Server) -> list[dict]:
    """Every payment Dodo holds for the demo customers."""
    out = []
    for customer in CUSTOMERS:
        page = 0
        while True:
            s, data = request(dodo.port, "GET", f"/sandbox/dodo/payments?customer_id={customer}&page_size=100&page_number={page}",
                              None, {"authorization": "Bearer sandbox_key"})
            if s != 200:
                dodo.fail(f"payments list answered {s}")
            items = json.loads(data).get("items", [])
            out.extend(items)
            if len(items) < 100:
                break
            page += 1
    return out


def change_plan_calls(dodo: Server, plan_change_id: str) -> int:
    s, data = request(dodo.port, "GET", f"/sandbox/dodo/_sandbox/plan-change-calls?plan_change_id={plan_change_id}",
                      None, {"authorization": "Bearer sandbox_key"})
    return json.loads(data)["calls"] if s == 200 else -1


def settle(apps: list[Server], key: str, tokens: list[str], timeout_s: float = 120) -> dict[str, str]:
    """Reads every offer until none is `charging` (each read may settle it from Dodo)."""
    deadline = time.time() + timeout_s
    states: dict[str, str] = {}
    while True:
        for t in tokens:
            if states.get(t) not in (None, "charging"):
                continue
            s, data = request(apps[0].port, "GET", f"/api/v1/offers/{t}", None, {"authorization": f"Bearer {key}"})
            if s == 200:
                states[t] = json.loads(data)["state"]
        if all(states.get(t) not in (None, "charging") for t in tokens) or time.time() > deadline:
            return states
        time.sleep(1)


def main() -> None:
    require_release_build()
    admin = os.environ.get("BENCH_POSTGRES_URL")
    if not admin:
        raise SystemExit("soak: BENCH_POSTGRES_URL (a PostgreSQL admin URL) is required: the soak runs on PostgreSQL")
    name = f"soak_{os.getpid()}"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    pg = admin.rsplit("/", 1)[0] + "/" + name
    tally = Tally()
    with workdir() as d:
        tmp = Path(d)
        a = Server(tmp, {})
        b = Server(tmp, {})
        # Dodo: a process of its own; its webhooks go to instance A (one endpoint, as Dodo has).
        dodo = Server(tmp, {"RUST_LOG": "warn", "DEMO_DATA": "0", "DODO_WEBHOOK_SECRET": SECRET,
                            "SANDBOX_WEBHOOK_URL": f"http://{a.addr}/webhooks/dodo"})
        app_env = {"DATABASE_URL": pg, "DODO_PAYMENTS_BASE_URL": f"http://{dodo.addr}/sandbox/dodo",
                   "DODO_WEBHOOK_SECRET": SECRET, "DEMO_DATA": "1", "DEMO_HISTORY": "0",
                   "DODO_CHARGE_TIMEOUT_MS": "1500", "RUST_LOG": "warn"}
        a.env.update(app_env)
        b.env.update(app_env)
        with dodo:
            dodo.wait_ready()
            with a:
                a.wait_ready()
                time.sleep(2)  # the demo map is seeded from Dodo's catalogue (once, by A)
                with b:
                    b.wait_ready()
                    key = api_token(a.port)
                    soak = Soak([a, b], dodo, key, tally)
                    subscribers = list(SUBSCRIBERS.items())
                    for i in range(SUBSCRIPTIONS):
                        customer, method = subscribers[i % len(subscribers)]
                        soak.subs.append((new_subscription(dodo, customer, method), customer))
                    s, data = request(dodo.port, "POST", "/sandbox/dodo/_sandbox/faults",
                                      json.dumps({"mode": "mixed", "rate": FAULT_RATE, "delay_ms": 2500}).encode(),
                                      {"authorization": "Bearer sandbox_key", "content-type": "application/json"})
                    if s != 200:
                        dodo.fail(f"faults answered {s}: {data!r}")
                    log(f"soak: {DURATION_S:.0f} s, {WORKERS} workers, {FAULT_RATE:.0%} of payment calls failing, "
                        f"{SUBSCRIPTIONS} Basic subscriptions")
                    started = time.time()
                    deadline = started + DURATION_S
                    threads = [threading.Thread(target=soak.worker, args=(deadline, n + 1)) for n in range(WORKERS)]
                    for th in threads:
                        th.start()
                    for th in threads:
                        th.join()
                    elapsed = time.time() - started
                    request(dodo.port, "POST", "/sandbox/dodo/_sandbox/faults", b'{"mode":"none"}',
                            {"authorization": "Bearer sandbox_key", "content-type": "application/json"})
                    time.sleep(4)  # lost responses' charges land (delay 2.5 s), webhooks drain
                    tokens = [r[0] for r in psql(pg, "SELECT token FROM offers")]
                    states = settle([a, b], key, tokens)
                    for app in (a, b):
                        if app.proc is None or app.proc.poll() is not None:
                            app.fail("an instance died during the soak")
                    payments = dodo_books(dodo)
                    # Plan changes left `executing` (a lost response or webhook) are read back by
                    # the instances' own reconciliation, every 10 s.
                    for _ in range(40):
                        if not psql(pg, "SELECT 1 FROM plan_changes WHERE state = 'executing' LIMIT 1"):
                            break
                        time.sleep(1)
                    changes = psql(pg, "SELECT id, state FROM plan_changes")
                    calls = {pc: change_plan_calls(dodo, pc) for pc, _ in changes}
        offers = {r[0]: r for r in psql(
            pg, "SELECT token, id, state, COALESCE(failure_code, ''), COALESCE(fallback_url, ''), amount FROM offers")}
        dupes = psql(pg, "SELECT trigger_payment_id, rule_id, COUNT(*) FROM offers WHERE trigger_payment_id IS NOT NULL "
                         "GROUP BY 1, 2 HAVING COUNT(*) > 1")
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)

    by_id = {row[1]: row for row in offers.values()}
    succeeded: dict[str, int] = {}
    unmatched = []
    for p in payments:
        offer_id = (p.get("metadata") or {}).get("offer_id")
        if not offer_id:
            continue
        if offer_id not in by_id:
            unmatched.append(p.get("payment_id"))
        elif p.get("status") == "succeeded":
            succeeded[offer_id] = succeeded.get(offer_id, 0) + 1
    doubles = {o: n for o, n in succeeded.items() if n > 1}
    mismatched, unexplained = [], []
    by_state: dict[str, int] = {}
    for token, (_, oid, _, code, fallback, amount) in offers.items():
        state = states.get(token, "unread")
        by_state[state] = by_state.get(state, 0) + 1
        # Paid with nothing to pay (a free month, a change at the next billing date): no charge.
        expected = 1 if state == "paid" and amount != "0" else 0
        if succeeded.get(oid, 0) != expected:
            mismatched.append((token, state, succeeded.get(oid, 0)))
        if state in ("failed",) and not code:
            unexplained.append((token, state, "no failure code"))
        elif state == "fallback" and not fallback:
            unexplained.append((token, state, "no fallback link"))
        elif state == "pending" and token in tally.clicked:
            # A click whose charge call failed before Dodo took anything leaves the offer for a
            # new click; any other pending offer nobody clicked is waiting for its customer.
            by_state["pending_after_failed_call"] = by_state.get("pending_after_failed_call", 0) + 1
        elif state not in TERMINAL and state != "pending":
            unexplained.append((token, state, "not settled"))
    lost = [t for t in tally.paid_answers if offers.get(t, [None, None, ""])[2] != "paid"]
    result = {
        "seconds": round(elapsed, 1),
        "instances": 2,
        "backend": "postgres",
        "fault_rate": FAULT_RATE,
        "client_actions": dict(sorted(tally.counts.items())),
        "offers": len(offers),
        "offer_states": dict(sorted(by_state.items())),
        "plan_changes": len(changes),
        "plan_change_states": {s: sum(1 for _, st in changes if st == s) for s in sorted({st for _, st in changes})},
        "dodo_payments": len(payments),
        "charged_offers": len(succeeded),
        "double_charges": len(doubles),
        "lost_offers": len(lost),
        "unexplained_offers": len(unexplained),
        "state_vs_dodo_mismatches": len(mismatched),
        "charges_matching_no_offer": len(unmatched),
        "plan_changes_called_twice": sum(1 for n in calls.values() if n > 1),
        "plan_changes_unsettled": sum(1 for _, st in changes if st == "executing"),
        "offers_made_twice_for_one_purchase": len(dupes),
        "client_errors": len(tally.errors),
    }
    log(f"soak: {json.dumps(result)}")
    write_result("soak", {"results": [result]})
    failed = (doubles or lost or unexplained or mismatched or unmatched or dupes or tally.errors
              or result["plan_changes_called_twice"] or result["plan_changes_unsettled"]
              or not tally.counts.get("accept:paid"))
    if failed:
        raise SystemExit(f"soak FAILED: doubles={list(doubles.items())[:5]} lost={lost[:5]} "
                         f"unexplained={unexplained[:5]} mismatched={mismatched[:5]} unmatched={unmatched[:5]} "
                         f"dupes={dupes[:5]} errors={tally.errors[:5]}")


if __name__ == "__main__":
    main()
