//! Payment providers. The store talks to every provider through [`PaymentProvider`]; the
//! built-in [`Sandbox`] has its own hosted-style pay page inside the app (`/pay/<order>`),
//! so the whole purchase runs on a machine without any outside service.

use crate::models::account::Problem;
use crate::models::commerce::luhn_ok;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so that providers can live behind `dyn PaymentProvider`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the provider needs to start taking a payment.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    /// Our order number (also the provider's idempotency key for this payment).
    pub order_id: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// What the buyer sees on the provider's page.
    pub description: String,
    /// Where the provider sends the buyer back to (absolute URL).
    pub return_url: String,
}

/// Why a provider call failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached or answered with an error.
    #[error("payment provider: {0}")]
    Unavailable(String),
}

/// A way of taking money.
pub trait PaymentProvider: Send + Sync {
    /// Stored on orders: `sandbox`, `stripe`.
    fn name(&self) -> &'static str;

    /// Prepares a payment and returns the URL where the buyer pays.
    fn start<'a>(
        &'a self,
        request: &'a PaymentRequest,
    ) -> BoxFuture<'a, Result<String, ProviderError>>;

    /// Pays `amount_minor` of the payment `reference` back; `idempotency_key` makes a
    /// repeated call a no-op at the provider. Returns the refund's reference.
    fn refund<'a>(
        &'a self,
        reference: &'a str,
        amount_minor: i64,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<String, ProviderError>>;

    /// The provider's fee for a payment of `amount_minor`.
    fn fee(&self, amount_minor: i64) -> i64;
}

/// What the sandbox's card form decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxOutcome {
    /// The card paid; `reference` names the payment.
    Paid {
        /// The sandbox's payment reference.
        reference: String,
    },
    /// The card was declined.
    Declined {
        /// What the bank said.
        reason: String,
    },
}

/// The sandbox provider: test cards, a pay page in the app, a card-processor-like fee.
#[derive(Debug, Clone, Default)]
pub struct Sandbox;

/// The test card that pays.
pub const CARD_PAYS: &str = "4242424242424242";
/// The test card that is declined.
pub const CARD_DECLINED: &str = "4000000000000002";
/// The sandbox's fee: 2.9 % of the amount, like a typical card processor.
pub const SANDBOX_FEE_BP: i64 = 290;

impl Sandbox {
    /// Decides a card payment for `order_id`. Only the two test cards are accepted; any
    /// other number (or a number that fails the Luhn check) is a form error.
    pub fn charge(&self, order_id: &str, card: &str) -> Result<SandboxOutcome, Problem> {
        let digits: String = card
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !luhn_ok(&digits) {
            return Err(Problem::CardInvalid);
        }
        match digits.as_str() {
            CARD_PAYS => Ok(SandboxOutcome::Paid {
                reference: format!("sbx_pay_{order_id}"),
            }),
            CARD_DECLINED => Ok(SandboxOutcome::Declined {
                reason: "Your card was declined (sandbox test card 4000 0000 0000 0002).".into(),
            }),
            _ => Err(Problem::CardInvalid),
        }
    }
}

impl PaymentProvider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn start<'a>(
        &'a self,
        request: &'a PaymentRequest,
    ) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(async move { Ok(format!("/pay/{}", request.order_id)) })
    }

    fn refund<'a>(
        &'a self,
        reference: &'a str,
        _amount_minor: i64,
        _idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(async move { Ok(format!("sbx_refund_{reference}")) })
    }

    fn fee(&self, amount_minor: i64) -> i64 {
        (amount_minor * SANDBOX_FEE_BP + 5_000) / 10_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_cards_pay_and_decline_and_nothing_else_is_accepted() {
        let s = Sandbox;
        assert!(matches!(
            s.charge("o1", "4242 4242 4242 4242"),
            Ok(SandboxOutcome::Paid { .. })
        ));
        assert!(matches!(
            s.charge("o1", "4000-0000-0000-0002"),
            Ok(SandboxOutcome::Declined { .. })
        ));
        assert_eq!(
            s.charge("o1", "4242 4242 4242 4241"),
            Err(Problem::CardInvalid)
        );
        assert_eq!(
            s.charge("o1", "5555555555554444"),
            Err(Problem::CardInvalid)
        );
        assert_eq!(s.charge("o1", ""), Err(Problem::CardInvalid));
    }

    #[test]
    fn the_sandbox_fee_rounds_half_up() {
        assert_eq!(Sandbox.fee(4900), 142);
        assert_eq!(Sandbox.fee(0), 0);
    }
}
