"""Crash test: `kill -9` the app in the middle of one-click accepts, restart it on the same
database, and check against Dodo (a second server's built-in sandbox, so Dodo's books survive
the crash) that every offer ends paid or failed, none was charged twice, none was lost, and
every charge matches one offer. Fails loudly; writes bench/results/crash.json.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import signal
import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path

from benchlib import Server, log, require_release_build, workdir, write_result

SECRET = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
# Customers of the sandbox with a usable saved card, and a product the demo map upsells.
CUSTOMERS = ["cus_PriyaRaman0001", "cus_AikoTanaka0003"]
PRODUCT = "pdt_LpTemplatePack01"
OFFERS = int(os.environ.get("BENCH_CRASH_OFFERS", "80"))
# How long after the accepts start the process is killed: mid-flight, some charged, some not.
KILL_AFTER_S = float(os.environ.get("BENCH_CRASH_KILL_MS", "40")) / 1000


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def sign(msg_id: str, ts: int, body: str) -> str:
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def purchase_body(i, customer: str, product: str = PRODUCT) -> tuple[str, str]:
    """A signed-to-be `payment.succeeded` webhook of a purchase: (webhook id, body)."""
    msg_id = f"msg_crash_{i}_{time.time_ns()}"
    body = json.dumps({
        "business_id": "bus_DemoShop7Qm2Rk4TfW9x", "type": "payment.succeeded", "timestamp": "2026-11-24T20:00:00Z",
        "data": {"payload_type": "Payment", "payment_id": f"pay_crash_{i}_{time.time_ns()}", "status": "succeeded",
                 "total_amount": 2900, "currency": "USD",
                 "customer": {"customer_id": customer, "email": "c@example.com", "name": "C"},
                 "billing": {"country": "US", "zipcode": "94612"},
                 "product_cart": [{"product_id": product, "quantity": 1}], "metadata": {}},
    })
    return msg_id, body


def purchase(port: int, i: int, customer: str) -> None:
    msg_id, body = purchase_body(i, customer)
    ts = int(time.time())
    status, data = request(port, "POST", "/webhooks/dodo", body.encode(), {
        "content-type": "application/json", "webhook-id": msg_id, "webhook-timestamp": str(ts),
        "webhook-signature": sign(msg_id, ts, body),
    })
    if status != 200:
        raise SystemExit(f"crash test: purchase webhook answered {status}: {data!r}")


def api_token(port: int) -> str:
    body = urllib.parse.urlencode({"email": "merchant@demo.test", "password": "demo-merchant-pass"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/session/login", body, {"content-type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    resp.read()
    cookie = (resp.getheader("set-cookie") or "").split(";", 1)[0]
    conn.close()
    status, data = request(port, "POST", "/api/settings/tokens/create", json.dumps({"name": "crash"}).encode(),
                           {"content-type": "application/json", "cookie": cookie})
    if status != 200:
        raise SystemExit(f"crash test: no API token ({status}): {data!r}")
    return json.loads(data)


def main() -> None:
    require_release_build()
    with workdir() as d:
        tmp = Path(d)
        with Server(tmp, {"RUST_LOG": "warn", "DEMO_DATA": "0"}) as dodo:
            dodo.wait_ready()
            dodo_api = f"http://{dodo.addr}/sandbox/dodo"
            db_file = tmp / "app.db"
            env = {
                "DATABASE_URL": f"sqlite://{db_file}", "DODO_PAYMENTS_BASE_URL": dodo_api,
                "DODO_WEBHOOK_SECRET": SECRET, "DEMO_DATA": "1", "DEMO_HISTORY": "0",
                "DODO_CHARGE_TIMEOUT_MS": "2000", "RUST_LOG": "warn",
            }
            app = Server(tmp, env)
            app.start()
            app.wait_ready()
            time.sleep(2)  # the demo map is seeded from Dodo's catalogue
            key = api_token(app.port)
            for i in range(OFFERS):
                purchase(app.port, i, CUSTOMERS[i % len(CUSTOMERS)])
            with sqlite3.connect(db_file) as c:
                tokens = [r[0] for r in c.execute("SELECT token FROM offers WHERE state = 'pending'")]
            if len(tokens) < OFFERS // 2:
                app.fail(f"only {len(tokens)} pending offers were made")
            log(f"crash test: {len(tokens)} offers; accepting all at once, then kill -9")
            answered: list[int] = []

            def accept(token: str) -> None:
                try:
                    s, _ = request(app.port, "POST", f"/api/v1/offers/{token}/accept", b"",
                                   {"authorization": f"Bearer {key}"})
                    answered.append(s)
                except (OSError, http.client.HTTPException):
                    pass  # the process died under it: that is the point

            threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
            for t in threads:
                t.start()
            time.sleep(KILL_AFTER_S)
            assert app.proc is not None
            app.proc.send_signal(signal.SIGKILL)
            app.proc.wait()
            for t in threads:
                t.join()
            with sqlite3.connect(db_file) as c:
                at_crash = dict(c.execute("SELECT state, COUNT(*) FROM offers GROUP BY state").fetchall())
            log(f"crash test: killed with {len(answered)} answers sent; offers then {at_crash}")

            # Restart on the same database; read every offer until it settles (read-back).
            app2 = Server(tmp, env)
            app2.start()
            app2.wait_ready()
            deadline = time.time() + 120
            states: dict[str, str] = {}
            while time.time() < deadline:
                for t in tokens:
                    s, data = request(app2.port, "GET", f"/api/v1/offers/{t}", None, {"authorization": f"Bearer {key}"})
                    if s == 200:
                        states[t] = json.loads(data)["state"]
                if all(v not in ("charging",) for v in states.values()) and len(states) == len(tokens):
                    break
                time.sleep(1)
            app2.stop()

            # Dodo's books: every payment naming an offer.
            charged: dict[str, list[dict]] = {}
            for customer in CUSTOMERS:
                s, data = request(dodo.port, "GET", f"/sandbox/dodo/payments?customer_id={customer}&page_size=100&page_number=0",
                                  None, {"authorization": "Bearer sandbox_key"})
                if s != 200:
                    dodo.fail(f"payments list answered {s}")
                for p in json.loads(data).get("items", []):
                    offer_id = (p.get("metadata") or {}).get("offer_id")
                    if offer_id:
                        charged.setdefault(offer_id, []).append(p)
            with sqlite3.connect(db_file) as c:
                ids = dict(c.execute("SELECT token, id FROM offers").fetchall())

    doubles = {o: len(ps) for o, ps in charged.items() if len(ps) > 1}
    by_state: dict[str, int] = {}
    for v in states.values():
        by_state[v] = by_state.get(v, 0) + 1
    mismatched = []
    for token, state in states.items():
        paid_at_dodo = any(p.get("status") == "succeeded" for p in charged.get(ids[token], []))
        if (state == "paid") != paid_at_dodo:
            mismatched.append((token, state, paid_at_dodo))
    unknown = [o for o in charged if o not in ids.values()]
    result = {
        "offers": len(tokens),
        "answered_before_kill": len(answered),
        "states_at_kill": at_crash,
        "states_after_restart": by_state,
        "charged_offers": len(charged),
        "double_charges": len(doubles),
        "lost_offers": len(tokens) - len(states),
        "left_charging": by_state.get("charging", 0),
        "state_vs_dodo_mismatches": len(mismatched),
        "charges_matching_no_offer": len(unknown),
    }
    log(f"crash test: {result}")
    write_result("crash", {"results": [result]})
    if doubles or mismatched or unknown or result["lost_offers"] or result["left_charging"]:
        raise SystemExit(f"crash test FAILED: {result} doubles={doubles} mismatched={mismatched[:5]}")


if __name__ == "__main__":
    main()
