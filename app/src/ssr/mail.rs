//! Outgoing mail: over SMTP when a server is configured, otherwise into the `outbox` table,
//! which the admin reads in the store (and tests read directly). Either way a flow that
//! needs a link in an e-mail — confirming a sign-up, resetting a password — works on a
//! fresh machine.

use super::db::{execute, rows, Db, DbError};
use crate::models::account::OutboxMail;
use serde_json::json;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// TLS from the first byte (usually port 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, which must succeed (usually port 587).
    StartTls,
    /// No encryption (a relay on the same machine only).
    None,
}

/// An SMTP server to send through.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Login, if the server wants one.
    pub username: Option<String>,
    /// Password for `username`.
    pub password: Option<String>,
    /// Transport security.
    pub tls: SmtpTls,
    /// The `From` address, e.g. `Shuzhai <no-reply@example.com>`.
    pub from: String,
}

/// Where mail goes.
#[derive(Debug, Clone, Default)]
pub enum Mailer {
    /// Into the `outbox` table.
    #[default]
    Outbox,
    /// Out through an SMTP server.
    Smtp(SmtpSettings),
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

impl Mailer {
    /// Sends `mail`. Outbox mail is written before this returns; SMTP delivery happens in
    /// the background, so the time a request takes never depends on the mail server (or
    /// tells anyone whether a message was sent at all). Delivery failures are logged.
    pub async fn send(&self, db: &Db, mail: Mail) -> Result<(), DbError> {
        match self {
            Mailer::Outbox => {
                execute(
                    db,
                    "write outbox",
                    "CREATE outbox SET to = $to, subject = $subject, body = $body, created_at = time::now()",
                    json!({ "to": mail.to, "subject": mail.subject, "body": mail.body }),
                )
                .await
            }
            Mailer::Smtp(settings) => {
                let settings = settings.clone();
                tokio::spawn(async move {
                    if let Err(e) = send_smtp(&settings, &mail).await {
                        tracing::error!(error = %e, host = %settings.host, "mail could not be delivered");
                    }
                });
                Ok(())
            }
        }
    }
}

/// Delivers one message over SMTP.
pub async fn send_smtp(settings: &SmtpSettings, mail: &Mail) -> Result<(), String> {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let message = Message::builder()
        .from(
            settings
                .from
                .parse()
                .map_err(|e| format!("the From address: {e}"))?,
        )
        .to(mail
            .to
            .parse()
            .map_err(|e| format!("the To address: {e}"))?)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| e.to_string())?;
    let tls = match settings.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Implicit | SmtpTls::StartTls => {
            let params = TlsParameters::new(settings.host.clone()).map_err(|e| e.to_string())?;
            if settings.tls == SmtpTls::Implicit {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            }
        }
    };
    let mut builder =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(std::time::Duration::from_secs(20)));
    if let (Some(user), Some(pass)) = (&settings.username, &settings.password) {
        builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
    }
    builder
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The outbox, newest first (at most `limit` messages), optionally only those to `to`.
pub async fn outbox(db: &Db, to: Option<&str>, limit: usize) -> Result<Vec<OutboxMail>, DbError> {
    rows(
        db,
        "read outbox",
        "SELECT to, subject, body, <string> created_at AS created_at FROM outbox \
         WHERE !$to OR to = $to ORDER BY created_at DESC LIMIT $limit",
        json!({ "to": to, "limit": limit }),
        0,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// A one-connection SMTP server that accepts one message and returns what it received.
    async fn smtp_sink() -> (u16, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let mut transcript = String::new();
            write.write_all(b"220 sink ready\r\n").await.unwrap();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                transcript.push_str(&line);
                transcript.push('\n');
                if in_data {
                    if line == "." {
                        in_data = false;
                        write.write_all(b"250 queued\r\n").await.unwrap();
                    }
                    continue;
                }
                let upper = line.to_ascii_uppercase();
                let reply: &[u8] = if upper.starts_with("EHLO") {
                    b"250-sink\r\n250 AUTH PLAIN LOGIN\r\n"
                } else if upper.starts_with("AUTH") {
                    b"235 ok\r\n"
                } else if upper.starts_with("DATA") {
                    in_data = true;
                    b"354 go on\r\n"
                } else if upper.starts_with("QUIT") {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                } else {
                    b"250 ok\r\n"
                };
                write.write_all(reply).await.unwrap();
            }
            transcript
        });
        (port, task)
    }

    #[tokio::test]
    async fn mail_goes_out_over_smtp_with_login() {
        let (port, sink) = smtp_sink().await;
        let settings = SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            username: Some("shop".into()),
            password: Some("secret".into()),
            tls: SmtpTls::None,
            from: "Shuzhai <no-reply@shop.example>".into(),
        };
        let mail = Mail {
            to: "reader@example.com".into(),
            subject: "Reset your Shuzhai password".into(),
            body: "Open this link: http://shop.example/reset/abc".into(),
        };
        send_smtp(&settings, &mail).await.unwrap();
        let transcript = sink.await.unwrap();
        assert!(
            transcript.contains("MAIL FROM:<no-reply@shop.example>"),
            "{transcript}"
        );
        assert!(transcript.contains("RCPT TO:<reader@example.com>"));
        assert!(transcript.contains("AUTH"));
        assert!(transcript.contains("Subject: Reset your Shuzhai password"));
        assert!(transcript.contains("http://shop.example/reset/abc"));
    }

    #[tokio::test]
    async fn an_unreachable_smtp_server_is_an_error_not_a_panic() {
        let settings = SmtpSettings {
            host: "127.0.0.1".into(),
            port: 9,
            username: None,
            password: None,
            tls: SmtpTls::None,
            from: "no-reply@shop.example".into(),
        };
        let mail = Mail {
            to: "reader@example.com".into(),
            subject: "s".into(),
            body: "b".into(),
        };
        assert!(send_smtp(&settings, &mail).await.is_err());
    }
}
