//! Memberships: a creator's tier opens every item marked for it while the learner's
//! membership lasts. A membership is a run of periods (see the `membership` table): each
//! purchase of a plan adds one period that starts where the last one ends, and a
//! first-time member may start one free trial. Access is checked against the clock, so an
//! expired membership closes the items without any job having to run.

use super::super::access::{SignedIn, Viewer};
use super::super::catalog::{CatalogIndex, IndexedTier};
use super::super::db::{rows, transact, Db, TxError};
use super::db_err;
use crate::error::AppError;
use crate::models::commerce::{MembershipState, MembershipView, Plan, TierOffer};
use crate::models::i18n::Locale;
use crate::models::money::Price;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct PeriodRow {
    plan: String,
    ends_at: String,
    live: bool,
    current: bool,
}

/// `user_key`'s membership in tier `tier_key` (offering a trial of `trial_days`).
pub async fn state(
    db: &Db,
    user_key: &str,
    tier_key: &str,
    trial_days: u32,
) -> Result<MembershipState, AppError> {
    let periods: Vec<PeriodRow> = rows(
        db,
        "read membership",
        "SELECT plan, <string> ends_at AS ends_at, revoked_at = NONE AS live,
                (revoked_at = NONE AND starts_at <= time::now() AND ends_at > time::now()) AS current
         FROM membership WHERE user = type::record('user', $user) AND tier = type::record('membership_tier', $tier)",
        json!({ "user": user_key, "tier": tier_key }),
        0,
    )
    .await
    .map_err(db_err("read membership"))?;
    let current = periods.iter().find(|p| p.current);
    Ok(MembershipState {
        active: current.is_some(),
        on_trial: current.is_some_and(|p| p.plan == "trial"),
        until: periods
            .iter()
            .filter(|p| p.live)
            .map(|p| p.ends_at.clone())
            .max(),
        trial_available: trial_days > 0 && periods.is_empty(),
    })
}

/// How a tier is offered, with `mine` as the viewer's membership.
pub fn offer(index: &CatalogIndex, tier: &IndexedTier, mine: Option<MembershipState>) -> TierOffer {
    let price = |minor| Price {
        minor,
        currency: tier.currency.clone(),
    };
    TierOffer {
        key: tier.key.clone(),
        name: tier.name.clone(),
        description: tier.description.clone(),
        creator_name: tier.creator_name.clone(),
        creator_slug: tier.creator_slug.clone(),
        monthly: price(tier.price_monthly_minor),
        yearly: price(tier.price_yearly_minor),
        trial_days: tier.trial_days,
        item_count: index.tier_items(&tier.key).count() as u32,
        mine,
    }
}

/// The tier `tier_key` as `viewer` sees it.
pub async fn tier_offer(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    tier_key: &str,
) -> Result<Option<TierOffer>, AppError> {
    let Some(tier) = index.tier(tier_key) else {
        return Ok(None);
    };
    let mine = match viewer.user() {
        Some(u) => Some(state(db, &u.user_key, &tier.key, tier.trial_days).await?),
        None => None,
    };
    Ok(Some(offer(index, tier, mine)))
}

/// The membership page of tier `tier_key`.
pub async fn view(
    db: &Db,
    index: &CatalogIndex,
    viewer: &Viewer,
    tier_key: &str,
) -> Result<MembershipView, AppError> {
    let tier = tier_offer(db, index, viewer, tier_key)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such membership.".into()))?;
    let items = index.tier_items(tier_key).map(|i| i.card.clone()).collect();
    Ok(MembershipView { tier, items })
}

/// The title of a membership line in the cart and on receipts.
pub fn line_title(tier_name: &str, plan: Plan, locale: Locale) -> String {
    let period = match (plan, locale) {
        (Plan::Monthly, Locale::En) => "30 days",
        (Plan::Yearly, Locale::En) => "1 year",
        (Plan::Monthly, Locale::Zh) => "月度（30 天）",
        (Plan::Yearly, Locale::Zh) => "年度（365 天）",
    };
    format!("{tier_name} · {period}")
}

/// Starts `me`'s free trial of tier `tier_key`: once per learner and tier, and only for
/// someone who has never been a member of it.
pub async fn start_trial(
    db: &Db,
    index: &CatalogIndex,
    me: &SignedIn,
    tier_key: &str,
) -> Result<(), AppError> {
    let tier = index
        .tier(tier_key)
        .ok_or_else(|| AppError::NotFound("There is no such membership.".into()))?;
    if tier.trial_days == 0 {
        return Err(AppError::BadRequest(
            "This membership has no free trial.".into(),
        ));
    }
    let result = transact(
        db,
        "start trial",
        "BEGIN TRANSACTION;
         LET $u = type::record('user', $user);
         LET $t = type::record('membership_tier', $tier);
         IF array::len((SELECT VALUE id FROM membership WHERE user = $u AND tier = $t LIMIT 1)) > 0 {
            THROW 'shuzhai:trial-used'
         };
         CREATE type::record('membership', $key) SET user = $u, tier = $t, plan = 'trial',
            starts_at = time::now(), ends_at = time::now() + <duration> $length;
         COMMIT TRANSACTION;",
        json!({
            "user": me.user_key, "tier": tier.key,
            "key": format!("{}_{}_trial", me.user_key, tier.key),
            "length": format!("{}d", tier.trial_days),
        }),
    )
    .await;
    match result {
        Ok(()) => Ok(()),
        Err(TxError::Refused(_)) => Err(AppError::Conflict(
            "The free trial is for first-time members, and you have been a member before.".into(),
        )),
        Err(TxError::Db(e)) => {
            // The same learner pressing the button twice at once: one trial was made.
            let now = state(db, &me.user_key, &tier.key, tier.trial_days).await?;
            if now.on_trial {
                Ok(())
            } else {
                Err(AppError::internal("start trial", e))
            }
        }
    }
}
