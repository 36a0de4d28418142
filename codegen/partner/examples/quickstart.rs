//! The partner API's data-sharing quickstart, end to end, against a local partner (the
//! generated partner and regulated routers with their example back-ends, on 127.0.0.1): get a
//! token, pick the user's bank from the participants, create the consent, check its status,
//! list the accounts and read one account's transactions, page after page.
//!
//! `cargo xtask quickstart` runs it. Against a real partner, drop the local server and build
//! the session with the partner's URL and an HTTP client that carries your mTLS identity.

use ofb_partner::{
    Category, ConsentRequest, ConsentStatus, Credentials, Filter, Session, UserDocument,
};
use std::process::ExitCode;
use std::time::Duration;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ofb_runtime::server::serve(
        listener,
        ofb_partner::local::router(),
        async {
            let _ = stopped.await;
        },
    ));
    println!("partner (local, example back-ends) at {base}");
    let walked = walk(&base).await;
    let _ = stop.send(());
    server.await??;
    walked
}

async fn walk(base: &str) -> Result<(), Failure> {
    // 1. A token: POST /auth/v1/token. The session refreshes it before it expires.
    let session = Session::builder(base)
        .timeout(Duration::from_secs(10))
        .login(Credentials::new(
            "partner-client-0001",
            "client-secret-from-the-vault",
        ))
        .await?;
    println!("1. logged in: {:?}", session.access_token().await?);

    // 2. The user's bank: an active data holder (DADOS) of the participants directory.
    let participants = session.participants().await?;
    let bank = Filter::data_holders()
        .apply(&participants)
        .next()
        .ok_or("no participant holds DADOS with an Active claim")?;
    let server_id = bank
        .authorisation_server_ids
        .first()
        .ok_or("the chosen participant has no authorisation server")?
        .clone();
    println!(
        "2. {} of {} participants share data; chose {} ({server_id})",
        Filter::data_holders().apply(&participants).count(),
        participants.len(),
        bank.customer_friendly_name
    );

    // 3. The consent: accounts, and RESOURCES_READ, which every data consent carries. The
    //    creation answer may carry the bank's own consent, as its regulated API created it.
    let expiry: ofb_runtime::DateTime = "2026-07-29T16:34:27Z".parse()?;
    let request = ConsentRequest::new(
        "https://app.example/consent/callback",
        UserDocument::Cpf(String::from("12345678901")),
        expiry.clone(),
    )
    .category(Category::Accounts);
    let permissions = request.permissions();
    let created = session.create_consent(&server_id, request).await?;
    let regulated = created.consent.as_ref().map_or_else(
        || String::from("not passed on"),
        |c| c.data.status.to_string(),
    );
    println!(
        "3. consent {} for {} permissions (at the bank: {regulated}); send the user to {}",
        created.consent_id,
        permissions.len(),
        created.redirect_url
    );

    //    A company can be the logged user too, by its CNPJ.
    let company = UserDocument::from_digits("12345678000190").ok_or("not a CNPJ")?;
    let for_company = session
        .create_consent(
            &server_id,
            ConsentRequest::new("https://app.example/consent/callback", company, expiry)
                .category(Category::Accounts),
        )
        .await?;
    println!(
        "3. and for a company (CNPJ): consent {}",
        for_company.consent_id
    );

    // 4. The user authorises at the bank and comes back; the consent says so.
    let consent = session.consent(&server_id, &created.consent_id).await?;
    let status = &consent.consent.data.status;
    println!("4. consent status: {status}");
    if *status != ConsentStatus::Authorised {
        return Err(format!("the consent is {status}, not AUTHORISED").into());
    }

    // 5. The accounts, through the partner's proxy, with the regulated client and types.
    let bank = session.bank(&server_id, &consent.consent_id)?;
    let accounts = bank.accounts().accounts_get_accounts().await?;
    let account = accounts
        .data
        .first()
        .ok_or("the consent covers no account")?;
    println!(
        "5. {} account(s); reading {} {} (x-fapi-interaction-id {})",
        accounts.data.len(),
        account.brand_name,
        account.account_id,
        accounts.interaction_id.as_deref().unwrap_or("-")
    );

    // 6. Its transactions, following links.next to the last page.
    let mut pages = bank
        .accounts()
        .accounts_get_accounts_account_id_transactions(account.account_id.clone())
        .page_size(25)
        .pages();
    let (mut count, mut seen) = (0, 0);
    while let Some(page) = pages.next().await {
        let page = page?;
        count += 1;
        seen += page.data.len();
    }
    println!("6. {seen} transaction(s) over {count} page(s)");
    let (refreshes, logins) = session.renewals();
    println!("done: {logins} login(s), {refreshes} token refresh(es)");
    Ok(())
}
