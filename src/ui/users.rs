use super::errors::error_text;
use super::i18n::{use_i18n, Msg};
use super::widgets::{ErrorBanner, FieldMsg, Status};
use crate::api::users::{list_users, CreateUser, SetUserRole};
use crate::domain::error::ErrorCode;
use crate::domain::role::Role;
use crate::domain::time::format_utc;
use leptos::prelude::*;

fn role_msg(r: Role) -> Msg {
    match r {
        Role::Merchant => Msg::RoleMerchant,
        Role::Analyst => Msg::RoleAnalyst,
        Role::Support => Msg::RoleSupport,
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let users = Resource::new(
        move || (create.version().get(), set_role.version().get()),
        |_| list_users(),
    );
    let status = RwSignal::new(None::<String>);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Analyst);
    Effect::new(move |_| {
        if let Some(Ok(u)) = create.value().get() {
            status.set(Some(format!("{} {}", i18n.now(Msg::UserAdded), u.email)));
            email.set(String::new());
            password.set(String::new());
        }
    });
    Effect::new(move |_| {
        if let Some(r) = set_role.value().get() {
            status.set(Some(match r {
                Ok(u) => format!("{} {}", i18n.now(Msg::RoleChanged), u.email),
                Err(e) => error_text(i18n.0.get_untracked(), &e),
            }));
        }
    });
    let create_err = move |field: &'static str| {
        Signal::derive(move || {
            create
                .value()
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.field(field).cloned())
        })
    };
    let create_top = move || {
        create
            .value()
            .get()
            .and_then(|r| r.err())
            .filter(|e| e.code != ErrorCode::Validation)
            .map(|e| view! { <ErrorBanner error=e/> })
    };
    let pending = create.pending();
    view! {
        <section class="page">
            <h1>{i18n.t(Msg::UsersTitle)}</h1>
            <p class="lead">{i18n.t(Msg::UsersIntro)}</p>
            <Status text=status/>
            <Transition fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || users.get().map(|r| match r {
                    Err(e) if e.code == ErrorCode::Forbidden => view! { <div class="banner error" role="alert"><p>{i18n.t(Msg::DeniedUsers)}</p></div> }.into_any(),
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(list) => view! {
                        <table class="users">
                            <thead><tr>
                                <th scope="col">{i18n.t(Msg::Email)}</th>
                                <th scope="col">{i18n.t(Msg::Role)}</th>
                                <th scope="col">{i18n.t(Msg::Created)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let id = u.id.clone();
                                    let label = format!("{} — {}", u.email, i18n.now(Msg::Role));
                                    view! {
                                        <tr>
                                            <td>{u.email.clone()}</td>
                                            <td>
                                                <select aria-label=label disabled=set_role.pending()
                                                    on:change=move |ev| {
                                                        if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                                            set_role.dispatch(SetUserRole { id: id.clone(), role: r });
                                                        }
                                                    }>
                                                    {Role::ALL.into_iter().map(|r| view! {
                                                        <option value=r.as_str() selected=r == u.role>{i18n.t(role_msg(r))}</option>
                                                    }).collect_view()}
                                                </select>
                                            </td>
                                            <td>{format_utc(u.created_at)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <form class="form narrow" on:submit=move |ev| {
                            ev.prevent_default();
                            create.dispatch(CreateUser { email: email.get_untracked(), password: password.get_untracked(), role: role.get_untracked() });
                        }>
                            <h2>{i18n.t(Msg::AddUser)}</h2>
                            {create_top}
                            <label for="new-email">{i18n.t(Msg::Email)}</label>
                            <input id="new-email" type="email" aria-describedby="new-email-error" prop:value=email on:input=move |ev| email.set(event_target_value(&ev))/>
                            <FieldMsg id="new-email-error".into() error=create_err("email")/>
                            <label for="new-password">{i18n.t(Msg::Password)}</label>
                            <input id="new-password" type="password" autocomplete="new-password" aria-describedby="new-password-error" prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/>
                            <FieldMsg id="new-password-error".into() error=create_err("password")/>
                            <label for="new-role">{i18n.t(Msg::Role)}</label>
                            <select id="new-role" on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::Analyst))>
                                {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=move || role.get() == r>{i18n.t(role_msg(r))}</option> }).collect_view()}
                            </select>
                            <button type="submit" class="primary" disabled=pending>
                                {move || i18n.now(if pending.get() { Msg::Saving } else { Msg::AddUser })}
                            </button>
                        </form>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
