//! Forms sent while offline: a comment, a reply, a like, a review, a lesson marked
//! complete. Each is kept on the device (IndexedDB, under the learner's key, so another
//! person on the same device never sends it) exactly as the form would have posted it, and
//! posted when the store can be reached again — in the order it was made.
//!
//! Sending twice changes nothing: a comment's form carries its own key (the server posts
//! one comment per key), and likes, reviews and lesson marks set a state rather than add
//! to one. A form the store refuses (the item is gone, the learner lost access) leaves the
//! queue with the store's reason, so nothing disappears without a word.
//!
//! Only compiled into the browser bundle.

use crate::device::{get_json, put_json};
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use server_fn::error::FromServerFnError;

/// One form waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedForm {
    /// The server function's path, e.g. `/api/post_comment`.
    pub action: String,
    /// The form's fields, URL-encoded.
    pub body: String,
}

fn queue_key(user: &str) -> String {
    format!("forms:{user}")
}

/// The forms waiting to be sent for `user`.
pub async fn pending(user: &str) -> Result<Vec<QueuedForm>, String> {
    Ok(get_json(&queue_key(user)).await?.unwrap_or_default())
}

/// Keeps a form for `user` to send later. The same form twice (a double tap) is kept once.
pub async fn push(user: &str, form: QueuedForm) -> Result<(), String> {
    let mut queue = pending(user).await?;
    if !queue.contains(&form) {
        queue.push(form);
    }
    put_json(&queue_key(user), &queue).await
}

/// What sending the queue did.
#[derive(Debug, Default)]
pub struct Sent {
    /// Forms the store took.
    pub sent: usize,
    /// Forms still waiting (the store could not be reached).
    pub waiting: usize,
    /// Reasons of the forms the store refused (dropped from the queue).
    pub refused: Vec<String>,
}

/// Posts `user`'s queue in order. Stops at the first form the store cannot be reached for
/// (the rest keep their order for the next try).
pub async fn flush(user: &str) -> Result<Sent, String> {
    let queue = pending(user).await?;
    let mut out = Sent::default();
    let mut done = 0;
    for form in &queue {
        let answer = match gloo::net::http::Request::post(&form.action)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.body.clone())
        {
            Ok(request) => request.send().await,
            Err(e) => Err(e),
        };
        match answer {
            Ok(res) if res.ok() => out.sent += 1,
            // Signed out meanwhile, or the store is busy: try again later.
            Ok(res) if res.status() == 401 || res.status() == 429 || res.status() >= 500 => break,
            Ok(res) => {
                let text = res.text().await.unwrap_or_default();
                let reason = if res.headers().get("serverfnerror").is_some() {
                    AppError::de(text.into()).to_string()
                } else {
                    text
                };
                out.refused.push(reason);
            }
            Err(_) => break,
        }
        done += 1;
    }
    // Forms queued while this ran stay after the ones left.
    let mut rest = pending(user).await?;
    let finished = &queue[..done];
    rest.retain(|f| !finished.contains(f));
    out.waiting = rest.len();
    put_json(&queue_key(user), &rest).await?;
    Ok(out)
}
