//! The one translation layer. Every visible string is a `Msg`; each language is an exhaustive
//! `match`, so a missing translation is a compile error. Hand-written: an i18n crate would add
//! bundle size for what is a lookup table.
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }
    pub fn from_code(s: &str) -> Lang {
        if s.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// Every visible string. The browser build keeps only the texts its islands can show (the
/// rule editor and what it calls): the others' arms are `ssr`-only, so the wasm does not carry
/// every page's text in two languages. An island showing a server-only text would render it
/// empty and fail to hydrate, which the browser tests of the editor would catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    AppName,
    NavRules,
    NavUsers,
    NavHome,
    SkipToContent,
    SignIn,
    SignOut,
    SigningIn,
    Email,
    Password,
    Language,
    Loading,
    Saving,
    Working,
    Save,
    Cancel,
    Delete,
    Deleting,
    Edit,
    Retry,
    HomeTitle,
    NavAccount,
    AccountTitle,
    ChangePassword,
    CurrentPassword,
    NewPassword,
    PasswordChanged,
    SignOutOthers,
    SignOutOthersIntro,
    SignedOutOthers,
    UserStatus,
    UserActions,
    UserActive,
    UserIsDisabled,
    Disable,
    Enable,
    RemoveUser,
    RemoveConfirm,
    MakeResetLink,
    UserDisabledDone,
    UserEnabledDone,
    UserRemovedDone,
    ResetLinkMade,
    ResetLinkIntro,
    ResetTitle,
    ResetSave,
    ResetInvalid,
    ResetDone,
    SettingPassword,
    SetRole,
    NotFoundTitle,
    NotFoundBody,
    HomeIntro,
    HomeMerchant,
    HomeAnalyst,
    HomeSupport,
    SignedInAs,
    NotSignedIn,
    GoSignIn,
    DeniedRules,
    DeniedUsers,
    DeniedSettings,
    RulesTitle,
    RulesIntro,
    NewRule,
    NoRules,
    ColOrder,
    ColRule,
    ColWhenOffer,
    ColTiming,
    ColEnabled,
    ColActions,
    MoveUp,
    MoveDown,
    Enabled,
    Disabled,
    ConfirmDelete,
    RuleSaved,
    RuleDeleted,
    OrderSaved,
    EditorNew,
    EditorEdit,
    FieldName,
    FieldKind,
    FieldParent,
    FieldParentHelp,
    FieldParentNext,
    FieldDiscount,
    FieldDiscountHelp,
    FieldDiscountCycles,
    FieldDiscountCyclesHelp,
    ErrDiscountPlanChange,
    FieldParentNextHelp,
    FieldTrigger,
    FieldOffer,
    FieldQuantity,
    FieldHeadline,
    FieldValueProp,
    FieldBadge,
    FieldBadgeHelp,
    FieldTiming,
    FieldExpiry,
    FieldEnabled,
    SearchProducts,
    NoProductMatch,
    ChooseProduct,
    ChooseRule,
    KindUpsell,
    KindCrossSell,
    KindDownsell,
    KindNext,
    TimingPostPurchase,
    TimingUsageMilestone,
    TimingNearPlanLimit,
    TimingOnboardingComplete,
    OneTime,
    Preview,
    PreviewHint,
    PreviewAccept,
    PreviewDecline,
    PreviewMore,
    PreviewLess,
    PreviewSame,
    PreviewBought,
    PreviewDeclined,
    ExpiresIn,
    Minutes,
    ConflictTitle,
    LoadLatest,
    AuditTitle,
    AuditEmpty,
    AuditChanged,
    ActCreate,
    ActUpdate,
    ActDelete,
    ActEnable,
    ActDisable,
    ActReorder,
    ActSetRole,
    UsersTitle,
    UsersIntro,
    AddUser,
    Role,
    RoleMerchant,
    RoleAnalyst,
    RoleSupport,
    UserAdded,
    RoleChanged,
    Created,
    ErrSameProduct,
    ErrProductMissing,
    ErrCurrency,
    ErrDownsellNotCheaper,
    ErrChainLoop,
    ErrParentHasNext,
    ErrParentIsSave,
    ErrChainTooLong,
    ErrParentRequired,
    ErrParentMissing,
    ErrParentHasDownsell,
    ErrNameTaken,
    ErrRequired,
    ErrTooLong,
    ErrQuantity,
    ErrExpiry,
    ErrEmail,
    ErrEmailTaken,
    ErrPasswordShort,
    ErrCatchAllKind,
    ErrDiscountRange,
    ErrCyclesRange,
    ErrSaveNeedsPlan,
    ErrFreeDays,
    ErrSaveNotCheaper,
    ErrCurrencyCode,
    ErrValueNegative,
    ErrValueRange,
    ErrTooMany,
    ErrCode,
    ErrQuantityOrder,
    ErrScheduleOrder,
    ErrZoneUnknown,
    ErrDatetime,
    ErrCapOffers,
    ErrCapDays,
    ErrAmountInvalid,
    ErrConfirmRequired,
    ErrPasswordWrong,
    ErrReasonInvalid,
    ErrCurrencyInvalid,
    ErrSignIn,
    ErrSignInWait,
    ErrUnauthenticated,
    ErrForbidden,
    ErrNotFound,
    ErrConflict,
    ErrChangeScheduled,
    ErrChangeInProgress,
    ErrRateLimited,
    ErrUpstream,
    ErrInternal,
    ErrBadRequest,
    OfferCharging,
    OfferPaid,
    OfferNextLink,
    OfferSaving,
    OfferDiscountCycles,
    OfferThanks,
    OfferExpired,
    OfferEndedSamePlan,
    OfferEndedNotActive,
    OfferEndedCancelling,
    OfferEndedProductGone,
    OfferEndedChanged,
    OfferNoMethod,
    OfferFallback,
    OfferUpdateMethod,
    SettingsTitle,
    TokensIntro,
    TokenName,
    TokenCreate,
    TokenOnce,
    TokenRevoke,
    TokenRevoked,
    SandboxTitle,
    SandboxIntro,
    SandboxCustomer,
    SandboxProduct,
    SandboxBuy,
    SandboxPaid,
    SandboxOpenOffer,
    SandboxNoOffer,
    SandboxFaults,
    SandboxNextCharges,
    SandboxApply,
    SandboxApplied,
    NavSettings,
    NavSandbox,
    DeclineFunds,
    DeclineExpired,
    DeclineBank,
    DeclineConfirm,
    DeclineBlocked,
    DeclineNetwork,
    DeclineOther,
    ErrValidation,
    NavAnalytics,
    AnTitle,
    AnIntro,
    AnDaysIn,
    AnFrom,
    AnTo,
    AnLast7,
    AnLast30,
    AnLast90,
    AnKind,
    AnAll,
    AnTrigger,
    AnOffered,
    AnCurrency,
    AnApply,
    AnUpdating,
    AnExport,
    AnOffer,
    AnCreated,
    AnShown,
    AnAccepted,
    AnPaid,
    AnDeclined,
    AnFailed,
    AnExpired,
    AnFallback,
    AnTakeRate,
    AnConversion,
    AnRevenue,
    AnRevPerShown,
    AnUplift,
    AnTotal,
    AnFreeTimeSamePlan,
    AnNoData,
    AnTrend,
    AnTrendWeekly,
    AnFunnel,
    AnOfCreated,
    AnOfStep,
    AnExperiments,
    AnDeclines,
    AnRecent,
    AnCustomer,
    AnWhen,
    AnOutcome,
    AnAmount,
    AnArm,
    AnCustomers,
    AnRevPerCustomer,
    AnNotEnough,
    AnSignificant,
    AnNotSignificant,
    AnDeclineCode,
    AnReason,
    AnCount,
    AnShare,
    AnDenied,
    AnHoldout,
    AnPickOffer,
    AnExperimentNote,
    AnNoExperiments,
    AnNoDeclines,
    AnConversionShort,
    AnDiff,
    AnSortBy,
    HomeAnalyticsLink,
    AnRange,
    FieldExperiment,
    FieldExperimentHelp,
    FieldBProduct,
    FieldSameAsA,
    FieldBHeadline,
    FieldBWeight,
    FieldHoldout,
    ErrWeight,
    ErrHoldout,
    ErrVariantSame,
    NavSubscriptions,
    SubsTitle,
    SubsIntro,
    SubsSearchLabel,
    SubsSearch,
    SubsNoMatch,
    DeniedSubscriptions,
    SubsMethods,
    SubsNoMethods,
    SubsExpired,
    SubsNotRecurring,
    SubsRenewals,
    SubsColPlan,
    SubsColQuantity,
    SubsColPrice,
    SubsColStatus,
    SubsColNextBilling,
    SubsScheduledTo,
    SubsBilledFrom,
    SubsCancelScheduledFirst,
    SubsChangePlan,
    SubsTarget,
    SubsQuantity,
    SubsEffective,
    SubsImmediately,
    SubsNextBillingDate,
    SubsOnFailure,
    SubsPreventChange,
    SubsApplyChange,
    SubsPreview,
    SubsPreviewing,
    SubsChargedNow,
    SubsCredit,
    SubsTakesEffect,
    SubsNewNextBilling,
    SubsModeProrated,
    SubsModeDifference,
    SubsModeFull,
    SubsExplainProrated,
    SubsExplainDifference,
    SubsExplainFull,
    SubsExplainScheduled,
    SubsChoose,
    SubsNeedsApproval,
    SubsConfirmTitle,
    SubsConfirmCharge,
    SubsConfirmCredit,
    SubsReason,
    SubsReasonNote,
    SubsReasonCustomer,
    SubsReasonBilling,
    SubsReasonRetention,
    SubsReasonGoodwill,
    SubsReasonOther,
    SubsExecute,
    SubsExecuting,
    SubsRequestApproval,
    SubsStateExecuting,
    SubsStateApplied,
    SubsStateFailed,
    SubsStateScheduled,
    SubsStateAwaiting,
    SubsStateApproved,
    SubsStateCancelled,
    SubsStatePreviewed,
    SubsCancelChange,
    SubsApprove,
    SubsApprovals,
    SubsHistory,
    SubsNoHistory,
    SubsColWhen,
    SubsColWho,
    SubsColChange,
    SubsColMode,
    SubsColPreviewed,
    SubsColCharged,
    SubsColState,
    SubsMismatch,
    SubsOnHold,
    SubsThresholdTitle,
    SubsThresholdIntro,
    SubsThresholdCurrency,
    SubsThresholdAmount,
    SubsThresholdSave,
    SubsThresholdNone,
    SubsLineItems,
    SubsLinesNote,
    SubsCreditUsed,
    SubsCustomer,
    SubsThresholdSaved,
    SubsAmountInvalid,
    SubsEndsAtPeriodEnd,
    TimingOnCancel,
    TimingOnDecline,
    TimingOnAccept,
    AnSavesTitle,
    AnSavesNote,
    AnSaveReason,
    AnSaveAsked,
    AnSaveOffered,
    AnSaveHeldOut,
    AnSaveSaved,
    AnSaveCancelled,
    AnSaveRate,
    AnSaveRetained,
    KindSave,
    ActionOneTime,
    ActionNewSubscription,
    ActionPlanChange,
    ActionFreeTime,
    RulesColAction,
    OfferToday,
    OfferNothingToday,
    OfferThen,
    OfferFrom,
    OfferFullPrice,
    OfferYourPlan,
    OfferUpgrade,
    OfferKeep,
    OfferStayOn,
    OfferCancelAnyway,
    OfferDaysFree,
    OfferNextPayment,
    OfferCancelled,
    OfferSaved,
    OfferPlanChanged,
    OfferMovesSubscription,
    EditorTerms,
    EditorProration,
    EditorOnFailure,
    EditorPreventChange,
    EditorApplyChange,
    EditorCancelReason,
    EditorAnyReason,
    EditorFreeDays,
    ReasonTooExpensive,
    ReasonNotUsing,
    ReasonMissingFeature,
    ReasonSwitching,
    ReasonOther,
    ModeProrated,
    ModeDifference,
    ModeFull,
    SandboxSubscriber,
    SandboxSubscription,
    SandboxNearLimit,
    SandboxAsksToCancel,
    SandboxNoSubscriberOffer,
    SubsOffers,
    SubsOffersCaption,
    SubsNoOffers,
    SubsOfferColRule,
    SubsOfferColOffered,
    SubsOfferColNow,
    SubsOfferColAfter,
    SubsOfferColState,
    SubsOfferColResult,
    SubsOfferRuleDeleted,
    SubsOfferNewSubscription,
    SubsOfferFreeDays,
    SubsOfferSave,
    SubsOfferPending,
    SubsOfferCharging,
    SubsOfferPaid,
    SubsOfferFailed,
    SubsOfferDeclined,
    SubsOfferExpired,
    SubsOfferFallback,
    SubsOfferPayment,
    SubsOfferCancelReason,
    SubsSaveOffered,
    SubsSaveSaved,
    SubsSaveCancelling,
    SubsSaveCancelled,
    TgTitle,
    TgHelp,
    TgOrderValue,
    TgFrom,
    TgUpTo,
    TgCustomer,
    TgAnyone,
    TgNew,
    TgReturning,
    TgCurrencies,
    TgCountries,
    TgExclude,
    TgQuantity,
    TgStart,
    TgEnd,
    TgZone,
    AnyProduct,
    TgNewCustomers,
    TgReturningCustomers,
    TgNotHolders,
    TgEnded,
    PvTitle,
    PvIntro,
    PvCustomer,
    PvProduct,
    PvTotal,
    PvCountry,
    PvQuantity,
    PvRun,
    PvFires,
    PvNone,
    PvCatchAll,
    CapTitle,
    CapIntro,
    CapOffers,
    CapDays,
    CapSaved,
    CapNow,
    CapNone,
    CapSave,
    VerTitle,
    VerIntro,
    VerNumber,
    VerWhen,
    VerWho,
    VerWhat,
    VerCompare,
    VerRollback,
    VerRollingBack,
    VerLive,
    VerDiffTitle,
    VerCompareFrom,
    VerCompareTo,
    VerCompareRun,
    VerNoChanges,
    VerAdded,
    VerRemoved,
    VerField,
    VerBefore,
    VerAfter,
    VerExport,
    VerImportTitle,
    VerImportHelp,
    VerImportCheck,
    VerImportApply,
    VerImportChanges,
    MapRolledBack,
    MapImported,
    RpTitle,
    RpIntro,
    RpVersion,
    RpLive,
    RpRun,
    RpRunning,
    RpPurchases,
    RpRule,
    RpOffers,
    RpRate,
    RpExpected,
    RpActualOffers,
    RpActualRevenue,
    RpTotal,
    RpNoRate,
    RpDraft,
    RpDraftRunning,
    RpDraftHelp,
    RpNothingKept,
    GraphTaken,
    GraphNoOffers,
    GraphBought,
    GraphDeclined,
    GraphAccepted,
    GraphCaption,
}

