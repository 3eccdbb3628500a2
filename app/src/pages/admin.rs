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
    let users = Resource::new(q, admin_users);
    let error = form_error(AdminSetRole::PATH);
    view! {
        <PageMeta title="People" description="Accounts and roles." path="/admin/users" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    let mail = Resource::new(|| (), |_| admin_outbox());
    view! {
        <PageMeta title="Outbox" description="Mail waiting in the outbox." path="/admin/outbox" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
