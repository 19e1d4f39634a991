//! One input codec for both kinds of caller: islands and API clients send JSON, and the
//! server-rendered screens' plain `<form method="post">` sends `application/x-www-form-urlencoded`.
//! Written here because server_fn's codecs are one format each; `Decodes` sees only the body,
//! so the format is told from its first byte (a JSON object starts with `{`, a form body never
//! does: `{` would be percent-encoded).
use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

pub struct FormOrJsonEncoding;

/// The input codec of every server function a screen can post to.
pub type FormOrJson = Post<FormOrJsonEncoding>;

impl ContentType for FormOrJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for FormOrJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for FormOrJsonEncoding {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for FormOrJsonEncoding {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let json = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'{');
        if json {
            return serde_json::from_slice(&bytes).map_err(|e| e.to_string());
        }
        decode_form(&bytes)
    }
}

#[cfg(feature = "ssr")]
fn decode_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    // Nested names (`draft[name]`) as serde_qs reads them; the browser sends `+` for spaces.
    serde_qs::Config::new(5, false)
        .deserialize_bytes(bytes)
        .map_err(|e| e.to_string())
}

#[cfg(not(feature = "ssr"))]
fn decode_form<T: DeserializeOwned>(_: &[u8]) -> Result<T, String> {
    Err("form bodies are read on the server".into())
}
