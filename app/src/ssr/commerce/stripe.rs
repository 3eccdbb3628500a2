//! The Stripe adapter: a Checkout Session per order (Stripe's hosted pay page), refunds, and
//! the webhook that tells the store an order was paid. Selected with `--payments stripe`;
//! it talks to Stripe's HTTP API with reqwest over rustls (the API base is configurable, so
//! the test suite points it at a local fake Stripe).

use super::payments::{BoxFuture, PaymentProvider, PaymentRequest, ProviderError};
use super::stripe_signature::{verify, SignatureError, TOLERANCE_SECS};
use serde::Deserialize;
use std::time::Duration;

/// Stripe's settings.
#[derive(Clone)]
pub struct Stripe {
    /// `sk_live_…` / `sk_test_…`.
    secret_key: String,
    /// The webhook endpoint's signing secret, `whsec_…`.
    webhook_secret: String,
    /// `https://api.stripe.com` (or a fake, in tests).
    api_base: String,
    /// The store's public origin, for the success and cancel URLs.
    origin: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys.
        f.debug_struct("Stripe")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// Stripe's fee on a card payment, as an estimate booked with the sale: 2.9 % + 30 minor
/// units (the ledger shows it as the provider's fee).
pub const STRIPE_FEE_BP: i64 = 290;
/// The fixed part of the estimated fee.
pub const STRIPE_FEE_FIXED: i64 = 30;

impl Stripe {
    /// A Stripe adapter with the given keys.
    pub fn new(secret_key: &str, webhook_secret: &str, api_base: &str, origin: &str) -> Self {
        Stripe {
            secret_key: secret_key.to_string(),
            webhook_secret: webhook_secret.to_string(),
            api_base: api_base.trim_end_matches('/').to_string(),
            origin: origin.trim_end_matches('/').to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
        }
    }

    /// Stripe's fee estimate for `amount_minor`.
    pub fn fee(&self, amount_minor: i64) -> i64 {
        PaymentProvider::fee(self, amount_minor)
    }

    async fn post(
        &self,
        path: &str,
        idempotency_key: &str,
        form: &[(String, String)],
    ) -> Result<serde_json::Value, ProviderError> {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .http
            .post(format!("{}{path}", self.api_base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| ProviderError::Unavailable(format!("Stripe {path}: {e}")))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| ProviderError::Unavailable(format!("Stripe {path}: {e}")))?;
        if !status.is_success() {
            return Err(ProviderError::Unavailable(format!(
                "Stripe {path} answered {status}: {}",
                text.chars().take(300).collect::<String>()
            )));
        }
        serde_json::from_str(&text).map_err(|e| {
            ProviderError::Unavailable(format!("Stripe {path}: unreadable answer: {e}"))
        })
    }

    /// Checks a webhook's signature and reads its event.
    pub fn event(&self, signature: &str, payload: &[u8], now: i64) -> Result<Event, WebhookError> {
        verify(
            signature,
            payload,
            &self.webhook_secret,
            now,
            TOLERANCE_SECS,
        )
        .map_err(WebhookError::Signature)?;
        serde_json::from_slice(payload).map_err(|e| WebhookError::Malformed(e.to_string()))
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl PaymentProvider for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn start<'a>(
        &'a self,
        request: &'a PaymentRequest,
    ) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(async move {
            let id = &request.order_id;
            let form: Vec<(String, String)> = [
                ("mode", "payment".to_string()),
                ("client_reference_id", id.clone()),
                ("metadata[order_id]", id.clone()),
                (
                    "success_url",
                    format!("{}{}", self.origin, request.return_url),
                ),
                ("cancel_url", format!("{}/orders/{id}", self.origin)),
                ("line_items[0][quantity]", "1".into()),
                (
                    "line_items[0][price_data][currency]",
                    request.currency.to_lowercase(),
                ),
                (
                    "line_items[0][price_data][unit_amount]",
                    request.amount_minor.to_string(),
                ),
                (
                    "line_items[0][price_data][product_data][name]",
                    request.description.chars().take(200).collect(),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            let session = self
                .post("/v1/checkout/sessions", &format!("checkout_{id}"), &form)
                .await?;
            session["url"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| ProviderError::Unavailable("Stripe gave no checkout URL".into()))
        })
    }

    fn refund<'a>(
        &'a self,
        reference: &'a str,
        amount_minor: i64,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(async move {
            let form = vec![
                ("payment_intent".to_string(), reference.to_string()),
                ("amount".to_string(), amount_minor.to_string()),
            ];
            let refund = self.post("/v1/refunds", idempotency_key, &form).await?;
            refund["id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| ProviderError::Unavailable("Stripe gave no refund id".into()))
        })
    }

    fn fee(&self, amount_minor: i64) -> i64 {
        if amount_minor == 0 {
            0
        } else {
            ((amount_minor * STRIPE_FEE_BP + 5_000) / 10_000 + STRIPE_FEE_FIXED).min(amount_minor)
        }
    }
}

/// A webhook event, as much of it as the store reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// `evt_…`: the key under which it is remembered.
    pub id: String,
    /// `checkout.session.completed`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The object the event is about.
    #[serde(default)]
    pub data: EventData,
}

/// `data` of an event.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventData {
    /// The Checkout Session (for `checkout.session.*`).
    #[serde(default)]
    pub object: SessionObject,
}

/// The fields of a Checkout Session the store reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionObject {
    /// Our order number.
    pub client_reference_id: Option<String>,
    /// `paid` once the money is taken.
    pub payment_status: Option<String>,
    /// What was charged, in minor units.
    pub amount_total: Option<i64>,
    /// Lower-case ISO currency.
    pub currency: Option<String>,
    /// The payment, for refunds.
    pub payment_intent: Option<String>,
}

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Unsigned, badly signed, or too old.
    #[error("{0}")]
    Signature(SignatureError),
    /// Not an event.
    #[error("the payload is not a Stripe event: {0}")]
    Malformed(String),
}
