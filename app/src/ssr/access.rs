//! Who may read what. This is the only module that reads an item's paid body, so the rule
//! "the body never leaves the server for someone who may not read it" is kept in one place.

use super::db::{record_key, rows, Db, DbError};
use crate::models::catalog::Block;
use serde::Deserialize;
use serde_json::json;

/// The person asking. Accounts, purchases and memberships extend this; until then every
/// visitor is anonymous.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Viewer {
    /// Not signed in.
    #[default]
    Anonymous,
}

/// What the access rule needs to know about an item.
#[derive(Debug, Clone, Copy)]
pub struct ItemTerms {
    /// Price in minor units (0 = free).
    pub price_minor: i64,
}

/// Whether `viewer` may read the whole of an item sold on `terms`.
pub fn may_read_body(viewer: &Viewer, terms: ItemTerms) -> bool {
    match viewer {
        Viewer::Anonymous => terms.price_minor == 0,
    }
}

#[derive(Deserialize)]
struct BodyRow {
    blocks: Vec<Block>,
}

/// The body of item `item_key` if `viewer` may read it; `None` (and no database read) if not.
pub async fn body_for(
    db: &Db,
    viewer: &Viewer,
    item_key: &str,
    terms: ItemTerms,
) -> Result<Option<Vec<Block>>, DbError> {
    if !may_read_body(viewer, terms) {
        return Ok(None);
    }
    let found: Vec<BodyRow> = rows(
        db,
        "read item body",
        "SELECT blocks FROM type::record('item_body', $key)",
        json!({ "key": record_key(item_key) }),
        0,
    )
    .await?;
    Ok(Some(
        found
            .into_iter()
            .next()
            .map(|b| b.blocks)
            .unwrap_or_default(),
    ))
}

/// How many sections (headings) the body has: shown to viewers who cannot read it, as
/// "N more sections", without their titles.
pub async fn locked_section_count(db: &Db, item_key: &str) -> Result<u32, DbError> {
    #[derive(Deserialize)]
    struct Count {
        n: u32,
    }
    let found: Vec<Count> = rows(
        db,
        "count locked sections",
        "SELECT array::len(blocks[WHERE kind = 'heading']) AS n FROM type::record('item_body', $key)",
        json!({ "key": record_key(item_key) }),
        0,
    )
    .await?;
    Ok(found.first().map(|c| c.n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_visitors_read_only_free_items_in_full() {
        assert!(may_read_body(
            &Viewer::Anonymous,
            ItemTerms { price_minor: 0 }
        ));
        assert!(!may_read_body(
            &Viewer::Anonymous,
            ItemTerms { price_minor: 1 }
        ));
    }
}
