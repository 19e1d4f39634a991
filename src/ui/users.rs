//! Users and roles: plain forms; the result comes back in the URL (`?done=`, or leptos's
//! `?__err=` with the refused form's error).
use super::i18n::{use_i18n, Msg};
use super::session::MerchantPage;
use super::widgets::{field_of, form_error, ErrorBanner, FieldMsg, Status};
use crate::api::users::{
    list_users, take_reset_link, CreateUser, MakeResetLink, RemoveUser, SetUserDisabled,
    SetUserRole,
};
use crate::domain::error::ErrorCode;
use crate::domain::role::Role;
use crate::domain::time::format_utc;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

fn role_msg(r: Role) -> Msg {
    match r {
        Role::Merchant => Msg::RoleMerchant,
        Role::Analyst => Msg::RoleAnalyst,
        Role::Support => Msg::RoleSupport,
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <MerchantPage title=Msg::UsersTitle denied=Msg::DeniedUsers>
            <UsersBody/>
        </MerchantPage>
    }
}

/// The page for a merchant (other roles are told why they cannot use it).
#[component]
fn UsersBody() -> impl IntoView {
    let i18n = use_i18n();
    let users = Resource::new(|| (), |_| list_users());
    let q = use_query_map().get_untracked();
    let done = q.get("done").and_then(|d| match d.as_str() {
        "added" => Some(Msg::UserAdded),
        "role" => Some(Msg::RoleChanged),
        "disabled" => Some(Msg::UserDisabledDone),
        "enabled" => Some(Msg::UserEnabledDone),
        "reset" => Some(Msg::ResetLinkMade),
        _ => None,
    });
    let removed = q.get("done").as_deref() == Some("removed");
    let reset_link = Resource::new(|| (), |_| take_reset_link());
    let done_user = q.get("user");
    let create_error = form_error::<CreateUser>();
    let role_error = form_error::<SetUserRole>()
        .or_else(form_error::<SetUserDisabled>)
        .or_else(form_error::<RemoveUser>)
        .or_else(form_error::<MakeResetLink>);
    let create_top = create_error
        .clone()
        .filter(|e| e.code != ErrorCode::Validation)
        .map(|e| view! { <ErrorBanner error=e/> });
    view! {
        <div>
            <p class="lead">{i18n.t(Msg::UsersIntro)}</p>
            {role_error.map(|e| view! { <ErrorBanner error=e/> })}
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || users.get().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(list) => {
                        let status = done.zip(done_user.as_ref().and_then(|id| list.iter().find(|u| &u.id == id)))
                            .map(|(m, u)| format!("{} {}", i18n.now(m), u.email))
                            .or_else(|| removed.then(|| i18n.now(Msg::UserRemovedDone).to_string()));
                        view! {
                            <Status text=status/>
                            {move || reset_link.get().and_then(|r| r.ok().flatten()).map(|link| view! {
                                <div class="banner" role="status">
                                    <p>{i18n.t(Msg::ResetLinkIntro)}</p>
                                    <p><code data-testid="reset-link">{link}</code></p>
                                </div>
                            })}
                            <table class="users">
                                <thead><tr>
                                    <th scope="col">{i18n.t(Msg::Email)}</th>
                                    <th scope="col">{i18n.t(Msg::Role)}</th>
                                    <th scope="col">{i18n.t(Msg::Created)}</th>
                                    <th scope="col">{i18n.t(Msg::UserStatus)}</th>
                                    <th scope="col">{i18n.t(Msg::UserActions)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|u| {
                                        let select_id = format!("role-{}", u.id);
                                        let label = format!("{} — {}", u.email, i18n.now(Msg::Role));
                                        view! {
                                            <tr>
                                                <td>{u.email.clone()}</td>
                                                <td>
                                                    <form method="post" action=SetUserRole::PATH class="inline">
                                                        <input type="hidden" name="id" value=u.id.clone()/>
                                                        <select id=select_id name="role" aria-label=label>
                                                            {Role::ALL.into_iter().map(|r| view! {
                                                                <option value=r.as_str() selected=r == u.role>{i18n.t(role_msg(r))}</option>
                                                            }).collect_view()}
                                                        </select>
                                                        <button type="submit" data-pending=i18n.now(Msg::Saving)>{i18n.t(Msg::SetRole)}</button>
                                                    </form>
                                                </td>
                                                <td>{format_utc(u.created_at)}</td>
                                                <td>{i18n.t(if u.disabled { Msg::UserIsDisabled } else { Msg::UserActive })}</td>
                                                <td class="actions">
                                                    <form method="post" action=SetUserDisabled::PATH class="inline">
                                                        <input type="hidden" name="id" value=u.id.clone()/>
                                                        <input type="hidden" name="disabled" value=(!u.disabled).to_string()/>
                                                        <button type="submit" aria-label=format!("{} {}", i18n.now(if u.disabled { Msg::Enable } else { Msg::Disable }), u.email)
                                                            data-pending=i18n.now(Msg::Saving)>
                                                            {i18n.t(if u.disabled { Msg::Enable } else { Msg::Disable })}
                                                        </button>
                                                    </form>
                                                    <form method="post" action=MakeResetLink::PATH class="inline">
                                                        <input type="hidden" name="id" value=u.id.clone()/>
                                                        <button type="submit" aria-label=format!("{} {}", i18n.now(Msg::MakeResetLink), u.email)
                                                            data-pending=i18n.now(Msg::Working)>{i18n.t(Msg::MakeResetLink)}</button>
                                                    </form>
                                                    <form method="post" action=RemoveUser::PATH class="inline">
                                                        <input type="hidden" name="id" value=u.id.clone()/>
                                                        <label class="check">
                                                            <input type="checkbox" name="confirm" value="yes" required=true/>
                                                            {i18n.t(Msg::RemoveConfirm)}
                                                        </label>
                                                        <button type="submit" class="danger" aria-label=format!("{} {}", i18n.now(Msg::RemoveUser), u.email)
                                                            data-pending=i18n.now(Msg::Deleting)>{i18n.t(Msg::RemoveUser)}</button>
                                                    </form>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                })}
            </Suspense>
            <form class="form narrow" method="post" action=CreateUser::PATH novalidate=true>
                <h2>{i18n.t(Msg::AddUser)}</h2>
                {create_top}
                <label for="new-email">{i18n.t(Msg::Email)}</label>
                <input id="new-email" name="email" type="email" aria-describedby="new-email-error"/>
                <FieldMsg id="new-email-error".into() error=field_of(&create_error, "email")/>
                <label for="new-password">{i18n.t(Msg::Password)}</label>
                <input id="new-password" name="password" type="password" autocomplete="new-password" aria-describedby="new-password-error"/>
                <FieldMsg id="new-password-error".into() error=field_of(&create_error, "password")/>
                <label for="new-role">{i18n.t(Msg::Role)}</label>
                <select id="new-role" name="role">
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == Role::Analyst>{i18n.t(role_msg(r))}</option> }).collect_view()}
                </select>
                <button type="submit" class="primary" data-pending=i18n.now(Msg::Saving)>{i18n.t(Msg::AddUser)}</button>
            </form>
        </div>
    }
}