pub fn tr(lang: Lang, m: Msg) -> &'static str {
    match lang {
        Lang::En => en(m),
        Lang::Zh => zh(m),
    }
}

fn en(m: Msg) -> &'static str {
    use Msg::*;
    match m {
        #[cfg(feature = "ssr")]
        AppName => "Upsell Dashboard",
        #[cfg(feature = "ssr")]
        NavRules => "Upsell map",
        #[cfg(feature = "ssr")]
        NavUsers => "Users",
        #[cfg(feature = "ssr")]
        NavHome => "Home",
        SkipToContent => "Skip to content",
        #[cfg(feature = "ssr")]
        SignIn => "Sign in",
        #[cfg(feature = "ssr")]
        SignOut => "Sign out",
        #[cfg(feature = "ssr")]
        SigningIn => "Signing in…",
        #[cfg(feature = "ssr")]
        Email => "Email",
        #[cfg(feature = "ssr")]
        Password => "Password",
        #[cfg(feature = "ssr")]
        Language => "Language",
        Loading => "Loading…",
        Saving => "Saving…",
        Working => "Working…",
        Save => "Save rule",
        Cancel => "Cancel",
        Delete => "Delete",
        Deleting => "Deleting…",
        Edit => "Edit",
        #[cfg(feature = "ssr")]
        Retry => "Try again",
        #[cfg(feature = "ssr")]
        HomeTitle => "Welcome",
        #[cfg(feature = "ssr")]
        NavAccount => "Account",
        #[cfg(feature = "ssr")]
        AccountTitle => "Your account",
        #[cfg(feature = "ssr")]
        ChangePassword => "Change password",
        #[cfg(feature = "ssr")]
        CurrentPassword => "Current password",
        #[cfg(feature = "ssr")]
        NewPassword => "New password (at least 10 characters)",
        #[cfg(feature = "ssr")]
        PasswordChanged => "Password changed. Your other sessions were signed out.",
        #[cfg(feature = "ssr")]
        SignOutOthers => "Sign out my other sessions",
        #[cfg(feature = "ssr")]
        SignOutOthersIntro => "Signed in on another computer or browser you no longer use? End those sessions; this one stays.",
        #[cfg(feature = "ssr")]
        SignedOutOthers => "Your other sessions were signed out.",
        #[cfg(feature = "ssr")]
        UserStatus => "Status",
        #[cfg(feature = "ssr")]
        UserActions => "Actions",
        #[cfg(feature = "ssr")]
        UserActive => "Active",
        #[cfg(feature = "ssr")]
        UserIsDisabled => "Disabled",
        #[cfg(feature = "ssr")]
        Disable => "Disable",
        #[cfg(feature = "ssr")]
        Enable => "Enable",
        #[cfg(feature = "ssr")]
        RemoveUser => "Remove",
        #[cfg(feature = "ssr")]
        RemoveConfirm => "Yes, remove",
        #[cfg(feature = "ssr")]
        MakeResetLink => "Reset link",
        #[cfg(feature = "ssr")]
        UserDisabledDone => "Disabled:",
        #[cfg(feature = "ssr")]
        UserEnabledDone => "Enabled:",
        #[cfg(feature = "ssr")]
        UserRemovedDone => "The account was removed.",
        #[cfg(feature = "ssr")]
        ResetLinkMade => "Reset link made for",
        #[cfg(feature = "ssr")]
        ResetLinkIntro => "Give this link to its owner. It sets a new password once and works for 24 hours; it is not shown again.",
        #[cfg(feature = "ssr")]
        ResetTitle => "Set a new password",
        #[cfg(feature = "ssr")]
        ResetSave => "Set password",
        #[cfg(feature = "ssr")]
        ResetInvalid => "This reset link is not valid: it was used, replaced by a newer one, or is more than a day old. Ask a merchant for a new link.",
        #[cfg(feature = "ssr")]
        ResetDone => "Your password is set. Sign in with it.",
        #[cfg(feature = "ssr")]
        SettingPassword => "Setting…",
        #[cfg(feature = "ssr")]
        SetRole => "Set role",
        #[cfg(feature = "ssr")]
        NotFoundTitle => "Page not found",
        #[cfg(feature = "ssr")]
        NotFoundBody => "There is nothing at this address. Check the link, or start from the home page.",
        #[cfg(feature = "ssr")]
        HomeIntro => "One-click upsells, downsells and cross-sells on your customers' saved payment methods.",
        #[cfg(feature = "ssr")]
        HomeMerchant => "Edit the upsell map: what to offer after each purchase.",
        #[cfg(feature = "ssr")]
        HomeAnalyst => "Read how each offer converts: funnel, revenue, trend, experiments and why charges fail.",
        #[cfg(feature = "ssr")]
        HomeSupport => "Find a customer's subscription, compare what each proration mode would charge, and make the plan change.",
        #[cfg(feature = "ssr")]
        SignedInAs => "Signed in as",
        #[cfg(feature = "ssr")]
        NotSignedIn => "You are not signed in.",
        GoSignIn => "Go to sign-in",
        #[cfg(feature = "ssr")]
        DeniedRules => "Only merchant accounts can edit the upsell map. Ask a merchant to change your role if you need to.",
        #[cfg(feature = "ssr")]
        DeniedUsers => "Only merchant accounts can manage users. Ask a merchant on your team to add, change or remove a user.",
        DeniedSettings => "Only merchant accounts can make API tokens or set the approval limit. Ask a merchant on your team.",
        #[cfg(feature = "ssr")]
        RulesTitle => "Upsell map",
        #[cfg(feature = "ssr")]
        RulesIntro => "When a customer buys a product, offer another. Rules are tried from the top down.",
        #[cfg(feature = "ssr")]
        NewRule => "New rule",
        NoRules => "No rules yet. Create the first one: “after a purchase of A, offer B”.",
        ColOrder => "Order",
        ColRule => "Rule",
        ColWhenOffer => "When bought → offer",
        ColTiming => "Timing",
        ColEnabled => "Enabled",
        ColActions => "Actions",
        MoveUp => "Move up",
        MoveDown => "Move down",
        Enabled => "On",
        Disabled => "Off",
        ConfirmDelete => "Delete this rule? This cannot be undone.",
        #[cfg(feature = "ssr")]
        RuleSaved => "Rule saved.",
        #[cfg(feature = "ssr")]
        RuleDeleted => "Rule deleted.",
        #[cfg(feature = "ssr")]
        OrderSaved => "Order saved.",
        EditorNew => "New rule",
        EditorEdit => "Edit rule",
        FieldName => "Name",
        FieldKind => "Kind",
        FieldParent => "Shown when this rule's offer is declined",
        FieldParentHelp => "A downsell replaces a declined offer with a cheaper one.",
        FieldParentNext => "Shown once this rule's offer is accepted and paid",
        FieldDiscount => "Discount (% off)",
        FieldDiscountHelp => "0 for none. The page shows the old price struck through; the charge applies a single-use Dodo code that expires with the offer. A plan change cannot be discounted.",
        FieldDiscountCycles => "Discounted payments",
        FieldDiscountCyclesHelp => "For a new subscription: how many payments the discount lasts, the first included (0: every payment).",
        ErrDiscountPlanChange => "A plan change cannot be discounted: set the discount to 0, or offer a cheaper plan.",
        FieldParentNextHelp => "A next offer follows an accepted one, such as an add-on after an upgrade. One purchase leads to at most three offers in a row.",
        FieldTrigger => "When a customer buys",
        FieldOffer => "Offer",
        FieldQuantity => "Quantity",
        FieldHeadline => "Headline",
        FieldValueProp => "Value proposition",
        FieldBadge => "Badge (optional)",
        FieldBadgeHelp => "A short label such as “Most popular”.",
        FieldTiming => "Timing",
        FieldExpiry => "Offer expires after (minutes)",
        FieldEnabled => "Enabled",
        SearchProducts => "Search products",
        NoProductMatch => "No product matches.",
        #[cfg(feature = "ssr")]
        ChooseProduct => "— choose a product —",
        ChooseRule => "— choose a rule —",
        KindUpsell => "Upsell",
        KindCrossSell => "Cross-sell",
        KindDownsell => "Downsell",
        KindNext => "Next offer (after an accept)",
        TimingPostPurchase => "Right after purchase",
        TimingUsageMilestone => "At a usage milestone",
        TimingNearPlanLimit => "Near the plan limit",
        TimingOnboardingComplete => "When onboarding is complete",
        OneTime => "one-time",
        Preview => "Preview",
        PreviewHint => "This is what the customer will see.",
        PreviewAccept => "Yes, add it",
        PreviewDecline => "No thanks",
        PreviewMore => "more than",
        PreviewLess => "less than",
        PreviewSame => "the same price as",
        PreviewBought => "what you just bought",
        PreviewDeclined => "the offer you passed on",
        ExpiresIn => "Offer ends in",
        Minutes => "min",
        ConflictTitle => "Changed since you opened it",
        LoadLatest => "Load the latest version (replaces your edits)",
        #[cfg(feature = "ssr")]
        AuditTitle => "Change history",
        #[cfg(feature = "ssr")]
        AuditEmpty => "No changes yet.",
        #[cfg(feature = "ssr")]
        AuditChanged => "changed",
        #[cfg(feature = "ssr")]
        ActCreate => "created",
        #[cfg(feature = "ssr")]
        ActUpdate => "edited",
        #[cfg(feature = "ssr")]
        ActDelete => "deleted",
        #[cfg(feature = "ssr")]
        ActEnable => "enabled",
        #[cfg(feature = "ssr")]
        ActDisable => "disabled",
        #[cfg(feature = "ssr")]
        ActReorder => "reordered the map",
        #[cfg(feature = "ssr")]
        ActSetRole => "changed the role of",
        #[cfg(feature = "ssr")]
        UsersTitle => "Users",
        #[cfg(feature = "ssr")]
        UsersIntro => "Merchants edit rules and manage users; analysts read analytics; support changes plans.",
        #[cfg(feature = "ssr")]
        AddUser => "Add user",
        #[cfg(feature = "ssr")]
        Role => "Role",
        #[cfg(feature = "ssr")]
        RoleMerchant => "Merchant",
        #[cfg(feature = "ssr")]
        RoleAnalyst => "Analyst",
        #[cfg(feature = "ssr")]
        RoleSupport => "Support",
        #[cfg(feature = "ssr")]
        UserAdded => "User added.",
        #[cfg(feature = "ssr")]
        RoleChanged => "Role changed.",
        #[cfg(feature = "ssr")]
        Created => "Created",
        ErrSameProduct => "The offer must be a different product from the one just bought.",
        ErrProductMissing => "This product no longer exists in Dodo Payments; pick another one.",
        ErrCurrency => "The offer's currency differs from the purchase's. A one-click charge uses the purchase currency, so pick an offer in the same currency.",
        ErrDownsellNotCheaper => "A downsell must cost less than the offer it replaces.",
        ErrChainLoop => "This would make a loop of offers, each leading back to an earlier one. Pick a rule that is not below this one.",
        ErrParentHasNext => "That rule already has a next offer. Edit that one, or pick another rule.",
        ErrParentIsSave => "Nothing is offered after a save offer. Pick a rule that sells something.",
        ErrChainTooLong => "One purchase leads to at most three offers in a row. Attach this rule higher up, or shorten the chain.",
        ErrParentRequired => "Choose which rule this downsell follows.",
        ErrParentMissing => "That rule no longer exists; choose another.",
        ErrParentHasDownsell => "That rule already has a downsell. Edit that one, or pick another rule.",
        ErrNameTaken => "Another rule already has this name; choose a different one.",
        ErrRequired => "This field is required.",
        ErrTooLong => "This is too long; shorten it.",
        ErrQuantity => "Quantity must be between 1 and 100.",
        ErrExpiry => "Choose between 1 minute and 7 days (10080 minutes).",
        ErrEmail => "Enter an email address like name@example.com.",
        ErrEmailTaken => "An account with this email already exists.",
        ErrPasswordShort => "Use at least 10 characters.",
        ErrCatchAllKind => "Only an upsell or a cross-sell can follow any product; a downsell follows its rule and a save offer a plan.",
        ErrDiscountRange => "The discount must be between 0 and 90 percent.",
        ErrCyclesRange => "The discount lasts 1 to 36 billing cycles (0: every cycle).",
        ErrSaveNeedsPlan => "A save offer is for subscribers: pick a subscription plan, or give free days.",
        ErrFreeDays => "Free time must be between 1 and 365 days (0 to offer a plan instead).",
        ErrSaveNotCheaper => "A save offer must cost less than the plan being cancelled.",
        ErrCurrencyCode => "That is not a currency code; use three letters such as USD.",
        ErrValueNegative => "An order value cannot be negative.",
        ErrValueRange => "The lowest order value is above the highest; swap them.",
        ErrTooMany => "List at most 50 codes.",
        ErrCode => "Use 2-letter country codes (US, DE) or 3-letter currency codes (USD, EUR).",
        ErrQuantityOrder => "The lowest quantity is above the highest; swap them.",
        ErrScheduleOrder => "The end must come after the start.",
        ErrZoneUnknown => "That is not a time zone; use a name such as Europe/Berlin or America/New_York.",
        ErrDatetime => "That is not a date and time; use the form 2026-12-24T09:00.",
        ErrCapOffers => "Allow 1 to 100 offers per customer (both 0 for no cap).",
        ErrCapDays => "Count offers over 1 to 365 days (both 0 for no cap).",
        ErrAmountInvalid => "Enter an amount such as 250 or 250.00, or leave it empty to remove the limit.",
        ErrConfirmRequired => "Tick the box to confirm: removing an account cannot be undone.",
        ErrPasswordWrong => "That is not your current password.",
        ErrReasonInvalid => "Choose one of the listed reasons.",
        ErrCurrencyInvalid => "Pick a currency (a three-letter ISO code such as USD).",
        #[cfg(feature = "ssr")]
        ErrSignIn => "That email and password do not match an account. Check both and try again.",
        #[cfg(feature = "ssr")]
        ErrSignInWait => "Too many failed sign-ins for this account or from this network. Wait a little and try again; each further failure makes the wait longer.",
        ErrUnauthenticated => "Please sign in to continue.",
        ErrForbidden => "Your role does not allow this.",
        ErrNotFound => "This no longer exists. Reload the page.",
        ErrConflict => "Someone else changed this meanwhile. Reload and try again.",
        ErrChangeScheduled => "Another change of this subscription is scheduled for its next billing date. Cancel it in the plan change history, then make this one. Nothing was charged.",
        ErrChangeInProgress => "Another change of this subscription is still being processed. Wait for its outcome in the plan change history. Nothing was charged.",
        ErrRateLimited => "Too many attempts. Wait a while and try again.",
        ErrUpstream => "Dodo Payments could not be reached. Nothing was changed; try again shortly.",
        ErrInternal => "Something went wrong on our side. Nothing was changed; please try again.",
        ErrBadRequest => "The request was not understood. Reload the page and try again.",
        ErrValidation => "Some fields need attention; see the messages next to them.",
        #[cfg(feature = "ssr")]
        SettingsTitle => "Settings",
        #[cfg(feature = "ssr")]
        TokensIntro => "API tokens let your backend call /api/v1 (open offer, accept, decline, usage events). Send them as Authorization: Bearer <token>.",
        #[cfg(feature = "ssr")]
        TokenName => "Token name",
        #[cfg(feature = "ssr")]
        TokenCreate => "Create token",
        #[cfg(feature = "ssr")]
        TokenOnce => "Copy this token now; it will not be shown again:",
        #[cfg(feature = "ssr")]
        TokenRevoke => "Revoke",
        #[cfg(feature = "ssr")]
        TokenRevoked => "Revoked",
        #[cfg(feature = "ssr")]
        SandboxTitle => "Sandbox",
        #[cfg(feature = "ssr")]
        SandboxIntro => "Run the offer loop by hand: simulate a purchase, the signed webhook arrives, and the offer link appears.",
        #[cfg(feature = "ssr")]
        SandboxCustomer => "Customer",
        #[cfg(feature = "ssr")]
        SandboxProduct => "Product bought",
        #[cfg(feature = "ssr")]
        SandboxBuy => "Simulate purchase",
        #[cfg(feature = "ssr")]
        SandboxPaid => "Payment created:",
        #[cfg(feature = "ssr")]
        SandboxOpenOffer => "Open the offer page",
        SandboxNoOffer => "No enabled post-purchase rule matched this purchase (or the customer declined it before).",
        #[cfg(feature = "ssr")]
        SandboxFaults => "Faults",
        #[cfg(feature = "ssr")]
        SandboxNextCharges => "Next one-click charges",
        #[cfg(feature = "ssr")]
        SandboxApply => "Apply",
        #[cfg(feature = "ssr")]
        SandboxApplied => "Fault applied.",
        #[cfg(feature = "ssr")]
        NavSettings => "Settings",
        #[cfg(feature = "ssr")]
        NavSandbox => "Sandbox",
        #[cfg(feature = "ssr")]
        DeclineFunds => "Your card was declined for insufficient funds. Nothing was charged.",
        #[cfg(feature = "ssr")]
        DeclineExpired => "Your saved card has expired. Nothing was charged.",
        #[cfg(feature = "ssr")]
        DeclineBank => "Your bank declined the payment. Nothing was charged.",
        #[cfg(feature = "ssr")]
        DeclineConfirm => "Your bank needs you to confirm this payment; nothing was charged yet.",
        #[cfg(feature = "ssr")]
        DeclineBlocked => "This card cannot be used; please use another payment method. Nothing was charged.",
        #[cfg(feature = "ssr")]
        DeclineNetwork => "The payment network had a problem and nothing was charged.",
        #[cfg(feature = "ssr")]
        DeclineOther => "The payment did not go through and nothing was charged.",
        #[cfg(feature = "ssr")]
        OfferCharging => "Confirming your payment…",
        #[cfg(feature = "ssr")]
        OfferPaid => "Done! It's been added to your order and charged to your saved payment method.",
        OfferNextLink => "One more thing for you: see the next offer",
        OfferSaving => "You save {amount} ({p}% off).",
        OfferDiscountCycles => "{p}% off the first {n} payments, then the full price.",
        #[cfg(feature = "ssr")]
        OfferThanks => "No problem — thanks for your order. We won't show this offer again.",
        #[cfg(feature = "ssr")]
        OfferExpired => "This offer has ended.",
        #[cfg(feature = "ssr")]
        OfferEndedSamePlan => "This offer has ended: your subscription is already on this plan, so nothing was charged.",
        #[cfg(feature = "ssr")]
        OfferEndedNotActive => "This offer has ended: the subscription it was for is no longer active, so nothing was charged.",
        #[cfg(feature = "ssr")]
        OfferEndedCancelling => "This offer has ended: your subscription is set to end, so its plan can no longer be changed. Nothing was charged.",
        #[cfg(feature = "ssr")]
        OfferEndedProductGone => "This offer has ended: what it offered is no longer available, so nothing was charged.",
        #[cfg(feature = "ssr")]
        OfferEndedChanged => "This offer has ended: your subscriptions have changed since it was made, so nothing was charged.",
        #[cfg(feature = "ssr")]
        OfferNoMethod => "We can't charge your saved payment method for this, so nothing was charged. You can still get it with a regular checkout.",
        #[cfg(feature = "ssr")]
        OfferFallback => "Continue to checkout",
        #[cfg(feature = "ssr")]
        OfferUpdateMethod => "Update your payment method",
        #[cfg(feature = "ssr")]
        NavAnalytics => "Analytics",
        AnTitle => "Conversion per offer",
        AnIntro => "How each offer in the upsell map converts over the days you pick. Revenue is net of refunds and never added across currencies.",
        AnDaysIn => "Days run midnight to midnight in",
        AnFrom => "From",
        AnTo => "To",
        AnLast7 => "Last 7 days",
        AnLast30 => "Last 30 days",
        AnLast90 => "Last 90 days",
        AnKind => "Kind",
        AnAll => "All",
        AnTrigger => "After buying",
        AnOffered => "Offered product",
        AnCurrency => "Currency",
        AnApply => "Apply",
        #[cfg(feature = "ssr")]
        AnUpdating => "Updating…",
        AnExport => "Download CSV",
        #[cfg(feature = "ssr")]
        AnOffer => "Offer",
        #[cfg(feature = "ssr")]
        AnCreated => "Created",
        #[cfg(feature = "ssr")]
        AnShown => "Shown",
        #[cfg(feature = "ssr")]
        AnAccepted => "Accepted",
        #[cfg(feature = "ssr")]
        AnPaid => "Paid",
        #[cfg(feature = "ssr")]
        AnDeclined => "Declined",
        #[cfg(feature = "ssr")]
        AnFailed => "Failed",
        #[cfg(feature = "ssr")]
        AnExpired => "Expired",
        #[cfg(feature = "ssr")]
        AnFallback => "Sent to checkout",
        #[cfg(feature = "ssr")]
        AnTakeRate => "Take rate",
        #[cfg(feature = "ssr")]
        AnConversion => "Conversion (95% CI)",
        #[cfg(feature = "ssr")]
        AnRevenue => "Net revenue",
        #[cfg(feature = "ssr")]
        AnRevPerShown => "Revenue per offer shown",
        #[cfg(feature = "ssr")]
        AnUplift => "Order-value uplift",
        #[cfg(feature = "ssr")]
        AnTotal => "Total",
        AnFreeTimeSamePlan => "free time on the current plan",
        #[cfg(feature = "ssr")]
        AnNoData => "No offers in this range. Pick a longer range or clear the filters.",
        #[cfg(feature = "ssr")]
        AnTrend => "Daily trend",
        #[cfg(feature = "ssr")]
        AnTrendWeekly => "Weekly trend",
        #[cfg(feature = "ssr")]
        AnFunnel => "Funnel",
        AnOfCreated => "of created",
        AnOfStep => "{p} of {step}",
        #[cfg(feature = "ssr")]
        AnExperiments => "Experiments",
        #[cfg(feature = "ssr")]
        AnDeclines => "Why one-click charges failed",
        #[cfg(feature = "ssr")]
        AnRecent => "Recent offers",
        #[cfg(feature = "ssr")]
        AnCustomer => "Customer",
        #[cfg(feature = "ssr")]
        AnWhen => "When",
        #[cfg(feature = "ssr")]
        AnOutcome => "Outcome",
        #[cfg(feature = "ssr")]
        AnAmount => "Offered at",
        #[cfg(feature = "ssr")]
        AnArm => "Arm",
        #[cfg(feature = "ssr")]
        AnCustomers => "Customers",
        #[cfg(feature = "ssr")]
        AnRevPerCustomer => "Revenue per customer",
        #[cfg(feature = "ssr")]
        AnNotEnough => "Not enough data yet: each arm needs 100 customers, and the two arms 10 conversions between them.",
        #[cfg(feature = "ssr")]
        AnSignificant => "Significant at the 95% level",
        #[cfg(feature = "ssr")]
        AnNotSignificant => "No significant difference yet",
        #[cfg(feature = "ssr")]
        AnDeclineCode => "Decline code",
        #[cfg(feature = "ssr")]
        AnReason => "What it means",
        #[cfg(feature = "ssr")]
        AnCount => "Failed charges",
        #[cfg(feature = "ssr")]
        AnShare => "Share",
        AnDenied => "Analytics are for analysts and merchants. Ask a merchant to change your role.",
        #[cfg(feature = "ssr")]
        AnHoldout => "Hold-out (no offer)",
        #[cfg(feature = "ssr")]
        AnPickOffer => "Select an offer in the table to see its funnel and recent offers.",
        #[cfg(feature = "ssr")]
        AnExperimentNote => "Compared per customer assigned, including customers who never opened the offer, so the hold-out is comparable.",
        #[cfg(feature = "ssr")]
        AnNoExperiments => "No rule runs an experiment in this range. Give a rule a variant B or a hold-out in the upsell map.",
        #[cfg(feature = "ssr")]
        AnNoDeclines => "No failed one-click charges in this range.",
        #[cfg(feature = "ssr")]
        AnConversionShort => "Conversion",
        #[cfg(feature = "ssr")]
        AnDiff => "Difference",
        #[cfg(feature = "ssr")]
        AnSortBy => "Sort by this column",
        #[cfg(feature = "ssr")]
        HomeAnalyticsLink => "Open analytics",
        AnRange => "Date range",
        FieldExperiment => "Experiment (optional)",
        FieldExperimentHelp => "Show some customers a variant B, and hold some out with no offer, to see what converts and what the offer adds. Each customer stays in one arm; compare the arms under Analytics.",
        FieldBProduct => "Variant B offers",
        FieldSameAsA => "Same product as A",
        FieldBHeadline => "Variant B headline (empty: same as A)",
        FieldBWeight => "Customers who see B (%)",
        FieldHoldout => "Hold-out: customers with no offer (%)",
        ErrWeight => "Variant B's share must be between 0 and 100 percent.",
        ErrHoldout => "The hold-out must be between 0 and 50 percent of customers.",
        ErrVariantSame => "Variant B is identical to A: give it another product or headline, or set its share to 0.",
        #[cfg(feature = "ssr")]
        NavSubscriptions => "Subscriptions",
        #[cfg(feature = "ssr")]
        SubsTitle => "Subscriptions",
        #[cfg(feature = "ssr")]
        SubsIntro => "Find a customer's subscription, preview a plan change under every proration mode, and execute it once.",
        #[cfg(feature = "ssr")]
        SubsSearchLabel => "Subscription id, customer id or email",
        #[cfg(feature = "ssr")]
        SubsSearch => "Find",
        SubsNoMatch => "No customer or subscription matches. Check the id or email and try again.",
        #[cfg(feature = "ssr")]
        DeniedSubscriptions => "Your role cannot use the support console. Ask a merchant account for the support role.",
        #[cfg(feature = "ssr")]
        SubsMethods => "Saved payment methods",
        #[cfg(feature = "ssr")]
        SubsNoMethods => "No saved payment method: an immediate charge will fail.",
        #[cfg(feature = "ssr")]
        SubsExpired => "expired",
        #[cfg(feature = "ssr")]
        SubsNotRecurring => "not usable for recurring",
        #[cfg(feature = "ssr")]
        SubsRenewals => "used for renewals",
        #[cfg(feature = "ssr")]
        SubsColPlan => "Plan",
        #[cfg(feature = "ssr")]
        SubsColQuantity => "Quantity",
        #[cfg(feature = "ssr")]
        SubsColPrice => "Price per period",
        #[cfg(feature = "ssr")]
        SubsColStatus => "Status",
        #[cfg(feature = "ssr")]
        SubsColNextBilling => "Next billing date",
        #[cfg(feature = "ssr")]
        SubsScheduledTo => "Scheduled change to",
        SubsBilledFrom => "The new plan is billed from",
        SubsCancelScheduledFirst => "Cancel it in the plan change history before making another change.",
        #[cfg(feature = "ssr")]
        SubsChangePlan => "Change plan",
        #[cfg(feature = "ssr")]
        SubsTarget => "New plan",
        #[cfg(feature = "ssr")]
        SubsQuantity => "Quantity",
        #[cfg(feature = "ssr")]
        SubsEffective => "Takes effect",
        #[cfg(feature = "ssr")]
        SubsImmediately => "Immediately",
        #[cfg(feature = "ssr")]
        SubsNextBillingDate => "At the next billing date",
        #[cfg(feature = "ssr")]
        SubsOnFailure => "If the charge fails",
        #[cfg(feature = "ssr")]
        SubsPreventChange => "Keep the current plan until paid",
        #[cfg(feature = "ssr")]
        SubsApplyChange => "Change the plan anyway (subscription goes on hold)",
        #[cfg(feature = "ssr")]
        SubsPreview => "Preview all modes",
        #[cfg(feature = "ssr")]
        SubsPreviewing => "Asking Dodo Payments…",
        #[cfg(feature = "ssr")]
        SubsChargedNow => "Charged now",
        #[cfg(feature = "ssr")]
        SubsCredit => "Credit for the customer",
        #[cfg(feature = "ssr")]
        SubsTakesEffect => "Takes effect",
        #[cfg(feature = "ssr")]
        SubsNewNextBilling => "Next billing date after the change",
        #[cfg(feature = "ssr")]
        SubsModeProrated => "Prorated",
        #[cfg(feature = "ssr")]
        SubsModeDifference => "Price difference",
        #[cfg(feature = "ssr")]
        SubsModeFull => "Full price",
        #[cfg(feature = "ssr")]
        SubsExplainProrated => "The customer pays the price gap only for the days left in this billing period. A downgrade leaves the unused value as credit. The billing date does not move.",
        #[cfg(feature = "ssr")]
        SubsExplainDifference => "The customer pays the full price gap now. A downgrade turns the gap into credit used at the next renewals. The billing date does not move.",
        #[cfg(feature = "ssr")]
        SubsExplainFull => "The customer pays the full new price now and gets no credit for unused time. A new billing period starts today.",
        #[cfg(feature = "ssr")]
        SubsExplainScheduled => "Nothing is charged now. The new plan starts at the next billing date and is billed from then on.",
        #[cfg(feature = "ssr")]
        SubsChoose => "Choose this mode",
        #[cfg(feature = "ssr")]
        SubsNeedsApproval => "Above the merchant's limit: needs a reason and a merchant's approval.",
        #[cfg(feature = "ssr")]
        SubsConfirmTitle => "Confirm the change",
        #[cfg(feature = "ssr")]
        SubsConfirmCharge => "The customer's saved payment method will be charged now:",
        #[cfg(feature = "ssr")]
        SubsConfirmCredit => "Nothing is charged now. Credit for the customer:",
        #[cfg(feature = "ssr")]
        SubsReason => "Reason",
        #[cfg(feature = "ssr")]
        SubsReasonNote => "Note for the approver (optional)",
        #[cfg(feature = "ssr")]
        SubsReasonCustomer => "The customer asked for it",
        #[cfg(feature = "ssr")]
        SubsReasonBilling => "Correcting a billing mistake",
        #[cfg(feature = "ssr")]
        SubsReasonRetention => "Keeping the customer",
        #[cfg(feature = "ssr")]
        SubsReasonGoodwill => "Goodwill gesture",
        #[cfg(feature = "ssr")]
        SubsReasonOther => "Other",
        #[cfg(feature = "ssr")]
        SubsExecute => "Confirm and execute",
        #[cfg(feature = "ssr")]
        SubsExecuting => "Executing…",
        #[cfg(feature = "ssr")]
        SubsRequestApproval => "Ask a merchant to approve",
        #[cfg(feature = "ssr")]
        SubsStateExecuting => "Sent to Dodo Payments; waiting for its confirmation. It will not be sent again.",
        #[cfg(feature = "ssr")]
        SubsStateApplied => "Plan changed.",
        #[cfg(feature = "ssr")]
        SubsStateFailed => "The change did not go through.",
        #[cfg(feature = "ssr")]
        SubsStateScheduled => "Scheduled for the next billing date.",
        #[cfg(feature = "ssr")]
        SubsStateAwaiting => "Waiting for a merchant's approval.",
        #[cfg(feature = "ssr")]
        SubsStateApproved => "Approved: it can be executed now.",
        #[cfg(feature = "ssr")]
        SubsStateCancelled => "Cancelled.",
        #[cfg(feature = "ssr")]
        SubsStatePreviewed => "Previewed",
        #[cfg(feature = "ssr")]
        SubsCancelChange => "Cancel this change",
        #[cfg(feature = "ssr")]
        SubsApprove => "Approve",
        #[cfg(feature = "ssr")]
        SubsApprovals => "Waiting for approval",
        #[cfg(feature = "ssr")]
        SubsHistory => "Plan change history",
        #[cfg(feature = "ssr")]
        SubsNoHistory => "No plan changes yet.",
        #[cfg(feature = "ssr")]
        SubsColWhen => "When",
        #[cfg(feature = "ssr")]
        SubsColWho => "Who",
        #[cfg(feature = "ssr")]
        SubsColChange => "From → to",
        #[cfg(feature = "ssr")]
        SubsColMode => "Mode",
        #[cfg(feature = "ssr")]
        SubsColPreviewed => "Previewed",
        #[cfg(feature = "ssr")]
        SubsColCharged => "Charged",
        #[cfg(feature = "ssr")]
        SubsColState => "Outcome",
        SubsMismatch => "Charged amount differs from the preview",
        #[cfg(feature = "ssr")]
        SubsOnHold => "Subscription on hold: the charge failed",
        #[cfg(feature = "ssr")]
        SubsThresholdTitle => "Plan change approval limit",
        #[cfg(feature = "ssr")]
        SubsThresholdIntro => "A plan change that charges or credits more than this needs a reason and a second person's approval (a merchant). Leave the amount empty for no limit.",
        #[cfg(feature = "ssr")]
        SubsThresholdCurrency => "Currency",
        #[cfg(feature = "ssr")]
        SubsThresholdAmount => "Amount",
        #[cfg(feature = "ssr")]
        SubsThresholdSave => "Save limit",
        #[cfg(feature = "ssr")]
        SubsThresholdNone => "No limit set: every change runs without approval.",
        #[cfg(feature = "ssr")]
        SubsLineItems => "Line items",
        SubsLinesNote => "These lines do not add up to the charge exactly: Dodo works the charge out from them and does not publish its rounding. The charge above is Dodo's.",
        SubsCreditUsed => "Credit used (the current plan's unused value and any balance)",
        #[cfg(feature = "ssr")]
        SubsCustomer => "Customer",
        #[cfg(feature = "ssr")]
        SubsThresholdSaved => "Limit saved.",
        #[cfg(feature = "ssr")]
        SubsAmountInvalid => "Enter an amount such as 100 or 99.50.",
        #[cfg(feature = "ssr")]
        SubsEndsAtPeriodEnd => "Ends at the next billing date (the customer cancelled)",
        TimingOnCancel => "When a subscriber asks to cancel",
        TimingOnDecline => "When its rule's offer is declined",
        TimingOnAccept => "When its rule's offer is paid",
        #[cfg(feature = "ssr")]
        AnSavesTitle => "Save offers by cancel reason",
        AnSavesNote => "Every request to cancel in these dates, whichever rule answered it: the kind, product and currency filters above do not apply here.",
        #[cfg(feature = "ssr")]
        AnSaveReason => "Reason",
        #[cfg(feature = "ssr")]
        AnSaveAsked => "Asked to cancel",
        #[cfg(feature = "ssr")]
        AnSaveOffered => "Offered",
        #[cfg(feature = "ssr")]
        AnSaveHeldOut => "Held out",
        #[cfg(feature = "ssr")]
        AnSaveSaved => "Stayed",
        #[cfg(feature = "ssr")]
        AnSaveCancelled => "Cancelled",
        #[cfg(feature = "ssr")]
        AnSaveRate => "Save rate (95% CI)",
        #[cfg(feature = "ssr")]
        AnSaveRetained => "Monthly revenue kept",
        KindSave => "Save offer (when a subscriber cancels)",
        ActionOneTime => "One-time charge",
        ActionNewSubscription => "New subscription (plan change for subscribers)",
        ActionPlanChange => "Plan change",
        ActionFreeTime => "Free time",
        RulesColAction => "Action",
        #[cfg(feature = "ssr")]
        OfferToday => "today",
        #[cfg(feature = "ssr")]
        OfferNothingToday => "Nothing to pay today",
        #[cfg(feature = "ssr")]
        OfferThen => "then",
        #[cfg(feature = "ssr")]
        OfferFrom => "from",
        #[cfg(feature = "ssr")]
        OfferFullPrice => "Full price",
        #[cfg(feature = "ssr")]
        OfferYourPlan => "Your plan",
        #[cfg(feature = "ssr")]
        OfferUpgrade => "Switch plan",
        #[cfg(feature = "ssr")]
        OfferKeep => "Keep my subscription",
        OfferStayOn => "Stay on",
        #[cfg(feature = "ssr")]
        OfferCancelAnyway => "No thanks, cancel my subscription",
        OfferDaysFree => "days free",
        #[cfg(feature = "ssr")]
        OfferNextPayment => "Your next payment moves to",
        #[cfg(feature = "ssr")]
        OfferCancelled => "Your subscription is cancelled: it stays active until the end of the period you paid for.",
        #[cfg(feature = "ssr")]
        OfferSaved => "Done! Your subscription has been updated.",
        #[cfg(feature = "ssr")]
        OfferPlanChanged => "Done! Your subscription has moved to the new plan.",
        #[cfg(feature = "ssr")]
        OfferMovesSubscription => "This changes your current subscription; it does not start a second one.",
        EditorTerms => "Subscription terms",
        EditorProration => "How an upgrade is billed",
        EditorOnFailure => "If the charge fails",
        EditorPreventChange => "Keep the current plan",
        EditorApplyChange => "Change the plan anyway",
        EditorCancelReason => "Cancel reason it answers",
        EditorAnyReason => "Any reason (catch-all)",
        EditorFreeDays => "Free days instead of a plan (0 to offer the plan)",
        ReasonTooExpensive => "Too expensive",
        ReasonNotUsing => "Not using it enough",
        ReasonMissingFeature => "Missing a feature",
        ReasonSwitching => "Switching to another product",
        ReasonOther => "Other",
        ModeProrated => "Prorated: pay for the rest of the period",
        ModeDifference => "Price difference now",
        ModeFull => "Full new price now (new period)",
        #[cfg(feature = "ssr")]
        SandboxSubscriber => "A subscriber's moment",
        #[cfg(feature = "ssr")]
        SandboxSubscription => "Subscription",
        #[cfg(feature = "ssr")]
        SandboxNearLimit => "Near the plan limit",
        #[cfg(feature = "ssr")]
        SandboxAsksToCancel => "Asks to cancel",
        #[cfg(feature = "ssr")]
        SandboxNoSubscriberOffer => "No offer was made:",
        #[cfg(feature = "ssr")]
        SubsOffers => "Offers",
        #[cfg(feature = "ssr")]
        SubsOffersCaption => "Upsell and save offers made to this customer, newest first (the latest 50).",
        #[cfg(feature = "ssr")]
        SubsNoOffers => "No offers have been made to this customer yet.",
        #[cfg(feature = "ssr")]
        SubsOfferColRule => "Rule",
        #[cfg(feature = "ssr")]
        SubsOfferColOffered => "Offered",
        #[cfg(feature = "ssr")]
        SubsOfferColNow => "Price now",
        #[cfg(feature = "ssr")]
        SubsOfferColAfter => "Then each period",
        #[cfg(feature = "ssr")]
        SubsOfferColState => "State",
        #[cfg(feature = "ssr")]
        SubsOfferColResult => "What it caused",
        #[cfg(feature = "ssr")]
        SubsOfferRuleDeleted => "Rule deleted since",
        #[cfg(feature = "ssr")]
        SubsOfferNewSubscription => "New subscription",
        #[cfg(feature = "ssr")]
        SubsOfferFreeDays => "days free",
        #[cfg(feature = "ssr")]
        SubsOfferSave => "Save offer",
        #[cfg(feature = "ssr")]
        SubsOfferPending => "Pending: not answered yet",
        #[cfg(feature = "ssr")]
        SubsOfferCharging => "Charging: waiting for Dodo Payments",
        #[cfg(feature = "ssr")]
        SubsOfferPaid => "Paid",
        #[cfg(feature = "ssr")]
        SubsOfferFailed => "Failed: nothing was charged",
        #[cfg(feature = "ssr")]
        SubsOfferDeclined => "Declined",
        #[cfg(feature = "ssr")]
        SubsOfferExpired => "Expired",
        #[cfg(feature = "ssr")]
        SubsOfferFallback => "Sent to a standard checkout",
        #[cfg(feature = "ssr")]
        SubsOfferPayment => "Payment",
        #[cfg(feature = "ssr")]
        SubsOfferCancelReason => "Cancel reason",
        #[cfg(feature = "ssr")]
        SubsSaveOffered => "Asked to cancel; waiting for an answer",
        #[cfg(feature = "ssr")]
        SubsSaveSaved => "Saved: the subscription continues",
        #[cfg(feature = "ssr")]
        SubsSaveCancelling => "Being set to cancel",
        #[cfg(feature = "ssr")]
        SubsSaveCancelled => "Cancelled at the end of the period",
        TgTitle => "Who sees it (optional)",
        TgHelp => "Every condition must hold. Leave a field empty for anyone; 0 means no bound.",
        TgOrderValue => "Order value",
        TgFrom => "from",
        TgUpTo => "up to",
        TgCustomer => "Customer",
        TgAnyone => "Anyone",
        TgNew => "New (first purchase)",
        TgReturning => "Returning (bought before)",
        TgCurrencies => "Currencies (e.g. USD, EUR)",
        TgCountries => "Billing countries (e.g. US, DE)",
        TgExclude => "Not for customers who already hold",
        TgQuantity => "Quantity bought",
        TgStart => "Starts",
        TgEnd => "Ends",
        TgZone => "Time zone",
        AnyProduct => "Any product (catch-all: only when no other rule fires)",
        #[cfg(feature = "ssr")]
        TgNewCustomers => "new customers",
        #[cfg(feature = "ssr")]
        TgReturningCustomers => "returning customers",
        #[cfg(feature = "ssr")]
        TgNotHolders => "not for holders of",
        #[cfg(feature = "ssr")]
        TgEnded => "ended",
        #[cfg(feature = "ssr")]
        PvTitle => "Preview as customer",
        #[cfg(feature = "ssr")]
        PvIntro => "Say who buys what: see which rule fires, and why each other rule does not.",
        #[cfg(feature = "ssr")]
        PvCustomer => "Customer ID (empty: a new customer)",
        #[cfg(feature = "ssr")]
        PvProduct => "Product bought",
        #[cfg(feature = "ssr")]
        PvTotal => "Order value",
        #[cfg(feature = "ssr")]
        PvCountry => "Billing country",
        #[cfg(feature = "ssr")]
        PvQuantity => "Quantity",
        #[cfg(feature = "ssr")]
        PvRun => "Show what fires",
        #[cfg(feature = "ssr")]
        PvFires => "Fires: this offer is made",
        #[cfg(feature = "ssr")]
        PvNone => "No rule fires for this purchase.",
        #[cfg(feature = "ssr")]
        PvCatchAll => "Any product",
        #[cfg(feature = "ssr")]
        CapTitle => "Frequency cap",
        #[cfg(feature = "ssr")]
        CapIntro => "Across the whole map, on top of \"never again after a decline\". Leave both at 0 for no cap.",
        #[cfg(feature = "ssr")]
        CapOffers => "Offers per customer, at most",
        #[cfg(feature = "ssr")]
        CapDays => "Every … days",
        #[cfg(feature = "ssr")]
        CapSaved => "Frequency cap saved",
        #[cfg(feature = "ssr")]
        CapNow => "Now:",
        #[cfg(feature = "ssr")]
        CapNone => "no cap",
        CapSave => "Save cap",
        #[cfg(feature = "ssr")]
        VerTitle => "Versions",
        #[cfg(feature = "ssr")]
        VerIntro => "Every change to the map is a version. Compare any two versions (or one with the live map) field by field, or roll back to one in one click.",
        #[cfg(feature = "ssr")]
        VerNumber => "Version",
        #[cfg(feature = "ssr")]
        VerWhen => "When (UTC)",
        #[cfg(feature = "ssr")]
        VerWho => "Who",
        #[cfg(feature = "ssr")]
        VerWhat => "What changed",
        #[cfg(feature = "ssr")]
        VerCompare => "Compare with live",
        #[cfg(feature = "ssr")]
        VerRollback => "Roll back to this",
        #[cfg(feature = "ssr")]
        VerRollingBack => "Rolling back…",
        #[cfg(feature = "ssr")]
        VerLive => "live",
        #[cfg(feature = "ssr")]
        VerDiffTitle => "What changed",
        VerCompareFrom => "Compare version",
        VerCompareTo => "with",
        VerCompareRun => "Compare",
        #[cfg(feature = "ssr")]
        VerNoChanges => "No differences.",
        #[cfg(feature = "ssr")]
        VerAdded => "added",
        #[cfg(feature = "ssr")]
        VerRemoved => "removed",
        #[cfg(feature = "ssr")]
        VerField => "Field",
        #[cfg(feature = "ssr")]
        VerBefore => "Before",
        #[cfg(feature = "ssr")]
        VerAfter => "After",
        #[cfg(feature = "ssr")]
        VerExport => "Export the map (JSON)",
        #[cfg(feature = "ssr")]
        VerImportTitle => "Import a map",
        #[cfg(feature = "ssr")]
        VerImportHelp => "Paste an exported map. You see every change before anything is applied.",
        #[cfg(feature = "ssr")]
        VerImportCheck => "Show changes",
        #[cfg(feature = "ssr")]
        VerImportApply => "Apply this map",
        #[cfg(feature = "ssr")]
        VerImportChanges => "Applying this map would make these changes:",
        #[cfg(feature = "ssr")]
        MapRolledBack => "Map rolled back",
        #[cfg(feature = "ssr")]
        MapImported => "Map imported",
        #[cfg(feature = "ssr")]
        RpTitle => "Replay",
        #[cfg(feature = "ssr")]
        RpIntro => "Run a version of the map over the last 30 days of purchases: the offers it would have made and the revenue to expect (each offered product's take rate, with its 95% interval, times its price), next to what the live map did. A downsell counts its rule's offers at the rate they were declined, a next offer at the rate they were paid.",
        #[cfg(feature = "ssr")]
        RpVersion => "Map to replay",
        #[cfg(feature = "ssr")]
        RpLive => "The live map",
        #[cfg(feature = "ssr")]
        RpRun => "Replay",
        #[cfg(feature = "ssr")]
        RpRunning => "Replaying…",
        RpPurchases => "purchases replayed",
        RpRule => "Rule",
        RpOffers => "Offers it would make",
        RpRate => "Take rate (95% interval)",
        RpExpected => "Expected revenue",
        RpActualOffers => "Live map: offers",
        RpActualRevenue => "Live map: revenue",
        RpTotal => "Total",
        RpNoRate => "not offered yet",
        RpDraft => "Replay with this change",
        RpDraftRunning => "Replaying the last 30 days of purchases with this change…",
        RpDraftHelp => "The live map with this rule as it stands now, unsaved, over the last 30 days. Nothing was saved; edit and replay again, or save.",
        RpNothingKept => "The draft to replay is no longer kept (after 30 minutes); press “Replay with this change” again.",
        #[cfg(feature = "ssr")]
        GraphTaken => "paid",
        #[cfg(feature = "ssr")]
        GraphNoOffers => "no offers in 30 days",
        #[cfg(feature = "ssr")]
        GraphBought => "bought",
        #[cfg(feature = "ssr")]
        GraphDeclined => "declined",
        GraphAccepted => "accepted",
        #[cfg(feature = "ssr")]
        GraphCaption => "The map as a picture: what was bought, the offer it leads to, the downsell shown when that offer is declined and the next offer shown once it is accepted, with the share of offers made that were paid (\"8% paid\") and what they brought in over 30 days (Analytics gives take rate among offers shown, and revenue net of refunds). Click an offer to edit it; the table above lists the same rules.",
        // The browser bundle carries only what its islands show (see `Msg`).
        #[cfg(not(feature = "ssr"))]
        _ => "",
    }
}

