//! Microsoft Partner Center, the REST API of the CSP program, for new-commerce license-based
//! subscriptions: `GET` and `PATCH /v1/customers/{customer-tenant-id}/subscriptions/{id}`
//! (the change: the whole Subscription resource with its new absolute `quantity`), the
//! customer's subscription list and subscribed SKUs for `vendor sync`.
//!
//! Every call carries a token of the application registered in Partner Center (client
//! credentials or a refresh token, scope `https://api.partnercenter.microsoft.com/.default`),
//! `MS-CorrelationId` and `MS-RequestId`: for a change, the job's idempotency key — the header
//! Partner Center documents for making a retried call idempotent. The answers are read here
//! and judged in `decide::vendor`; tokens are never logged.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::Value;

use super::{one_line, retry_after, Current, Target, VendorError};
use crate::config::PartnerCenterConfig;
use crate::decide::drift::VendorSide;
use crate::decide::vendor::{self, Observed, Reply, VendorStatus, Verdict};
use crate::domain::Billing;
use crate::oauth::{describe_http_error, http_client, Token, TokenSource};

pub struct PartnerCenter {
    base: String,
    tokens: Arc<TokenSource>,
    http: reqwest::Client,
    timeout: Duration,
}

/// How a call ended: an answer, or no answer at all (the worker tries again).
enum Called {
    Answer { reply: Reply, body: Option<Value> },
    Unreachable(String),
    /// No token: the grant was refused (set-up) or the endpoint is away (retry).
    NoToken(Verdict),
}

impl PartnerCenter {
    pub fn new(config: &PartnerCenterConfig, timeout: Duration) -> Result<PartnerCenter, VendorError> {
        let setup = |m: String| VendorError::Setup(m);
        let tokens = TokenSource::new("vendor.partner_center.oauth2", &config.oauth2(), "").map_err(|e| setup(e.to_string()))?;
        let base = config.base_url.trim_end_matches('/').to_string();
        let http = http_client(&base, timeout).map_err(|e| setup(format!("vendor.partner_center.base_url: {e}")))?;
        Ok(PartnerCenter { base, tokens, http, timeout })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The subscription as Partner Center holds it.
    pub async fn read(&self, t: &Target<'_>) -> Result<Current, Verdict> {
        let path = subscription_path(t)?;
        match self.call(reqwest::Method::GET, &path, &new_request_id(), t.idempotency_key, None).await {
            Called::Answer { reply, body: Some(body) } if reply.status == 200 => {
                let observed = observed(&body).ok_or_else(|| {
                    Verdict::Broken(format!("Partner Center's subscription {path} has no quantity or status"))
                })?;
                Ok(Current { observed, resource: body })
            }
            Called::Answer { reply, .. } => Err(read_failed(vendor::partner_center(&reply, &t.facts(false)))),
            Called::Unreachable(why) => Err(vendor::unreachable(&why)),
            Called::NoToken(v) => Err(v),
        }
    }

    /// The change: the resource as read, with the new absolute quantity.
    pub async fn change(&self, t: &Target<'_>, current: &Current) -> Verdict {
        let path = match subscription_path(t) {
            Ok(p) => p,
            Err(v) => return v,
        };
        let mut body = current.resource.clone();
        let key = key_of(&body, "quantity").unwrap_or_else(|| "quantity".into());
        if let Some(o) = body.as_object_mut() {
            o.insert(key, Value::from(t.new_quantity));
        }
        match self.call(reqwest::Method::PATCH, &path, t.idempotency_key, t.idempotency_key, Some(&body)).await {
            Called::Answer { reply, .. } => vendor::partner_center(&reply, &t.facts(false)),
            Called::Unreachable(why) => vendor::unreachable(&why),
            Called::NoToken(v) => v,
        }
    }

    /// A token, and Partner Center's answer to it: one page of the partner's customers.
    pub async fn check(&self) -> Result<String, String> {
        let body = self.collection("/v1/customers?size=1").await?;
        Ok(format!("token issued, customers listed ({} in all)", field(&body, "totalCount").and_then(Value::as_i64).unwrap_or(0)))
    }

    /// A customer's subscriptions (`vendor sync`).
    pub async fn subscriptions(&self, tenant: &str) -> Result<Vec<VendorSide>, String> {
        let path = format!("/v1/customers/{}/subscriptions", segment(tenant).ok_or("the tenant id is not a path segment")?);
        let body = self.collection(&path).await?;
        Ok(items(&body).iter().filter_map(vendor_side).collect())
    }

    /// Seats in use per SKU part number, where Partner Center says (its subscribed SKUs need
    /// App+User authentication: an app-only token gets `None`).
    pub async fn assigned(&self, tenant: &str) -> Result<Option<HashMap<String, i64>>, String> {
        let path = format!("/v1/customers/{}/subscribedskus", segment(tenant).ok_or("the tenant id is not a path segment")?);
        match self.call(reqwest::Method::GET, &path, &new_request_id(), &new_request_id(), None).await {
            Called::Answer { reply, body: Some(body) } if reply.status == 200 => Ok(Some(
                items(&body)
                    .iter()
                    .filter_map(|i| {
                        let sku = field(field(i, "productSku")?, "skuPartNumber")?.as_str()?.to_string();
                        Some((sku, field(i, "consumedUnits")?.as_i64()?))
                    })
                    .collect(),
            )),
            Called::Answer { reply, .. } if matches!(reply.status, 401 | 403) => Ok(None),
            Called::Answer { reply, .. } => Err(format!("{path}: HTTP {} {}", reply.status, reply.description)),
            Called::Unreachable(why) => Err(why),
            Called::NoToken(v) => Err(format!("{v:?}")),
        }
    }

    async fn collection(&self, path: &str) -> Result<Value, String> {
        match self.call(reqwest::Method::GET, path, &new_request_id(), &new_request_id(), None).await {
            Called::Answer { reply, body: Some(body) } if reply.status == 200 => Ok(body),
            Called::Answer { reply, .. } => Err(format!("{path}: HTTP {} {}", reply.status, reply.description)),
            Called::Unreachable(why) => Err(why),
            Called::NoToken(v) => Err(match v {
                Verdict::Broken(why) | Verdict::Retry { why, .. } => why,
                other => format!("{other:?}"),
            }),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, request_id: &str, correlation: &str, body: Option<&Value>) -> Called {
        let token = match self.tokens.token().await {
            Ok(t) => t,
            Err(e) if e.is_grant() => return Called::NoToken(Verdict::Broken(e.to_string())),
            Err(e) => return Called::NoToken(vendor::unreachable(&e.to_string())),
        };
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .header("MS-RequestId", request_id)
            .header("MS-CorrelationId", correlation)
            .header("MS-Contract-Version", "v1");
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Called::Unreachable(format!("{method} {url}: {}", describe_http_error(&e, self.timeout))),
        };
        let status = response.status().as_u16();
        let wait = retry_after(response.headers());
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Called::Unreachable(format!("{method} {url}: {}", describe_http_error(&e, self.timeout))),
        };
        if status == 401 {
            self.tokens.invalidate(&token).await;
        }
        let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
        Called::Answer { reply: reply(status, parsed.as_ref(), &bytes, wait, &token), body: parsed }
    }
}

