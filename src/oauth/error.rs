//! What goes wrong getting a token, said so that the operator knows which part to fix; and
//! how a stranger's text (an endpoint's answer, a key file) is quoted in such a message.

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("OAuth2 token endpoint {url} unreachable: {message}")]
    Unreachable { url: String, message: String },
    #[error("OAuth2 token endpoint {url} answered HTTP {status} without a JSON token response: {body}")]
    NotJson { url: String, status: u16, body: String },
    #[error("OAuth2 grant ({grant}) refused by the token endpoint {url}: {error}{description}{hint}")]
    Grant { url: String, grant: &'static str, error: String, description: String, hint: &'static str },
    #[error("OAuth2 token endpoint {url}: {message}")]
    Malformed { url: String, message: String },
    #[error("OAuth2 set-up: {0}")]
    Setup(String),
}

impl OAuthError {
    /// The provider said no to our credentials (as opposed to a network or server problem).
    pub fn is_grant(&self) -> bool {
        matches!(self, OAuthError::Grant { .. })
    }
}

/// The start of a body that should have been JSON, on one line.
pub(super) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        return "(empty body)".into();
    }
    one_line(&text, 200)
}

/// A stranger's text on one line, bounded (it goes into logs and errors).
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat: String = flat.chars().filter(|c| !c.is_control()).collect();
    if flat.chars().count() > max {
        format!("{}…", flat.chars().take(max).collect::<String>())
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_one_short_line() {
        assert_eq!(snippet(b"<html>\n<body>Bad   gateway</body>\n</html>"), "<html> <body>Bad gateway</body> </html>");
        assert_eq!(snippet(b""), "(empty body)");
        assert!(snippet("x".repeat(1000).as_bytes()).chars().count() <= 201);
    }
}