fn zh(m: Msg) -> &'static str {
    use Msg::*;
    match m {
        #[cfg(feature = "ssr")]
        AppName => "追加销售仪表板",
        #[cfg(feature = "ssr")]
        NavRules => "追加销售规则",
        #[cfg(feature = "ssr")]
        NavUsers => "用户",
        #[cfg(feature = "ssr")]
        NavHome => "首页",
        SkipToContent => "跳到正文",
        #[cfg(feature = "ssr")]
        SignIn => "登录",
        #[cfg(feature = "ssr")]
        SignOut => "退出登录",
        #[cfg(feature = "ssr")]
        SigningIn => "正在登录…",
        #[cfg(feature = "ssr")]
        Email => "邮箱",
        #[cfg(feature = "ssr")]
        Password => "密码",
        #[cfg(feature = "ssr")]
        Language => "语言",
        Loading => "加载中…",
        Saving => "正在保存…",
        Working => "处理中…",
        Save => "保存规则",
        Cancel => "取消",
        Delete => "删除",
        Deleting => "正在删除…",
        Edit => "编辑",
        #[cfg(feature = "ssr")]
        Retry => "重试",
        #[cfg(feature = "ssr")]
        HomeTitle => "欢迎",
        #[cfg(feature = "ssr")]
        NavAccount => "账户",
        #[cfg(feature = "ssr")]
        AccountTitle => "你的账户",
        #[cfg(feature = "ssr")]
        ChangePassword => "修改密码",
        #[cfg(feature = "ssr")]
        CurrentPassword => "当前密码",
        #[cfg(feature = "ssr")]
        NewPassword => "新密码（至少 10 个字符）",
        #[cfg(feature = "ssr")]
        PasswordChanged => "密码已修改。你的其他会话已退出登录。",
        #[cfg(feature = "ssr")]
        SignOutOthers => "退出我的其他会话",
        #[cfg(feature = "ssr")]
        SignOutOthersIntro => "在不再使用的电脑或浏览器上仍处于登录状态？结束那些会话；当前会话保留。",
        #[cfg(feature = "ssr")]
        SignedOutOthers => "你的其他会话已退出登录。",
        #[cfg(feature = "ssr")]
        UserStatus => "状态",
        #[cfg(feature = "ssr")]
        UserActions => "操作",
        #[cfg(feature = "ssr")]
        UserActive => "正常",
        #[cfg(feature = "ssr")]
        UserIsDisabled => "已停用",
        #[cfg(feature = "ssr")]
        Disable => "停用",
        #[cfg(feature = "ssr")]
        Enable => "启用",
        #[cfg(feature = "ssr")]
        RemoveUser => "删除",
        #[cfg(feature = "ssr")]
        RemoveConfirm => "确认删除",
        #[cfg(feature = "ssr")]
        MakeResetLink => "重置链接",
        #[cfg(feature = "ssr")]
        UserDisabledDone => "已停用：",
        #[cfg(feature = "ssr")]
        UserEnabledDone => "已启用：",
        #[cfg(feature = "ssr")]
        UserRemovedDone => "账户已删除。",
        #[cfg(feature = "ssr")]
        ResetLinkMade => "已生成重置链接：",
        #[cfg(feature = "ssr")]
        ResetLinkIntro => "请将此链接交给账户本人。它只能使用一次，24 小时内有效；之后不会再显示。",
        #[cfg(feature = "ssr")]
        ResetTitle => "设置新密码",
        #[cfg(feature = "ssr")]
        ResetSave => "设置密码",
        #[cfg(feature = "ssr")]
        ResetInvalid => "此重置链接无效：已被使用、已被新链接取代，或已超过一天。请向商家索取新链接。",
        #[cfg(feature = "ssr")]
        ResetDone => "密码已设置。请用新密码登录。",
        #[cfg(feature = "ssr")]
        SettingPassword => "设置中…",
        #[cfg(feature = "ssr")]
        SetRole => "设置角色",
        #[cfg(feature = "ssr")]
        NotFoundTitle => "页面不存在",
        #[cfg(feature = "ssr")]
        NotFoundBody => "此地址下没有内容。请检查链接，或从首页开始。",
        #[cfg(feature = "ssr")]
        HomeIntro => "基于顾客已保存的支付方式，一键完成追加销售、降级销售和交叉销售。",
        #[cfg(feature = "ssr")]
        HomeMerchant => "编辑追加销售规则：每次购买后向顾客推荐什么。",
        #[cfg(feature = "ssr")]
        HomeAnalyst => "查看每个优惠的转化：漏斗、收入、趋势、实验以及扣款失败的原因。",
        #[cfg(feature = "ssr")]
        HomeSupport => "查找顾客的订阅，比较每种按比例计费方式的收费，然后更改套餐。",
        #[cfg(feature = "ssr")]
        SignedInAs => "当前登录",
        #[cfg(feature = "ssr")]
        NotSignedIn => "您尚未登录。",
        GoSignIn => "前往登录",
        #[cfg(feature = "ssr")]
        DeniedRules => "只有商家账户可以编辑追加销售规则。如有需要，请联系商家更改您的角色。",
        #[cfg(feature = "ssr")]
        DeniedUsers => "只有商家账户可以管理用户。如需添加、修改或删除用户，请联系团队中的商家。",
        DeniedSettings => "只有商家账户可以创建 API 令牌或设置审批限额。请联系团队中的商家。",
        #[cfg(feature = "ssr")]
        RulesTitle => "追加销售规则",
        #[cfg(feature = "ssr")]
        RulesIntro => "顾客购买某个产品后，向其推荐另一个产品。规则按从上到下的顺序匹配。",
        #[cfg(feature = "ssr")]
        NewRule => "新建规则",
        NoRules => "还没有规则。创建第一条：“购买 A 之后，推荐 B”。",
        ColOrder => "顺序",
        ColRule => "规则",
        ColWhenOffer => "购买 → 推荐",
        ColTiming => "时机",
        ColEnabled => "启用",
        ColActions => "操作",
        MoveUp => "上移",
        MoveDown => "下移",
        Enabled => "开",
        Disabled => "关",
        ConfirmDelete => "确定删除这条规则吗？此操作无法撤销。",
        #[cfg(feature = "ssr")]
        RuleSaved => "规则已保存。",
        #[cfg(feature = "ssr")]
        RuleDeleted => "规则已删除。",
        #[cfg(feature = "ssr")]
        OrderSaved => "顺序已保存。",
        EditorNew => "新建规则",
        EditorEdit => "编辑规则",
        FieldName => "名称",
        FieldKind => "类型",
        FieldParent => "在此规则的推荐被拒绝后显示",
        FieldParentHelp => "降级销售会用更便宜的产品替代被拒绝的推荐。",
        FieldParentNext => "在此规则的推荐被接受并付款后显示",
        FieldDiscount => "折扣（%）",
        FieldDiscountHelp => "0 表示不打折。页面会以删除线显示原价；扣款时使用一个随优惠一起过期的一次性 Dodo 折扣码。套餐变更无法打折。",
        FieldDiscountCycles => "享受折扣的付款次数",
        FieldDiscountCyclesHelp => "仅用于新订阅：折扣持续的付款次数，包括首次付款（0 表示每次付款）。",
        ErrDiscountPlanChange => "套餐变更无法打折：请把折扣设为 0，或推荐更便宜的套餐。",
        FieldParentNextHelp => "后续优惠在推荐被接受后展示，例如升级之后的附加产品。一次购买最多连续引出三个优惠。",
        FieldTrigger => "当顾客购买",
        FieldOffer => "推荐产品",
        FieldQuantity => "数量",
        FieldHeadline => "标题",
        FieldValueProp => "价值主张",
        FieldBadge => "徽标（可选）",
        FieldBadgeHelp => "简短标签，例如“最受欢迎”。",
        FieldTiming => "时机",
        FieldExpiry => "推荐有效期（分钟）",
        FieldEnabled => "启用",
        SearchProducts => "搜索产品",
        NoProductMatch => "没有匹配的产品。",
        #[cfg(feature = "ssr")]
        ChooseProduct => "— 选择产品 —",
        ChooseRule => "— 选择规则 —",
        KindUpsell => "追加销售",
        KindCrossSell => "交叉销售",
        KindDownsell => "降级销售",
        KindNext => "后续优惠（接受之后）",
        TimingPostPurchase => "购买后立即",
        TimingUsageMilestone => "达到使用里程碑时",
        TimingNearPlanLimit => "接近套餐上限时",
        TimingOnboardingComplete => "完成新手引导时",
        OneTime => "一次性",
        Preview => "预览",
        PreviewHint => "顾客将看到如下内容。",
        PreviewAccept => "好的，加购",
        PreviewDecline => "不用了，谢谢",
        PreviewMore => "多于",
        PreviewLess => "少于",
        PreviewSame => "价格等同于",
        PreviewBought => "您刚购买的产品",
        PreviewDeclined => "您刚才放弃的优惠",
        ExpiresIn => "优惠剩余时间",
        Minutes => "分钟",
        ConflictTitle => "在您打开后已被修改",
        LoadLatest => "加载最新版本（将替换您的修改）",
        #[cfg(feature = "ssr")]
        AuditTitle => "变更记录",
        #[cfg(feature = "ssr")]
        AuditEmpty => "暂无变更。",
        #[cfg(feature = "ssr")]
        AuditChanged => "修改了",
        #[cfg(feature = "ssr")]
        ActCreate => "创建了",
        #[cfg(feature = "ssr")]
        ActUpdate => "编辑了",
        #[cfg(feature = "ssr")]
        ActDelete => "删除了",
        #[cfg(feature = "ssr")]
        ActEnable => "启用了",
        #[cfg(feature = "ssr")]
        ActDisable => "停用了",
        #[cfg(feature = "ssr")]
        ActReorder => "调整了规则顺序",
        #[cfg(feature = "ssr")]
        ActSetRole => "更改了角色：",
        #[cfg(feature = "ssr")]
        UsersTitle => "用户",
        #[cfg(feature = "ssr")]
        UsersIntro => "商家编辑规则并管理用户；分析师查看分析；客服更改套餐。",
        #[cfg(feature = "ssr")]
        AddUser => "添加用户",
        #[cfg(feature = "ssr")]
        Role => "角色",
        #[cfg(feature = "ssr")]
        RoleMerchant => "商家",
        #[cfg(feature = "ssr")]
        RoleAnalyst => "分析师",
        #[cfg(feature = "ssr")]
        RoleSupport => "客服",
        #[cfg(feature = "ssr")]
        UserAdded => "用户已添加。",
        #[cfg(feature = "ssr")]
        RoleChanged => "角色已更改。",
        #[cfg(feature = "ssr")]
        Created => "创建时间",
        ErrSameProduct => "推荐产品必须与刚购买的产品不同。",
        ErrProductMissing => "该产品在 Dodo Payments 中已不存在，请选择其他产品。",
        ErrCurrency => {
            "推荐产品的币种与购买币种不同。一键扣款使用购买时的币种，请选择相同币种的产品。"
        }
        ErrDownsellNotCheaper => "降级销售的价格必须低于它所替代的推荐。",
        ErrChainLoop => "这会形成优惠循环，每个优惠都会回到之前的一个。请选择不在此规则之下的规则。",
        ErrParentHasNext => "该规则已有后续优惠。请编辑那一条，或选择其他规则。",
        ErrParentIsSave => "挽留优惠之后不再展示任何优惠。请选择一条销售产品的规则。",
        ErrChainTooLong => "一次购买最多连续引出三个优惠。请把此规则挂在更高的位置，或缩短链条。",
        ErrParentRequired => "请选择此降级销售跟随的规则。",
        ErrParentMissing => "该规则已不存在，请选择其他规则。",
        ErrParentHasDownsell => "该规则已有降级销售。请编辑那一条，或选择其他规则。",
        ErrNameTaken => "已有同名规则，请换一个名称。",
        ErrRequired => "此项为必填项。",
        ErrTooLong => "内容过长，请缩短。",
        ErrQuantity => "数量必须在 1 到 100 之间。",
        ErrExpiry => "请选择 1 分钟到 7 天（10080 分钟）之间。",
        ErrEmail => "请输入类似 name@example.com 的邮箱地址。",
        ErrEmailTaken => "该邮箱已有账户。",
        ErrPasswordShort => "密码至少 10 个字符。",
        ErrCatchAllKind => "只有追加销售或交叉销售可以跟随任意商品；降级销售跟随其规则，挽留优惠跟随订阅方案。",
        ErrDiscountRange => "折扣须在 0 到 90% 之间。",
        ErrCyclesRange => "折扣持续 1 到 36 个计费周期（0 表示每个周期）。",
        ErrSaveNeedsPlan => "挽留优惠面向订阅者：请选择订阅方案，或赠送免费天数。",
        ErrFreeDays => "免费时长须在 1 到 365 天之间（0 表示改为提供方案）。",
        ErrSaveNotCheaper => "挽留优惠的价格必须低于正在取消的方案。",
        ErrCurrencyCode => "这不是币种代码；请使用三个字母，例如 USD。",
        ErrValueNegative => "订单金额不能为负数。",
        ErrValueRange => "最低订单金额高于最高金额；请对调。",
        ErrTooMany => "最多列出 50 个代码。",
        ErrCode => "请使用 2 个字母的国家/地区代码（US、DE）或 3 个字母的币种代码（USD、EUR）。",
        ErrQuantityOrder => "最低数量高于最高数量；请对调。",
        ErrScheduleOrder => "结束时间必须晚于开始时间。",
        ErrZoneUnknown => "这不是时区；请使用 Europe/Berlin 或 America/New_York 这样的名称。",
        ErrDatetime => "这不是日期时间；请使用 2026-12-24T09:00 的格式。",
        ErrCapOffers => "每位客户允许 1 到 100 个优惠（两项都为 0 表示不限）。",
        ErrCapDays => "统计 1 到 365 天内的优惠（两项都为 0 表示不限）。",
        ErrAmountInvalid => "请输入金额，例如 250 或 250.00；留空表示取消限制。",
        ErrConfirmRequired => "请勾选以确认：删除账户无法撤销。",
        ErrPasswordWrong => "这不是您当前的密码。",
        ErrReasonInvalid => "请选择列出的原因之一。",
        ErrCurrencyInvalid => "请选择币种（三个字母的 ISO 代码，例如 USD）。",
        #[cfg(feature = "ssr")]
        ErrSignIn => "邮箱与密码不匹配任何账户。请检查后重试。",
        #[cfg(feature = "ssr")]
        ErrSignInWait => "此账户或此网络登录失败次数过多。请稍等后重试；每多失败一次，等待时间都会变长。",
        ErrUnauthenticated => "请先登录。",
        ErrForbidden => "您的角色无权执行此操作。",
        ErrNotFound => "该内容已不存在，请刷新页面。",
        ErrConflict => "其他人已修改了此内容。请刷新后重试。",
        ErrChangeScheduled => "此订阅已安排了另一项更改，将在下个账单日生效。请先在套餐更改记录中取消它，再进行此更改。未扣任何款项。",
        ErrChangeInProgress => "此订阅的另一项更改仍在处理中。请在套餐更改记录中等待其结果。未扣任何款项。",
        ErrRateLimited => "尝试次数过多，请稍后再试。",
        ErrUpstream => "无法连接 Dodo Payments。未做任何更改，请稍后重试。",
        ErrInternal => "我们这边出了点问题。未做任何更改，请重试。",
        ErrBadRequest => "无法理解该请求。请刷新页面后重试。",
        ErrValidation => "部分字段需要修改，请查看字段旁的提示。",
        #[cfg(feature = "ssr")]
        SettingsTitle => "设置",
        #[cfg(feature = "ssr")]
        TokensIntro => "API 令牌让您的后端调用 /api/v1（查询优惠、接受、拒绝、使用事件）。请以 Authorization: Bearer <令牌> 发送。",
        #[cfg(feature = "ssr")]
        TokenName => "令牌名称",
        #[cfg(feature = "ssr")]
        TokenCreate => "创建令牌",
        #[cfg(feature = "ssr")]
        TokenOnce => "请立即复制此令牌，它不会再次显示：",
        #[cfg(feature = "ssr")]
        TokenRevoke => "吊销",
        #[cfg(feature = "ssr")]
        TokenRevoked => "已吊销",
        #[cfg(feature = "ssr")]
        SandboxTitle => "沙盒",
        #[cfg(feature = "ssr")]
        SandboxIntro => "手动运行优惠流程：模拟一次购买，签名的 Webhook 到达后，优惠链接随即出现。",
        #[cfg(feature = "ssr")]
        SandboxCustomer => "顾客",
        #[cfg(feature = "ssr")]
        SandboxProduct => "购买的产品",
        #[cfg(feature = "ssr")]
        SandboxBuy => "模拟购买",
        #[cfg(feature = "ssr")]
        SandboxPaid => "已创建付款：",
        #[cfg(feature = "ssr")]
        SandboxOpenOffer => "打开优惠页面",
        #[cfg(feature = "ssr")]
        SandboxNoOffer => "没有匹配此次购买的已启用购买后规则（或顾客此前已拒绝）。",
        #[cfg(feature = "ssr")]
        SandboxFaults => "故障",
        #[cfg(feature = "ssr")]
        SandboxNextCharges => "接下来的一键扣款",
        #[cfg(feature = "ssr")]
        SandboxApply => "应用",
        #[cfg(feature = "ssr")]
        SandboxApplied => "故障已应用。",
        #[cfg(feature = "ssr")]
        NavSettings => "设置",
        #[cfg(feature = "ssr")]
        NavSandbox => "沙盒",
        #[cfg(feature = "ssr")]
        DeclineFunds => "您的卡因余额不足被拒绝，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        DeclineExpired => "您保存的卡已过期，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        DeclineBank => "您的银行拒绝了此次付款，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        DeclineConfirm => "您的银行需要您确认此次付款，目前尚未扣款。",
        #[cfg(feature = "ssr")]
        DeclineBlocked => "此卡无法使用，请更换支付方式。未产生任何扣款。",
        #[cfg(feature = "ssr")]
        DeclineNetwork => "支付网络出现问题，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        DeclineOther => "付款未成功，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        OfferCharging => "正在确认付款…",
        #[cfg(feature = "ssr")]
        OfferPaid => "完成！已加入您的订单，并从您保存的支付方式扣款。",
        OfferNextLink => "还有一项为您准备的优惠：查看下一个优惠",
        OfferSaving => "立省 {amount}（{p}% 折扣）。",
        OfferDiscountCycles => "前 {n} 期付款享 {p}% 折扣，之后恢复原价。",
        #[cfg(feature = "ssr")]
        OfferThanks => "没问题——感谢您的订购。我们不会再显示此优惠。",
        #[cfg(feature = "ssr")]
        OfferExpired => "此优惠已结束。",
        #[cfg(feature = "ssr")]
        OfferEndedSamePlan => "此优惠已结束：您的订阅已在此方案上，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        OfferEndedNotActive => "此优惠已结束：它所针对的订阅已不再有效，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        OfferEndedCancelling => "此优惠已结束：您的订阅即将结束，无法再更改方案。未产生任何扣款。",
        #[cfg(feature = "ssr")]
        OfferEndedProductGone => "此优惠已结束：所提供的商品已不再供应，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        OfferEndedChanged => "此优惠已结束：自优惠发出后您的订阅已有变化，未产生任何扣款。",
        #[cfg(feature = "ssr")]
        OfferNoMethod => "无法使用您保存的支付方式支付此项，未产生任何扣款。您仍可通过常规结账购买。",
        #[cfg(feature = "ssr")]
        OfferFallback => "前往结账",
        #[cfg(feature = "ssr")]
        OfferUpdateMethod => "更新支付方式",
        #[cfg(feature = "ssr")]
        NavAnalytics => "分析",
        AnTitle => "各优惠的转化",
        AnIntro => "查看所选日期内追加销售规则中每个优惠的转化情况。收入已扣除退款，且不同币种从不相加。",
        AnDaysIn => "每天按以下时区的零点到零点计算：",
        AnFrom => "开始日期",
        AnTo => "结束日期",
        AnLast7 => "最近 7 天",
        AnLast30 => "最近 30 天",
        AnLast90 => "最近 90 天",
        AnKind => "类型",
        AnAll => "全部",
        AnTrigger => "购买后",
        AnOffered => "优惠商品",
        AnCurrency => "币种",
        AnApply => "应用",
        #[cfg(feature = "ssr")]
        AnUpdating => "正在更新…",
        AnExport => "下载 CSV",
        #[cfg(feature = "ssr")]
        AnOffer => "优惠",
        #[cfg(feature = "ssr")]
        AnCreated => "已创建",
        #[cfg(feature = "ssr")]
        AnShown => "已展示",
        #[cfg(feature = "ssr")]
        AnAccepted => "已接受",
        #[cfg(feature = "ssr")]
        AnPaid => "已支付",
        #[cfg(feature = "ssr")]
        AnDeclined => "已拒绝",
        #[cfg(feature = "ssr")]
        AnFailed => "失败",
        #[cfg(feature = "ssr")]
        AnExpired => "已过期",
        #[cfg(feature = "ssr")]
        AnFallback => "转至结账",
        #[cfg(feature = "ssr")]
        AnTakeRate => "接受率",
        #[cfg(feature = "ssr")]
        AnConversion => "转化率（95% 置信区间）",
        #[cfg(feature = "ssr")]
        AnRevenue => "净收入",
        #[cfg(feature = "ssr")]
        AnRevPerShown => "每次展示收入",
        #[cfg(feature = "ssr")]
        AnUplift => "订单金额提升",
        #[cfg(feature = "ssr")]
        AnTotal => "合计",
        AnFreeTimeSamePlan => "当前套餐的免费时长",
        #[cfg(feature = "ssr")]
        AnNoData => "此范围内没有优惠。请选择更长的范围或清除筛选条件。",
        #[cfg(feature = "ssr")]
        AnTrend => "每日趋势",
        #[cfg(feature = "ssr")]
        AnTrendWeekly => "每周趋势",
        #[cfg(feature = "ssr")]
        AnFunnel => "漏斗",
        AnOfCreated => "占已创建",
        AnOfStep => "占{step}的 {p}",
        #[cfg(feature = "ssr")]
        AnExperiments => "实验",
        #[cfg(feature = "ssr")]
        AnDeclines => "一键扣款失败的原因",
        #[cfg(feature = "ssr")]
        AnRecent => "最近的优惠",
        #[cfg(feature = "ssr")]
        AnCustomer => "客户",
        #[cfg(feature = "ssr")]
        AnWhen => "时间",
        #[cfg(feature = "ssr")]
        AnOutcome => "结果",
        #[cfg(feature = "ssr")]
        AnAmount => "报价",
        #[cfg(feature = "ssr")]
        AnArm => "分组",
        #[cfg(feature = "ssr")]
        AnCustomers => "客户数",
        #[cfg(feature = "ssr")]
        AnRevPerCustomer => "每位客户收入",
        #[cfg(feature = "ssr")]
        AnNotEnough => "数据尚不足：每组需要 100 位客户，两组合计需要 10 次转化。",
        #[cfg(feature = "ssr")]
        AnSignificant => "在 95% 水平上显著",
        #[cfg(feature = "ssr")]
        AnNotSignificant => "尚无显著差异",
        #[cfg(feature = "ssr")]
        AnDeclineCode => "拒绝代码",
        #[cfg(feature = "ssr")]
        AnReason => "含义",
        #[cfg(feature = "ssr")]
        AnCount => "失败扣款",
        #[cfg(feature = "ssr")]
        AnShare => "占比",
        AnDenied => "分析功能仅限分析师和商家使用。请联系商家更改您的角色。",
        #[cfg(feature = "ssr")]
        AnHoldout => "对照组（无优惠）",
        #[cfg(feature = "ssr")]
        AnPickOffer => "在表格中选择一个优惠以查看其漏斗和最近的优惠。",
        #[cfg(feature = "ssr")]
        AnExperimentNote => "按分配到的客户比较（包括从未打开优惠的客户），以便与对照组可比。",
        #[cfg(feature = "ssr")]
        AnNoExperiments => "此范围内没有规则在运行实验。请在追加销售规则中为规则设置 B 方案或对照组。",
        #[cfg(feature = "ssr")]
        AnNoDeclines => "此范围内没有一键扣款失败。",
        #[cfg(feature = "ssr")]
        AnConversionShort => "转化率",
        #[cfg(feature = "ssr")]
        AnDiff => "差异",
        #[cfg(feature = "ssr")]
        AnSortBy => "按此列排序",
        #[cfg(feature = "ssr")]
        HomeAnalyticsLink => "打开分析",
        AnRange => "日期范围",
        FieldExperiment => "实验（可选）",
        FieldExperimentHelp => "向部分客户展示 B 方案，并让部分客户不看到任何优惠，以了解哪种方案转化更好以及优惠带来的增量。每位客户始终留在同一组；可在“分析”中比较各组。",
        FieldBProduct => "B 方案提供的商品",
        FieldSameAsA => "与 A 相同的商品",
        FieldBHeadline => "B 方案标题（留空则与 A 相同）",
        FieldBWeight => "看到 B 方案的客户比例（%）",
        FieldHoldout => "对照组：不显示优惠的客户比例（%）",
        ErrWeight => "B 方案比例必须在 0 到 100% 之间。",
        ErrHoldout => "对照组比例必须在 0 到 50% 之间。",
        ErrVariantSame => "B 方案与 A 相同：请更换商品或标题，或将其比例设为 0。",
        #[cfg(feature = "ssr")]
        NavSubscriptions => "订阅",
        #[cfg(feature = "ssr")]
        SubsTitle => "订阅",
        #[cfg(feature = "ssr")]
        SubsIntro => "查找顾客的订阅，按每种按比例计费方式预览套餐变更，并只执行一次。",
        #[cfg(feature = "ssr")]
        SubsSearchLabel => "订阅 ID、顾客 ID 或邮箱",
        #[cfg(feature = "ssr")]
        SubsSearch => "查找",
        #[cfg(feature = "ssr")]
        SubsNoMatch => "没有匹配的顾客或订阅。请检查 ID 或邮箱后重试。",
        #[cfg(feature = "ssr")]
        DeniedSubscriptions => "您的角色无法使用客服控制台。请让商家账户为您分配客服角色。",
        #[cfg(feature = "ssr")]
        SubsMethods => "已保存的支付方式",
        #[cfg(feature = "ssr")]
        SubsNoMethods => "没有已保存的支付方式：立即扣款将会失败。",
        #[cfg(feature = "ssr")]
        SubsExpired => "已过期",
        #[cfg(feature = "ssr")]
        SubsNotRecurring => "不可用于定期扣款",
        #[cfg(feature = "ssr")]
        SubsRenewals => "用于续费",
        #[cfg(feature = "ssr")]
        SubsColPlan => "套餐",
        #[cfg(feature = "ssr")]
        SubsColQuantity => "数量",
        #[cfg(feature = "ssr")]
        SubsColPrice => "每期价格",
        #[cfg(feature = "ssr")]
        SubsColStatus => "状态",
        #[cfg(feature = "ssr")]
        SubsColNextBilling => "下次扣费日期",
        #[cfg(feature = "ssr")]
        SubsScheduledTo => "已安排变更为",
        SubsBilledFrom => "新套餐开始计费于",
        SubsCancelScheduledFirst => "请先在套餐更改记录中取消它，再进行其他更改。",
        #[cfg(feature = "ssr")]
        SubsChangePlan => "变更套餐",
        #[cfg(feature = "ssr")]
        SubsTarget => "新套餐",
        #[cfg(feature = "ssr")]
        SubsQuantity => "数量",
        #[cfg(feature = "ssr")]
        SubsEffective => "生效时间",
        #[cfg(feature = "ssr")]
        SubsImmediately => "立即",
        #[cfg(feature = "ssr")]
        SubsNextBillingDate => "下次扣费日期",
        #[cfg(feature = "ssr")]
        SubsOnFailure => "如果扣款失败",
        #[cfg(feature = "ssr")]
        SubsPreventChange => "在付款前保留当前套餐",
        #[cfg(feature = "ssr")]
        SubsApplyChange => "仍然变更套餐（订阅将被暂停）",
        #[cfg(feature = "ssr")]
        SubsPreview => "预览所有方式",
        #[cfg(feature = "ssr")]
        SubsPreviewing => "正在询问 Dodo Payments…",
        #[cfg(feature = "ssr")]
        SubsChargedNow => "立即扣款",
        #[cfg(feature = "ssr")]
        SubsCredit => "顾客获得的抵扣额",
        #[cfg(feature = "ssr")]
        SubsTakesEffect => "生效时间",
        #[cfg(feature = "ssr")]
        SubsNewNextBilling => "变更后的下次扣费日期",
        #[cfg(feature = "ssr")]
        SubsModeProrated => "按比例",
        #[cfg(feature = "ssr")]
        SubsModeDifference => "差价",
        #[cfg(feature = "ssr")]
        SubsModeFull => "全价",
        #[cfg(feature = "ssr")]
        SubsExplainProrated => "顾客只为本计费周期剩余天数支付差价。降级时未使用的部分转为抵扣额。扣费日期不变。",
        #[cfg(feature = "ssr")]
        SubsExplainDifference => "顾客现在支付全部差价。降级时差价转为抵扣额，用于之后的续费。扣费日期不变。",
        #[cfg(feature = "ssr")]
        SubsExplainFull => "顾客现在支付新套餐全价，未使用的时间不予抵扣。新的计费周期从今天开始。",
        #[cfg(feature = "ssr")]
        SubsExplainScheduled => "现在不扣款。新套餐从下次扣费日期开始并按新价格计费。",
        #[cfg(feature = "ssr")]
        SubsChoose => "选择此方式",
        #[cfg(feature = "ssr")]
        SubsNeedsApproval => "超出商家设定的限额：需要填写原因并经商家批准。",
        #[cfg(feature = "ssr")]
        SubsConfirmTitle => "确认变更",
        #[cfg(feature = "ssr")]
        SubsConfirmCharge => "将立即从顾客保存的支付方式扣款：",
        #[cfg(feature = "ssr")]
        SubsConfirmCredit => "现在不扣款。顾客获得的抵扣额：",
        #[cfg(feature = "ssr")]
        SubsReason => "原因",
        #[cfg(feature = "ssr")]
        SubsReasonNote => "给审批人的备注（可选）",
        #[cfg(feature = "ssr")]
        SubsReasonCustomer => "顾客要求",
        #[cfg(feature = "ssr")]
        SubsReasonBilling => "更正计费错误",
        #[cfg(feature = "ssr")]
        SubsReasonRetention => "挽留顾客",
        #[cfg(feature = "ssr")]
        SubsReasonGoodwill => "善意补偿",
        #[cfg(feature = "ssr")]
        SubsReasonOther => "其他",
        #[cfg(feature = "ssr")]
        SubsExecute => "确认并执行",
        #[cfg(feature = "ssr")]
        SubsExecuting => "正在执行…",
        #[cfg(feature = "ssr")]
        SubsRequestApproval => "请求商家批准",
        #[cfg(feature = "ssr")]
        SubsStateExecuting => "已发送至 Dodo Payments，正在等待确认。不会重复发送。",
        #[cfg(feature = "ssr")]
        SubsStateApplied => "套餐已变更。",
        #[cfg(feature = "ssr")]
        SubsStateFailed => "变更未成功。",
        #[cfg(feature = "ssr")]
        SubsStateScheduled => "已安排在下次扣费日期生效。",
        #[cfg(feature = "ssr")]
        SubsStateAwaiting => "等待商家批准。",
        #[cfg(feature = "ssr")]
        SubsStateApproved => "已批准：现在可以执行。",
        #[cfg(feature = "ssr")]
        SubsStateCancelled => "已取消。",
        #[cfg(feature = "ssr")]
        SubsStatePreviewed => "已预览",
        #[cfg(feature = "ssr")]
        SubsCancelChange => "取消此变更",
        #[cfg(feature = "ssr")]
        SubsApprove => "批准",
        #[cfg(feature = "ssr")]
        SubsApprovals => "等待批准",
        #[cfg(feature = "ssr")]
        SubsHistory => "套餐变更记录",
        #[cfg(feature = "ssr")]
        SubsNoHistory => "尚无套餐变更。",
        #[cfg(feature = "ssr")]
        SubsColWhen => "时间",
        #[cfg(feature = "ssr")]
        SubsColWho => "操作人",
        #[cfg(feature = "ssr")]
        SubsColChange => "从 → 到",
        #[cfg(feature = "ssr")]
        SubsColMode => "方式",
        #[cfg(feature = "ssr")]
        SubsColPreviewed => "预览金额",
        #[cfg(feature = "ssr")]
        SubsColCharged => "实际扣款",
        #[cfg(feature = "ssr")]
        SubsColState => "结果",
        SubsMismatch => "实际扣款与预览不符",
        #[cfg(feature = "ssr")]
        SubsOnHold => "订阅已暂停：扣款失败",
        #[cfg(feature = "ssr")]
        SubsThresholdTitle => "套餐变更审批限额",
        #[cfg(feature = "ssr")]
        SubsThresholdIntro => "扣款或抵扣超过此金额的套餐变更需要填写原因，并由另一位商家批准。金额留空表示不设限额。",
        #[cfg(feature = "ssr")]
        SubsThresholdCurrency => "币种",
        #[cfg(feature = "ssr")]
        SubsThresholdAmount => "金额",
        #[cfg(feature = "ssr")]
        SubsThresholdSave => "保存限额",
        #[cfg(feature = "ssr")]
        SubsThresholdNone => "未设置限额：所有变更无需批准即可执行。",
        #[cfg(feature = "ssr")]
        SubsLineItems => "明细",
        SubsLinesNote => "这些明细与应付金额不完全相符：应付金额由 Dodo 据此计算，其舍入方式未公开。上方金额以 Dodo 为准。",
        SubsCreditUsed => "已用抵扣（当前套餐未使用的价值及余额）",
        #[cfg(feature = "ssr")]
        SubsCustomer => "顾客",
        #[cfg(feature = "ssr")]
        SubsThresholdSaved => "限额已保存。",
        #[cfg(feature = "ssr")]
        SubsAmountInvalid => "请输入金额，例如 100 或 99.50。",
        #[cfg(feature = "ssr")]
        SubsEndsAtPeriodEnd => "将于下一个账单日结束（顾客已取消）",
        TimingOnCancel => "订阅者申请取消时",
        TimingOnDecline => "在其规则的推荐被拒绝时",
        TimingOnAccept => "在其规则的推荐付款后",
        #[cfg(feature = "ssr")]
        AnSavesTitle => "按取消原因统计的挽留优惠",
        AnSavesNote => "这些日期内的所有取消请求，无论由哪条规则响应：上方的类型、商品和货币筛选不适用于此处。",
        #[cfg(feature = "ssr")]
        AnSaveReason => "原因",
        #[cfg(feature = "ssr")]
        AnSaveAsked => "申请取消",
        #[cfg(feature = "ssr")]
        AnSaveOffered => "已提供",
        #[cfg(feature = "ssr")]
        AnSaveHeldOut => "对照组",
        #[cfg(feature = "ssr")]
        AnSaveSaved => "留下",
        #[cfg(feature = "ssr")]
        AnSaveCancelled => "已取消",
        #[cfg(feature = "ssr")]
        AnSaveRate => "挽留率（95% 置信区间）",
        #[cfg(feature = "ssr")]
        AnSaveRetained => "保留的月度收入",
        KindSave => "挽留优惠（订阅者取消时）",
        ActionOneTime => "一次性扣款",
        ActionNewSubscription => "新订阅（已订阅者则更换套餐）",
        ActionPlanChange => "更换套餐",
        ActionFreeTime => "免费时长",
        RulesColAction => "动作",
        #[cfg(feature = "ssr")]
        OfferToday => "今天",
        #[cfg(feature = "ssr")]
        OfferNothingToday => "今天无需付款",
        #[cfg(feature = "ssr")]
        OfferThen => "之后",
        #[cfg(feature = "ssr")]
        OfferFrom => "自",
        #[cfg(feature = "ssr")]
        OfferFullPrice => "原价",
        #[cfg(feature = "ssr")]
        OfferYourPlan => "您的套餐",
        #[cfg(feature = "ssr")]
        OfferUpgrade => "更换套餐",
        #[cfg(feature = "ssr")]
        OfferKeep => "保留我的订阅",
        OfferStayOn => "改用",
        #[cfg(feature = "ssr")]
        OfferCancelAnyway => "不用了，取消我的订阅",
        OfferDaysFree => "天免费",
        #[cfg(feature = "ssr")]
        OfferNextPayment => "您的下次付款日期改为",
        #[cfg(feature = "ssr")]
        OfferCancelled => "您的订阅已取消：在已付费周期结束前仍然有效。",
        #[cfg(feature = "ssr")]
        OfferSaved => "完成！您的订阅已更新。",
        #[cfg(feature = "ssr")]
        OfferPlanChanged => "完成！您的订阅已更换为新套餐。",
        #[cfg(feature = "ssr")]
        OfferMovesSubscription => "这会更改您当前的订阅，不会开启第二个订阅。",
        EditorTerms => "订阅条款",
        EditorProration => "升级的计费方式",
        EditorOnFailure => "如果扣款失败",
        EditorPreventChange => "保留当前套餐",
        EditorApplyChange => "仍然更换套餐",
        EditorCancelReason => "针对的取消原因",
        EditorAnyReason => "任何原因（兜底）",
        EditorFreeDays => "以免费天数代替套餐（0 表示提供套餐）",
        ReasonTooExpensive => "太贵了",
        ReasonNotUsing => "用得不够多",
        ReasonMissingFeature => "缺少功能",
        ReasonSwitching => "改用其他产品",
        ReasonOther => "其他",
        ModeProrated => "按比例：支付本期剩余部分",
        ModeDifference => "立即支付差价",
        ModeFull => "立即支付新价格（新周期）",
        #[cfg(feature = "ssr")]
        SandboxSubscriber => "订阅者的时刻",
        #[cfg(feature = "ssr")]
        SandboxSubscription => "订阅",
        #[cfg(feature = "ssr")]
        SandboxNearLimit => "接近套餐上限",
        #[cfg(feature = "ssr")]
        SandboxAsksToCancel => "申请取消",
        #[cfg(feature = "ssr")]
        SandboxNoSubscriberOffer => "未提供优惠：",
        #[cfg(feature = "ssr")]
        SubsOffers => "优惠",
        #[cfg(feature = "ssr")]
        SubsOffersCaption => "向该顾客提供的追加销售和挽留优惠，最新的在前（最近 50 条）。",
        #[cfg(feature = "ssr")]
        SubsNoOffers => "尚未向该顾客提供任何优惠。",
        #[cfg(feature = "ssr")]
        SubsOfferColRule => "规则",
        #[cfg(feature = "ssr")]
        SubsOfferColOffered => "提供内容",
        #[cfg(feature = "ssr")]
        SubsOfferColNow => "当前价格",
        #[cfg(feature = "ssr")]
        SubsOfferColAfter => "之后每期",
        #[cfg(feature = "ssr")]
        SubsOfferColState => "状态",
        #[cfg(feature = "ssr")]
        SubsOfferColResult => "结果",
        #[cfg(feature = "ssr")]
        SubsOfferRuleDeleted => "规则已被删除",
        #[cfg(feature = "ssr")]
        SubsOfferNewSubscription => "新订阅",
        #[cfg(feature = "ssr")]
        SubsOfferFreeDays => "天免费",
        #[cfg(feature = "ssr")]
        SubsOfferSave => "挽留优惠",
        #[cfg(feature = "ssr")]
        SubsOfferPending => "待处理：尚未答复",
        #[cfg(feature = "ssr")]
        SubsOfferCharging => "扣款中：等待 Dodo Payments 确认",
        #[cfg(feature = "ssr")]
        SubsOfferPaid => "已支付",
        #[cfg(feature = "ssr")]
        SubsOfferFailed => "失败：未扣款",
        #[cfg(feature = "ssr")]
        SubsOfferDeclined => "已拒绝",
        #[cfg(feature = "ssr")]
        SubsOfferExpired => "已过期",
        #[cfg(feature = "ssr")]
        SubsOfferFallback => "已转至标准结账",
        #[cfg(feature = "ssr")]
        SubsOfferPayment => "付款",
        #[cfg(feature = "ssr")]
        SubsOfferCancelReason => "取消原因",
        #[cfg(feature = "ssr")]
        SubsSaveOffered => "已申请取消，等待答复",
        #[cfg(feature = "ssr")]
        SubsSaveSaved => "已挽留：订阅继续",
        #[cfg(feature = "ssr")]
        SubsSaveCancelling => "正在设为取消",
        #[cfg(feature = "ssr")]
        SubsSaveCancelled => "已取消（本期结束时终止）",
        TgTitle => "谁会看到（可选）",
        TgHelp => "所有条件须同时满足。留空表示不限；0 表示不设上下限。",
        TgOrderValue => "订单金额",
        TgFrom => "最低",
        TgUpTo => "最高",
        TgCustomer => "客户",
        TgAnyone => "不限",
        TgNew => "新客户（首次购买）",
        TgReturning => "回头客（曾经购买）",
        TgCurrencies => "币种（如 USD、EUR）",
        TgCountries => "账单国家/地区（如 US、DE）",
        TgExclude => "不向已拥有以下商品的客户展示",
        TgQuantity => "购买数量",
        TgStart => "开始时间",
        TgEnd => "结束时间",
        TgZone => "时区",
        AnyProduct => "任意商品（兜底：仅当没有其他规则触发时）",
        #[cfg(feature = "ssr")]
        TgNewCustomers => "新客户",
        #[cfg(feature = "ssr")]
        TgReturningCustomers => "回头客",
        #[cfg(feature = "ssr")]
        TgNotHolders => "排除已拥有",
        #[cfg(feature = "ssr")]
        TgEnded => "已结束",
        #[cfg(feature = "ssr")]
        PvTitle => "以客户身份预览",
        #[cfg(feature = "ssr")]
        PvIntro => "填写谁购买了什么：查看哪条规则会触发，以及其他规则为何没有触发。",
        #[cfg(feature = "ssr")]
        PvCustomer => "客户 ID（留空：新客户）",
        #[cfg(feature = "ssr")]
        PvProduct => "购买的商品",
        #[cfg(feature = "ssr")]
        PvTotal => "订单金额",
        #[cfg(feature = "ssr")]
        PvCountry => "账单国家/地区",
        #[cfg(feature = "ssr")]
        PvQuantity => "数量",
        #[cfg(feature = "ssr")]
        PvRun => "查看触发结果",
        #[cfg(feature = "ssr")]
        PvFires => "触发：将展示此优惠",
        #[cfg(feature = "ssr")]
        PvNone => "此次购买不会触发任何规则。",
        #[cfg(feature = "ssr")]
        PvCatchAll => "任意商品",
        #[cfg(feature = "ssr")]
        CapTitle => "频次上限",
        #[cfg(feature = "ssr")]
        CapIntro => "作用于整张规则表，并且在“拒绝后不再展示”之外生效。两项均为 0 表示不设上限。",
        #[cfg(feature = "ssr")]
        CapOffers => "每位客户最多优惠数",
        #[cfg(feature = "ssr")]
        CapDays => "每 … 天",
        #[cfg(feature = "ssr")]
        CapSaved => "频次上限已保存",
        #[cfg(feature = "ssr")]
        CapNow => "当前：",
        #[cfg(feature = "ssr")]
        CapNone => "未设上限",
        CapSave => "保存上限",
        #[cfg(feature = "ssr")]
        VerTitle => "版本",
        #[cfg(feature = "ssr")]
        VerIntro => "规则表的每次更改都是一个版本。可逐字段比较任意两个版本（或某个版本与当前规则表），或一键回滚到某个版本。",
        #[cfg(feature = "ssr")]
        VerNumber => "版本",
        #[cfg(feature = "ssr")]
        VerWhen => "时间（UTC）",
        #[cfg(feature = "ssr")]
        VerWho => "操作人",
        #[cfg(feature = "ssr")]
        VerWhat => "更改内容",
        #[cfg(feature = "ssr")]
        VerCompare => "与当前比较",
        #[cfg(feature = "ssr")]
        VerRollback => "回滚到此版本",
        #[cfg(feature = "ssr")]
        VerRollingBack => "正在回滚…",
        #[cfg(feature = "ssr")]
        VerLive => "当前",
        #[cfg(feature = "ssr")]
        VerDiffTitle => "变更内容",
        VerCompareFrom => "比较版本",
        VerCompareTo => "与",
        VerCompareRun => "比较",
        #[cfg(feature = "ssr")]
        VerNoChanges => "没有差异。",
        #[cfg(feature = "ssr")]
        VerAdded => "新增",
        #[cfg(feature = "ssr")]
        VerRemoved => "删除",
        #[cfg(feature = "ssr")]
        VerField => "字段",
        #[cfg(feature = "ssr")]
        VerBefore => "之前",
        #[cfg(feature = "ssr")]
        VerAfter => "之后",
        #[cfg(feature = "ssr")]
        VerExport => "导出规则表（JSON）",
        #[cfg(feature = "ssr")]
        VerImportTitle => "导入规则表",
        #[cfg(feature = "ssr")]
        VerImportHelp => "粘贴导出的规则表。应用前会先显示所有更改。",
        #[cfg(feature = "ssr")]
        VerImportCheck => "显示更改",
        #[cfg(feature = "ssr")]
        VerImportApply => "应用此规则表",
        #[cfg(feature = "ssr")]
        VerImportChanges => "应用此规则表将进行以下更改：",
        #[cfg(feature = "ssr")]
        MapRolledBack => "规则表已回滚",
        #[cfg(feature = "ssr")]
        MapImported => "规则表已导入",
        #[cfg(feature = "ssr")]
        RpTitle => "回放",
        #[cfg(feature = "ssr")]
        RpIntro => "用某个版本的规则表回放过去 30 天的购买：它会展示多少优惠、预计收入（每个优惠商品的接受率及其 95% 区间乘以价格），并与当前规则表的实际结果对比。降级销售按其规则的推荐被拒绝的比例计算，后续推荐按付款的比例计算。",
        #[cfg(feature = "ssr")]
        RpVersion => "要回放的规则表",
        #[cfg(feature = "ssr")]
        RpLive => "当前规则表",
        #[cfg(feature = "ssr")]
        RpRun => "开始回放",
        #[cfg(feature = "ssr")]
        RpRunning => "正在回放…",
        RpPurchases => "次购买已回放",
        RpRule => "规则",
        RpOffers => "将展示的优惠",
        RpRate => "接受率（95% 区间）",
        RpExpected => "预计收入",
        RpActualOffers => "当前：优惠数",
        RpActualRevenue => "当前：收入",
        RpTotal => "合计",
        RpNoRate => "尚未展示过",
        RpDraft => "用此修改回放",
        RpDraftRunning => "正在用此修改回放过去 30 天的购买……",
        RpDraftHelp => "当前规则表加上此规则（按现在的内容，未保存）在过去 30 天的结果。没有保存任何内容；可以继续编辑后再回放，或直接保存。",
        RpNothingKept => "待回放的草稿已不再保留（30 分钟后失效）；请再次点击“用此修改回放”。",
        #[cfg(feature = "ssr")]
        GraphTaken => "已付款",
        #[cfg(feature = "ssr")]
        GraphNoOffers => "30 天内无优惠",
        #[cfg(feature = "ssr")]
        GraphBought => "购买后",
        #[cfg(feature = "ssr")]
        GraphDeclined => "拒绝后",
        GraphAccepted => "接受后",
        #[cfg(feature = "ssr")]
        GraphCaption => "规则表示意图：购买的商品、随后展示的优惠、拒绝后展示的降级优惠以及接受后展示的后续优惠，并显示 30 天内已付款优惠占所发优惠的比例及其收入（分析页的接受率按已展示的优惠计算，收入已扣除退款）。点击优惠即可编辑；上方表格列出了相同的规则。",
        // The browser bundle carries only what its islands show (see `Msg`).
        #[cfg(not(feature = "ssr"))]
        _ => "",
    }
}

/// The current language, provided by `App`.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

/// The app provides the language on the server; an island in the browser reads it from
/// `<html lang>`, which the server rendered.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n(RwSignal::new(crate::ui::session::initial_lang())))
}

impl I18n {
    /// A reactive translation, for use inside views.
    pub fn t(self, m: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || tr(self.0.get(), m)
    }
    /// The language now (untracked: for what renders once, on the server).
    pub fn now_lang(self) -> Lang {
        self.0.get_untracked()
    }
    /// The translation now, tracked when called inside a reactive closure.
    pub fn now(self, m: Msg) -> &'static str {
        tr(self.0.get(), m)
    }
}