/// Partner Center's answer: an error (`code`, `description`) or a Subscription (`quantity`).
fn reply(status: u16, body: Option<&Value>, raw: &[u8], wait: Option<Duration>, token: &Token) -> Reply {
    let text = |k: &str| body.and_then(|b| field(b, k)).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
    let description = text("description").or_else(|| text("message")).unwrap_or_else(|| {
        if (200..300).contains(&status) { String::new() } else { one_line(&String::from_utf8_lossy(raw), 200) }
    });
    Reply {
        status,
        code: if status >= 400 { text("code") } else { None },
        description: one_line(&description, 400),
        retry_after: wait,
        quantity: body.filter(|_| status < 300).and_then(|b| field(b, "quantity")).and_then(Value::as_i64),
        fresh_token: token.fresh,
    }
}

/// A read that did not return the subscription: never a refusal of a change that was not sent.
fn read_failed(v: Verdict) -> Verdict {
    match v {
        Verdict::Refused(r) => Verdict::Broken(format!("Partner Center refused to show the subscription: {}", r.reason)),
        Verdict::Confirmed | Verdict::Accepted => Verdict::Broken("Partner Center's answer to the read had no subscription".into()),
        other => other,
    }
}

fn subscription_path(t: &Target<'_>) -> Result<String, Verdict> {
    let tenant = t.tenant_id.and_then(segment).ok_or_else(|| {
        Verdict::Broken(format!(
            "customer {} has no Microsoft tenant id: add the tenant_id column to the subscriptions CSV and import it",
            t.customer_id
        ))
    })?;
    let id = t.vendor_id.and_then(segment).ok_or_else(|| {
        Verdict::Broken(format!(
            "subscription {} has no Partner Center id: add the vendor_subscription_id column to the subscriptions CSV",
            t.subscription_id
        ))
    })?;
    Ok(format!("/v1/customers/{tenant}/subscriptions/{id}"))
}

/// An id fit for a URL path (ids are GUIDs; anything else is not sent).
fn segment(id: &str) -> Option<&str> {
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then_some(id)
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A field by name, whatever its case (Partner Center writes camelCase, its examples PascalCase).
fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

fn key_of(v: &Value, name: &str) -> Option<String> {
    v.as_object()?.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

fn items(v: &Value) -> Vec<Value> {
    field(v, "items").and_then(Value::as_array).cloned().unwrap_or_default()
}

fn observed(v: &Value) -> Option<Observed> {
    Some(Observed {
        quantity: field(v, "quantity")?.as_i64()?,
        status: VendorStatus::from_word(field(v, "status")?.as_str()?),
    })
}

fn vendor_side(v: &Value) -> Option<VendorSide> {
    let text = |k: &str| field(v, k).and_then(Value::as_str);
    let observed = observed(v)?;
    // New commerce: P1Y is an annual term; P1M is month to month (the store's "flexible").
    let billing = match text("termDuration").map(str::to_ascii_uppercase).as_deref() {
        Some("P1Y") | Some("P3Y") => Some(Billing::Annual),
        Some("P1M") => Some(Billing::Flexible),
        _ => None,
    };
    let term_start = text("effectiveStartDate").and_then(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok());
    Some(VendorSide {
        id: text("id")?.to_string(),
        offer_name: text("offerName").or_else(|| text("friendlyName")).unwrap_or_default().to_string(),
        quantity: observed.quantity,
        status: observed.status,
        billing,
        term_start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_are_read_in_any_case() {
        let v: Value = serde_json::json!({
            "Id": "a6f3f0a4-0000-4000-8000-000000000001", "OfferName": "Microsoft 365 Business Premium",
            "Quantity": 12, "Status": "active", "TermDuration": "P1Y", "EffectiveStartDate": "2026-03-01T00:00:00Z"
        });
        let s = vendor_side(&v).unwrap();
        assert_eq!((s.quantity, s.status, s.billing), (12, VendorStatus::Active, Some(Billing::Annual)));
        assert_eq!(s.term_start, NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(key_of(&v, "quantity").as_deref(), Some("Quantity"));
        assert!(segment("../x").is_none() && segment("").is_none());
    }
}
