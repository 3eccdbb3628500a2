//! Admin pages: people and their roles, and the mail outbox.

use crate::api::account::{admin_outbox, admin_users, AdminSetRole};
use crate::components::forms::{form_error, use_me, FormAlert, ServerForm};
use crate::components::notice::ErrorNotice;
use crate::components::seo::PageMeta;
use crate::models::account::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// `/admin/users`: find people; grant or remove the creator and admin roles.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let locale = use_me().locale;
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let users = crate::codec::resource(q, admin_users);
    let error = form_error(AdminSetRole::PATH);
    view! {
        <PageMeta title="People" description="Accounts and roles." path="/admin/users" />
        <AdminNav />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                let q = q();
                match users.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) => view! {
                        <section class="admin">
                            <h1>"People"</h1>
                            <form method="GET" action="/admin/users" class="row">
                                <label class="visually-hidden" for="admin-q">"Find by e-mail or name"</label>
                                <input id="admin-q" type="search" name="q" value=q placeholder="e-mail or name" />
                                <button type="submit">"Find"</button>
                            </form>
                            <FormAlert error locale />
                            <table>
                                <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Roles"</th><th>"Change"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|u| {
                                        let roles = u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
                                        let key = u.key.clone();
                                        let user_roles = u.roles.clone();
                                        let toggles = [Role::Creator, Role::Admin].into_iter().map(move |role| {
                                            let has = user_roles.contains(&role);
                                            let key = key.clone();
                                            let label = format!("{} {}", if has { "Remove" } else { "Make" }, role.as_str());
                                            view! {
                                                <ServerForm action=AdminSetRole::PATH error class="inline">
                                                    <input type="hidden" name="user" value=key />
                                                    <input type="hidden" name="role" value=role.as_str() />
                                                    <input type="hidden" name="on" value=if has { "false" } else { "true" } />
                                                    <button type="submit" class="secondary">{label}</button>
                                                </ServerForm>
                                            }
                                        }).collect_view();
                                        view! {
                                            <tr>
                                                <td>{u.display_name}</td>
                                                <td>{u.email}</td>
                                                <td>{roles}</td>
                                                <td>{toggles}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/admin/outbox`: mail the store wrote while no SMTP server is configured.
#[component]
pub fn AdminOutboxPage() -> impl IntoView {
    let mail = crate::codec::resource(|| (), |_| admin_outbox());
    view! {
        <PageMeta title="Outbox" description="Mail waiting in the outbox." path="/admin/outbox" />
        <AdminNav />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match mail.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) => view! {
                        <section class="admin">
                            <h1>"Outbox"</h1>
                            <p class="muted">"Mail the store sent while no SMTP server is configured, newest first."</p>
                            {list.is_empty().then(|| view! { <p>"The outbox is empty."</p> })}
                            {list.into_iter().map(|m| view! {
                                <article class="mail">
                                    <h2>{m.subject}</h2>
                                    <p class="muted">"To " {m.to} " · " {m.created_at}</p>
                                    <pre>{m.body}</pre>
                                </article>
                            }).collect_view()}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The admin pages' own links.
#[component]
fn AdminNav() -> impl IntoView {
    view! {
        <nav class="admin-nav" aria-label="Admin">
            <a href="/admin/users">"People"</a>
            <a href="/admin/outbox">"Outbox"</a>
            <a href="/admin/recommendations">"Recommendations"</a>
            <a href="/admin/moderation">"Moderation"</a>
            <a href="/studio/analytics">"Analytics"</a>
        </nav>
    }
}

/// `/admin/recommendations`: the model the store serves, how it compares with "most
/// popular", what changed since it was trained; retrain now (with a progress bar) or go
/// back to the version before.
#[component]
pub fn AdminRecommendationsPage() -> impl IntoView {
    use crate::api::reco::{
        recommendation_status, RetrainRecommendations, RollBackRecommendations,
    };
    let locale = use_me().locale;
    let poll = RwSignal::new(0u32);
    let status = crate::codec::resource(move || poll.get(), |_| recommendation_status());
    let retrain_error = form_error(RetrainRecommendations::PATH);
    let rollback_error = form_error(RollBackRecommendations::PATH);
    // While a run goes on, ask again every half second (only in the browser).
    Effect::new(move |_| {
        if let Some(Ok(s)) = status.get() {
            if s.job.running {
                set_timeout(
                    move || poll.update(|n| *n += 1),
                    std::time::Duration::from_millis(500),
                );
            }
        }
    });
    view! {
        <PageMeta title="Recommendations" description="The recommendation model." path="/admin/recommendations" />
        <AdminNav />
        <Transition fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match status.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(s) => {
                        let schedule = match (s.schedule.every_hours, s.schedule.after_events) {
                            (0, 0) => "Retrains only when asked.".to_string(),
                            (h, 0) => format!("Retrains every {h} hours."),
                            (0, e) => format!("Retrains after {e} new interactions."),
                            (h, e) => format!("Retrains every {h} hours, or sooner after {e} new interactions."),
                        };
                        let job = s.job.clone();
                        let active = s.active.clone().map(|m| {
                            let better = m.ndcg > m.popularity_ndcg;
                            view! {
                                <dl class="facts" data-testid="active-model">
                                    <dt>"Version"</dt><dd data-testid="active-version">{m.version}</dd>
                                    <dt>"Trained"</dt><dd>{m.trained_at.clone()} " (" {m.trigger.clone()} ")"</dd>
                                    <dt>"Trained on"</dt>
                                    <dd>{format!("{} interactions of {} learners with {} items", m.interactions, m.users, m.items)}</dd>
                                    <dt>"New items placed by tags"</dt><dd>{m.cold_items}</dd>
                                    <dt>"Factors"</dt><dd>{m.factors}</dd>
                                    <dt>"Fit"</dt><dd>{format!("{:.2} s", m.fit_seconds)}</dd>
                                    <dt>"NDCG@10, held out"</dt>
                                    <dd>
                                        <strong>{format!("{:.3}", m.ndcg)}</strong>
                                        {format!(" — most popular: {:.3}", m.popularity_ndcg)}
                                        <span class=if better { "badge" } else { "badge warn" }>
                                            {if better { "better than popularity" } else { "not better than popularity" }}
                                        </span>
                                    </dd>
                                </dl>
                            }
                        });
                        let history = s.history.clone();
                        let active_version = s.active.as_ref().map(|m| m.version);
                        view! {
                            <section class="admin">
                                <h1>"Recommendations"</h1>
                                <p class="muted">
                                    "Learners' browsers download the active model's item vectors and rank the catalogue on the device; their history never leaves it. "
                                    {schedule}
                                </p>
                                {match active {
                                    Some(a) => a.into_any(),
                                    None => view! { <p>"No model has been trained yet."</p> }.into_any(),
                                }}
                                <p>{format!("{} new interactions since this version was trained.", s.new_events)}</p>
                                <div class="training" aria-live="polite">
                                    {job.running.then(|| view! {
                                        <label for="training-progress">{format!("Training: {}", job.stage)}</label>
                                        <progress id="training-progress" max="100" value=job.percent()>{format!("{} %", job.percent())}</progress>
                                    })}
                                    {(!job.running && !job.stage.is_empty()).then(|| view! {
                                        <p data-testid="training-result">"Last run: " {job.stage.clone()}</p>
                                    })}
                                    {job.error.clone().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                                </div>
                                <div class="row">
                                    <ServerForm action=RetrainRecommendations::PATH error=retrain_error class="inline">
                                        <button type="submit" disabled=job.running>"Retrain now"</button>
                                    </ServerForm>
                                    {s.previous.map(|p| view! {
                                        <ServerForm action=RollBackRecommendations::PATH error=rollback_error class="inline">
                                            <button type="submit" class="secondary">{format!("Roll back to version {p}")}</button>
                                        </ServerForm>
                                    })}
                                </div>
                                <FormAlert error=retrain_error locale />
                                <FormAlert error=rollback_error locale />
                                <h2>"Versions"</h2>
                                <table>
                                    <thead><tr><th>"Version"</th><th>"Trained"</th><th>"Why"</th><th>"Interactions"</th><th>"NDCG@10"</th><th>"Popularity"</th></tr></thead>
                                    <tbody>
                                        {history.into_iter().map(|m| view! {
                                            <tr class:current=Some(m.version) == active_version>
                                                <td>{m.version} {(Some(m.version) == active_version).then_some(" (active)")}</td>
                                                <td>{m.trained_at}</td>
                                                <td>{m.trigger}</td>
                                                <td>{m.interactions}</td>
                                                <td>{format!("{:.3}", m.ndcg)}</td>
                                                <td>{format!("{:.3}", m.popularity_ndcg)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// `/admin/moderation`: reported and held things with what to do about them, suspended
/// accounts, the word list, and the latest moderation actions.
#[component]
pub fn AdminModerationPage() -> impl IntoView {
    use crate::api::moderation::{moderation_queue, LiftSuspension, Moderate, SetWordList};
    use crate::models::moderation::ModAction;
    let locale = use_me().locale;
    let query = use_query_map();
    let done = move || query.read().get("done");
    let view_data = crate::codec::resource(|| (), |_| moderation_queue());
    let act_error = form_error(Moderate::PATH);
    let words_error = form_error(SetWordList::PATH);
    let lift_error = form_error(LiftSuspension::PATH);
    view! {
        <PageMeta title="Moderation" description="Reports, held comments and reviews, suspended accounts, the word list." path="/admin/moderation" />
        <AdminNav />
        <Suspense fallback=|| view! { <crate::components::notice::Loading /> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(m) => view! {
                        <section class="admin moderation">
                            <h1>"Moderation"</h1>
                            {done().map(|d| view! { <p class="notice-ok" role="status" data-testid="moderation-done">{format!("Done: {d}.")}</p> })}
                            <FormAlert error=act_error locale />
                            <h2>{format!("Reported and held ({})", m.queue.len())}</h2>
                            {m.queue.is_empty().then(|| view! { <p class="empty">"Nothing is waiting: no open reports and nothing held by the word list."</p> })}
                            <ol class="queue" data-testid="queue">
                                {m.queue.into_iter().map(|e| {
                                    let reasons = e.reasons.iter().map(|r| r.label(locale)).collect::<Vec<_>>().join(", ");
                                    let kind = e.kind.as_str();
                                    let target = e.target.clone();
                                    view! {
                                        <li class="queue-entry" data-testid="queue-entry">
                                            <p>
                                                <span class="badge">{kind}</span>
                                                {e.held.then(|| view! { " " <span class="badge">"held by the word list"</span> })}
                                                {e.hidden.then(|| view! { " " <span class="badge">"hidden"</span> })}
                                                " on " <a href=format!("/item/{}", e.item_slug)>{e.item_title}</a>
                                                " · by " <strong>{e.author}</strong>
                                            </p>
                                            <blockquote class="reported-text">{e.text}</blockquote>
                                            <p class="muted">
                                                {format!("{} {} · {} · since {}", e.reporters, if e.reporters == 1 { "person reported it" } else { "people reported it" }, reasons, locale.date_time(&e.first_at))}
                                            </p>
                                            {(!e.notes.is_empty()).then(|| view! {
                                                <ul class="report-notes">{e.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                            })}
                                            <div class="row">
                                                {ModAction::ALL.into_iter().map(|a| {
                                                    let target = target.clone();
                                                    view! {
                                                        <ServerForm action=Moderate::PATH error=act_error class="inline">
                                                            <input type="hidden" name="kind" value=kind />
                                                            <input type="hidden" name="target" value=target />
                                                            <input type="hidden" name="action" value=a.as_str() />
                                                            <button type="submit" class="secondary">{a.label()}</button>
                                                        </ServerForm>
                                                    }
                                                }).collect_view()}
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>

                            <h2>"Word list"</h2>
                            <p class="muted">"While it is on, new comments and reviews that contain one of these words or phrases wait here until you let them through. Letters are compared without case; full-width letters count as ordinary ones."</p>
                            <ServerForm action=SetWordList::PATH error=words_error class="stack">
                                <label class="choice">
                                    <input type="checkbox" name="enabled" value="on" checked=m.words_enabled />
                                    " Hold new text that contains a listed word"
                                </label>
                                <label>
                                    <span>"Words and phrases, one per line"</span>
                                    <textarea name="words" rows="6">{m.words.join("\n")}</textarea>
                                </label>
                                <button type="submit">"Save the word list"</button>
                                <FormAlert error=words_error locale />
                            </ServerForm>

                            <h2>"Suspended accounts"</h2>
                            <FormAlert error=lift_error locale />
                            {if m.suspended.is_empty() {
                                view! { <p class="muted">"None."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="suspended" data-testid="suspended">
                                        {m.suspended.into_iter().map(|u| view! {
                                            <li>
                                                {u.name} " · " <span class="muted">{u.email}</span> " "
                                                <ServerForm action=LiftSuspension::PATH error=lift_error class="inline">
                                                    <input type="hidden" name="user" value=u.key />
                                                    <button type="submit" class="secondary">"Lift suspension"</button>
                                                </ServerForm>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}

                            <h2>"Latest actions"</h2>
                            <ol class="mod-log">
                                {m.log.into_iter().map(|l| view! {
                                    <li>{locale.date_time(&l.at)} " · " <strong>{l.actor}</strong> " · " {l.detail}</li>
                                }).collect_view()}
                            </ol>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
