//! Signed webhooks from the sandbox to the app (CONTRACT §10). They leave through one outbox,
//! one at a time, in the order their events happened; each is retried briefly as Dodo does.
//! The envelope's `timestamp` is the sandbox's time of the event; the `webhook-timestamp`
//! signing header is real time, as the receiver checks it against its own clock.
use super::{catalogue, payments::id, Sandbox};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

struct Letter {
    msg_id: String,
    body: String,
}

pub struct Outbox(mpsc::UnboundedSender<Letter>);

impl Outbox {
    fn start(
        signer: Arc<standardwebhooks::Webhook>,
        http: reqwest::Client,
        target: String,
    ) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Letter>();
        tokio::spawn(async move {
            while let Some(letter) = rx.recv().await {
                deliver(&signer, &http, &target, letter).await;
            }
        });
        Self(tx)
    }
}

async fn deliver(
    signer: &standardwebhooks::Webhook,
    http: &reqwest::Client,
    target: &str,
    letter: Letter,
) {
    for delay in [0u64, 200, 1000, 3000] {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let ts = chrono::Utc::now().timestamp();
        let Ok(sig) = signer.sign(&letter.msg_id, ts, letter.body.as_bytes()) else {
            return;
        };
        let sent = http
            .post(target)
            .header("content-type", "application/json")
            .header("webhook-id", &letter.msg_id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig)
            .body(letter.body.clone())
            .send()
            .await;
        if sent.is_ok_and(|r| r.status().is_success()) {
            return;
        }
    }
    tracing::warn!(webhook_id = %letter.msg_id, "sandbox webhook not accepted after retries");
}

impl Sandbox {
    /// Sends a Standard Webhooks-signed event that happens now (sandbox time).
    pub fn send_webhook(&self, event_type: &str, data: Value) {
        self.send_webhook_at(event_type, data, self.now_iso());
    }

    /// Sends an event that happened at `at` (sandbox time, RFC 3339), after every event
    /// queued before it.
    pub fn send_webhook_at(&self, event_type: &str, data: Value, at: String) {
        let Some(target) = self.webhook_target.clone() else {
            return;
        };
        let body = json!({
            "business_id": catalogue::BUSINESS_ID,
            "type": event_type,
            "timestamp": at,
            "data": data,
        })
        .to_string();
        let outbox = self
            .outbox
            .get_or_init(|| Outbox::start(self.signer.clone(), self.http.clone(), target));
        let _ = outbox.0.send(Letter {
            msg_id: id("msg"),
            body,
        });
    }
}
