//! The reseller's own provisioning system: an HTTPS POST of a signed JSON event per change.
//!
//! The body is the event (its fields in a fixed order, the same bytes on every attempt); the
//! `X-Seatmail-Signature: sha256=HEX` header is the HMAC-SHA256 of exactly those bytes with the
//! shared secret, so the receiver can tell the event is ours and untouched. `Idempotency-Key`
//! (also in the body) is the job's: a retried event carries the same one, and the receiver
//! applies each key once — there is no way to read the receiver's state back. A 2xx confirms;
//! a 4xx refuses (optionally `{"rule": "...", "reason": "..."}`); 408, 429 and 5xx are tried
//! again. The secret is never logged nor sent.

use std::time::Duration;

use serde::Serialize;

use super::{one_line, retry_after, Target, VendorError};
use crate::config::WebhookConfig;
use crate::decide::vendor::{self, Reply, Verdict};
use crate::oauth::{describe_http_error, http_client};
use crate::secret::Secret;

pub const SIGNATURE_HEADER: &str = "X-Seatmail-Signature";

pub struct Webhook {
    url: String,
    secret: Secret,
    http: reqwest::Client,
    timeout: Duration,
}

/// The event, as the receiver reads it (README: "The webhook event").
#[derive(Serialize)]
struct Event<'a> {
    event: &'static str,
    idempotency_key: &'a str,
    customer_id: &'a str,
    tenant_id: Option<&'a str>,
    subscription_id: &'a str,
    vendor_subscription_id: Option<&'a str>,
    product: &'a str,
    old_quantity: i64,
    new_quantity: i64,
    message_key: &'a str,
}

#[derive(serde::Deserialize, Default)]
struct Refusal {
    rule: Option<String>,
    reason: Option<String>,
}

impl Webhook {
    pub fn new(config: &WebhookConfig, timeout: Duration) -> Result<Webhook, VendorError> {
        let secret = config.secret().resolve("vendor.webhook").map_err(|e| VendorError::Setup(e.to_string()))?;
        let http = http_client(&config.url, timeout).map_err(|e| VendorError::Setup(format!("vendor.webhook.url: {e}")))?;
        Ok(Webhook { url: config.url.clone(), secret, http, timeout })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn change(&self, t: &Target<'_>) -> Verdict {
        let event = Event {
            event: "seat_change",
            idempotency_key: t.idempotency_key,
            customer_id: t.customer_id,
            tenant_id: t.tenant_id,
            subscription_id: t.subscription_id,
            vendor_subscription_id: t.vendor_id,
            product: t.product,
            old_quantity: t.old_quantity,
            new_quantity: t.new_quantity,
            message_key: t.message_key,
        };
        let body = match serde_json::to_vec(&event) {
            Ok(b) => b,
            Err(e) => return Verdict::Broken(format!("the webhook event: {e}")),
        };
        let response = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, format!("sha256={}", sign(self.secret.expose().as_bytes(), &body)))
            .header("Idempotency-Key", t.idempotency_key)
            .body(body)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => return vendor::unreachable(&format!("POST {}: {}", self.url, describe_http_error(&e, self.timeout))),
        };
        let status = response.status().as_u16();
        let wait = retry_after(response.headers());
        let text = response.text().await.unwrap_or_default();
        let refusal: Refusal = serde_json::from_str(&text).unwrap_or_default();
        let description = refusal.reason.unwrap_or_else(|| if (200..300).contains(&status) { String::new() } else { text });
        vendor::webhook(&Reply {
            status,
            code: refusal.rule,
            description: one_line(&description, 400),
            retry_after: wait,
            ..Reply::default()
        })
    }
}

/// HMAC-SHA256 of `body` with `secret`, in lowercase hex.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    ring::hmac::sign(&key, body).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn signatures_are_rfc_4231_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            super::sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
